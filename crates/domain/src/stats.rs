//! Customer-feedback statistics: NPS and CSAT, with respondent counts beside them.

/// Net Promoter Score over 0–10 ratings.
#[derive(Clone, Debug, PartialEq)]
pub struct Nps {
    /// % promoters (9–10) − % detractors (0–6), from −100 to +100.
    pub score: f64,
    pub promoters: usize,
    pub passives: usize,
    pub detractors: usize,
    pub respondents: usize,
}

/// NPS of the ratings in 0–10 (others are not NPS answers and are skipped); `None`
/// without respondents.
pub fn nps(ratings: impl IntoIterator<Item = i64>) -> Option<Nps> {
    let (mut promoters, mut passives, mut detractors) = (0, 0, 0);
    for r in ratings {
        match r {
            9..=10 => promoters += 1,
            7..=8 => passives += 1,
            0..=6 => detractors += 1,
            _ => {}
        }
    }
    let respondents = promoters + passives + detractors;
    (respondents > 0).then(|| Nps {
        score: 100.0 * (promoters as f64 - detractors as f64) / respondents as f64,
        promoters,
        passives,
        detractors,
        respondents,
    })
}

/// Customer satisfaction over 1–5 ratings.
#[derive(Clone, Debug, PartialEq)]
pub struct Csat {
    /// Share of 4 and 5 answers, in %.
    pub percent: f64,
    pub satisfied: usize,
    pub respondents: usize,
}

/// CSAT of the ratings in 1–5 (others are skipped); `None` without respondents.
pub fn csat(ratings: impl IntoIterator<Item = i64>) -> Option<Csat> {
    let valid: Vec<i64> = ratings.into_iter().filter(|r| (1..=5).contains(r)).collect();
    let satisfied = valid.iter().filter(|r| **r >= 4).count();
    (!valid.is_empty()).then(|| Csat { percent: 100.0 * satisfied as f64 / valid.len() as f64, satisfied, respondents: valid.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nps_is_promoters_minus_detractors() {
        // 5 promoters, 3 passives, 2 detractors of 10: 50 % − 20 % = +30.
        let r = nps([10, 9, 9, 10, 9, 8, 7, 8, 3, 6]).unwrap();
        assert_eq!((r.score, r.promoters, r.passives, r.detractors, r.respondents), (30.0, 5, 3, 2, 10));
        assert_eq!(nps([0, 0]).unwrap().score, -100.0);
        assert_eq!(nps([11, -1]), None, "not NPS answers");
    }

    #[test]
    fn csat_is_the_share_of_fours_and_fives() {
        let r = csat([5, 4, 3, 2]).unwrap();
        assert_eq!((r.percent, r.satisfied, r.respondents), (50.0, 2, 4));
        assert_eq!(csat([]), None);
    }
}
