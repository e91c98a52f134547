//! Prioritisation formulas, exactly as DOMAIN.md states them. Each takes its inputs
//! as entered (any may be missing) and returns a [`Score`]: unscored is never zero.

/// The result of scoring one idea under one framework.
#[derive(Clone, Debug, PartialEq)]
pub enum Score {
    /// A value, computed from complete, valid inputs.
    Value(f64),
    /// Some input is missing: the idea is not ranked, and not shown as 0.
    Unscored { missing: Vec<String> },
    /// An input is outside the framework's scale.
    Invalid(String),
}

impl Score {
    pub fn value(&self) -> Option<f64> {
        match self {
            Score::Value(v) => Some(*v),
            _ => None,
        }
    }
}

/// Collects the names of missing inputs; `Some(values)` only when none is missing.
fn require<const N: usize>(inputs: [(&'static str, Option<f64>); N]) -> Result<[f64; N], Score> {
    let missing: Vec<String> = inputs.iter().filter(|(_, v)| v.is_none()).map(|(n, _)| (*n).to_owned()).collect();
    if !missing.is_empty() {
        return Err(Score::Unscored { missing });
    }
    Ok(inputs.map(|(_, v)| v.unwrap_or_default()))
}

fn on_scale(name: &str, v: f64, scale: &[f64]) -> Result<(), Score> {
    if scale.iter().any(|s| (s - v).abs() < 1e-9) {
        Ok(())
    } else {
        let allowed: Vec<String> = scale.iter().map(|s| s.to_string()).collect();
        Err(Score::Invalid(format!("{name} must be one of {}", allowed.join(", "))))
    }
}

fn in_range(name: &str, v: f64, lo: f64, hi: f64) -> Result<(), Score> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(Score::Invalid(format!("{name} must be between {lo} and {hi}")))
    }
}

/// RICE impact scale: 3 massive, 2 high, 1 medium, 0.5 low, 0.25 minimal.
pub const RICE_IMPACT: [f64; 5] = [3.0, 2.0, 1.0, 0.5, 0.25];
/// RICE confidence scale: 100 %, 80 %, 50 % (as fractions).
pub const RICE_CONFIDENCE: [f64; 3] = [1.0, 0.8, 0.5];
/// WSJF scale for each cost-of-delay part and job size.
pub const WSJF_SCALE: [f64; 7] = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0];

/// RICE = Reach × Impact × Confidence ÷ Effort (effort in person-months, ≥ 0.5).
pub fn rice(reach: Option<f64>, impact: Option<f64>, confidence: Option<f64>, effort: Option<f64>) -> Score {
    let [r, i, c, e] = match require([("reach", reach), ("impact", impact), ("confidence", confidence), ("effort", effort)]) {
        Ok(v) => v,
        Err(s) => return s,
    };
    let checks = (|| {
        if r < 0.0 {
            return Err(Score::Invalid("reach cannot be negative".into()));
        }
        on_scale("impact", i, &RICE_IMPACT)?;
        on_scale("confidence", c, &RICE_CONFIDENCE)?;
        if e < 0.5 {
            return Err(Score::Invalid("effort must be at least 0.5 person-months".into()));
        }
        Ok(())
    })();
    match checks {
        Ok(()) => Score::Value(r * i * c / e),
        Err(s) => s,
    }
}

/// ICE = Impact × Confidence × Ease, each 1–10.
pub fn ice(impact: Option<f64>, confidence: Option<f64>, ease: Option<f64>) -> Score {
    let [i, c, e] = match require([("impact", impact), ("confidence", confidence), ("ease", ease)]) {
        Ok(v) => v,
        Err(s) => return s,
    };
    for (name, v) in [("impact", i), ("confidence", c), ("ease", e)] {
        if let Err(s) = in_range(name, v, 1.0, 10.0) {
            return s;
        }
    }
    Score::Value(i * c * e)
}

/// The ICE average view, (Impact + Confidence + Ease) ÷ 3, shown labelled as such.
pub fn ice_average(impact: Option<f64>, confidence: Option<f64>, ease: Option<f64>) -> Score {
    match ice(impact, confidence, ease) {
        Score::Value(_) => Score::Value((impact.unwrap_or(0.0) + confidence.unwrap_or(0.0) + ease.unwrap_or(0.0)) / 3.0),
        other => other,
    }
}

/// WSJF = Cost of Delay ÷ Job Size, Cost of Delay = user-business value + time
/// criticality + risk reduction/opportunity enablement; each on 1, 2, 3, 5, 8, 13, 20.
pub fn wsjf(value: Option<f64>, time_criticality: Option<f64>, risk_reduction: Option<f64>, job_size: Option<f64>) -> Score {
    let inputs = [("user-business value", value), ("time criticality", time_criticality), ("risk reduction", risk_reduction), ("job size", job_size)];
    let [v, t, r, s] = match require(inputs) {
        Ok(v) => v,
        Err(s) => return s,
    };
    for (name, x) in [("user-business value", v), ("time criticality", t), ("risk reduction", r), ("job size", s)] {
        if let Err(e) = on_scale(name, x, &WSJF_SCALE) {
            return e;
        }
    }
    Score::Value((v + t + r) / s)
}

/// Opportunity score = importance + max(importance − satisfaction, 0), each 0–10.
pub fn opportunity(importance: Option<f64>, satisfaction: Option<f64>) -> Score {
    let [i, s] = match require([("importance", importance), ("satisfaction", satisfaction)]) {
        Ok(v) => v,
        Err(s) => return s,
    };
    for (name, x) in [("importance", i), ("satisfaction", s)] {
        if let Err(e) = in_range(name, x, 0.0, 10.0) {
            return e;
        }
    }
    Score::Value(i + (i - s).max(0.0))
}

/// Weighted scoring: Σ weightᵢ × scoreᵢ over the workspace's criteria (negative
/// weights for costs such as effort). Every criterion needs a score.
pub fn weighted(criteria: &[(&str, f64, Option<f64>)]) -> Score {
    let missing: Vec<String> = criteria.iter().filter(|(_, _, s)| s.is_none()).map(|(n, _, _)| (*n).to_owned()).collect();
    if criteria.is_empty() {
        return Score::Unscored { missing: vec!["criteria".to_owned()] };
    }
    if !missing.is_empty() {
        return Score::Unscored { missing };
    }
    Score::Value(criteria.iter().map(|(_, w, s)| w * s.unwrap_or(0.0)).sum::<f64>() + 0.0)
}

/// MoSCoW priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Moscow {
    Must,
    Should,
    Could,
    WontThisTime,
}

/// Share of a release's estimated effort that is "must", and whether it exceeds the
/// 60 % DOMAIN.md warns at. `None` when nothing has an estimate.
pub fn moscow_must_share(items: &[(Moscow, f64)]) -> Option<(f64, bool)> {
    let total: f64 = items.iter().map(|(_, e)| e.max(0.0)).sum();
    if total <= 0.0 {
        return None;
    }
    // An empty float sum is −0; `+ 0.0` makes "no must-haves" 0 %, not "−0 %".
    let must: f64 = items.iter().filter(|(m, _)| *m == Moscow::Must).map(|(_, e)| e.max(0.0)).sum::<f64>() + 0.0;
    let share = must / total;
    Some((share, share > 0.6))
}

/// Value-vs-effort quadrants (value and effort on 0–10; 5 and above is high).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quadrant {
    QuickWin,
    BigBet,
    FillIn,
    MoneyPit,
}

pub fn quadrant(value: f64, effort: f64) -> Quadrant {
    match (value >= 5.0, effort >= 5.0) {
        (true, false) => Quadrant::QuickWin,
        (true, true) => Quadrant::BigBet,
        (false, false) => Quadrant::FillIn,
        (false, true) => Quadrant::MoneyPit,
    }
}

/// A Kano answer to the functional ("if present") or dysfunctional ("if absent") question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum KanoAnswer {
    Like,
    Expect,
    Neutral,
    LiveWith,
    Dislike,
}

impl KanoAnswer {
    pub const ALL: [KanoAnswer; 5] = [KanoAnswer::Like, KanoAnswer::Expect, KanoAnswer::Neutral, KanoAnswer::LiveWith, KanoAnswer::Dislike];

    pub fn key(self) -> &'static str {
        match self {
            KanoAnswer::Like => "like",
            KanoAnswer::Expect => "expect",
            KanoAnswer::Neutral => "neutral",
            KanoAnswer::LiveWith => "live_with",
            KanoAnswer::Dislike => "dislike",
        }
    }

    pub fn parse(s: &str) -> Option<KanoAnswer> {
        KanoAnswer::ALL.into_iter().find(|a| a.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            KanoAnswer::Like => "I like it",
            KanoAnswer::Expect => "I expect it",
            KanoAnswer::Neutral => "I am neutral",
            KanoAnswer::LiveWith => "I can live with it",
            KanoAnswer::Dislike => "I dislike it",
        }
    }
}

/// A Kano category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KanoCategory {
    /// A: attractive.
    Attractive,
    /// O: one-dimensional (performance).
    OneDimensional,
    /// M: must-be.
    MustBe,
    /// I: indifferent.
    Indifferent,
    /// R: reverse.
    Reverse,
    /// Q: questionable.
    Questionable,
}

impl KanoCategory {
    pub const ALL: [KanoCategory; 6] = [
        KanoCategory::Attractive,
        KanoCategory::OneDimensional,
        KanoCategory::MustBe,
        KanoCategory::Indifferent,
        KanoCategory::Reverse,
        KanoCategory::Questionable,
    ];

    /// The letter Kano tables use.
    pub fn letter(self) -> &'static str {
        match self {
            KanoCategory::Attractive => "A",
            KanoCategory::OneDimensional => "O",
            KanoCategory::MustBe => "M",
            KanoCategory::Indifferent => "I",
            KanoCategory::Reverse => "R",
            KanoCategory::Questionable => "Q",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            KanoCategory::Attractive => "Attractive",
            KanoCategory::OneDimensional => "Performance",
            KanoCategory::MustBe => "Must-be",
            KanoCategory::Indifferent => "Indifferent",
            KanoCategory::Reverse => "Reverse",
            KanoCategory::Questionable => "Questionable",
        }
    }

    /// Build order Kano suggests: must-be first, then performance, then attractive;
    /// indifferent, reverse and questionable features last.
    pub fn priority(self) -> f64 {
        match self {
            KanoCategory::MustBe => 4.0,
            KanoCategory::OneDimensional => 3.0,
            KanoCategory::Attractive => 2.0,
            KanoCategory::Indifferent => 1.0,
            KanoCategory::Reverse | KanoCategory::Questionable => 0.0,
        }
    }
}

/// The category of one answer pair (rows functional, columns dysfunctional).
pub fn kano_category(functional: KanoAnswer, dysfunctional: KanoAnswer) -> KanoCategory {
    use KanoAnswer::*;
    use KanoCategory::*;
    let col = dysfunctional as usize;
    const TABLE: [[KanoCategory; 5]; 5] = [
        [Questionable, Attractive, Attractive, Attractive, OneDimensional],
        [Reverse, Indifferent, Indifferent, Indifferent, MustBe],
        [Reverse, Indifferent, Indifferent, Indifferent, MustBe],
        [Reverse, Indifferent, Indifferent, Indifferent, MustBe],
        [Reverse, Reverse, Reverse, Reverse, Questionable],
    ];
    let row = match functional {
        Like => 0,
        Expect => 1,
        Neutral => 2,
        LiveWith => 3,
        Dislike => 4,
    };
    TABLE[row][col]
}

/// A feature's Kano result over all respondents.
#[derive(Clone, Debug, PartialEq)]
pub struct KanoResult {
    /// Count per category, in [`KanoCategory`] order (A, O, M, I, R, Q).
    pub counts: [usize; 6],
    /// The most frequent category; ties are all listed.
    pub categories: Vec<KanoCategory>,
    /// (A+O)/(A+O+M+I).
    pub satisfaction: Option<f64>,
    /// −(O+M)/(A+O+M+I).
    pub dissatisfaction: Option<f64>,
}

/// Categorises every answer pair and computes the coefficients.
pub fn kano(answers: &[(KanoAnswer, KanoAnswer)]) -> KanoResult {
    let mut counts = [0usize; 6];
    for &(f, d) in answers {
        counts[kano_category(f, d) as usize] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(0);
    let all = [
        KanoCategory::Attractive,
        KanoCategory::OneDimensional,
        KanoCategory::MustBe,
        KanoCategory::Indifferent,
        KanoCategory::Reverse,
        KanoCategory::Questionable,
    ];
    let categories = if max == 0 { Vec::new() } else { all.into_iter().filter(|c| counts[*c as usize] == max).collect() };
    let [a, o, m, i, _, _] = counts.map(|c| c as f64);
    let base = a + o + m + i;
    KanoResult {
        counts,
        categories,
        satisfaction: (base > 0.0).then(|| (a + o) / base),
        // `+ 0.0` turns −0 into 0, so "no dissatisfaction" never prints as "−0.00".
        dissatisfaction: (base > 0.0).then(|| -(o + m) / base + 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(s: Score, v: f64) {
        assert!(s.value().is_some_and(|x| (x - v).abs() < 1e-9), "{s:?} is not {v}");
    }

    #[test]
    fn rice_is_reach_impact_confidence_over_effort() {
        // 500 people × high impact (2) × 80 % ÷ 2 person-months = 400.
        close(rice(Some(500.0), Some(2.0), Some(0.8), Some(2.0)), 400.0);
        assert_eq!(rice(Some(500.0), None, Some(0.8), None), Score::Unscored { missing: vec!["impact".into(), "effort".into()] });
        assert!(matches!(rice(Some(1.0), Some(2.0), Some(0.8), Some(0.0)), Score::Invalid(m) if m.contains("0.5")), "zero effort");
        assert!(matches!(rice(Some(1.0), Some(4.0), Some(0.8), Some(1.0)), Score::Invalid(m) if m.contains("impact")));
        assert!(matches!(rice(Some(1.0), Some(1.0), Some(0.7), Some(1.0)), Score::Invalid(m) if m.contains("confidence")));
    }

    #[test]
    fn ice_is_the_product_and_the_average_is_labelled_apart() {
        close(ice(Some(8.0), Some(5.0), Some(3.0)), 120.0);
        close(ice_average(Some(8.0), Some(5.0), Some(3.0)), 16.0 / 3.0);
        assert!(matches!(ice(Some(0.0), Some(5.0), Some(3.0)), Score::Invalid(_)));
        assert!(matches!(ice(None, Some(5.0), Some(3.0)), Score::Unscored { .. }));
    }

    #[test]
    fn wsjf_is_cost_of_delay_over_job_size() {
        // (8 + 5 + 3) ÷ 8 = 2.
        close(wsjf(Some(8.0), Some(5.0), Some(3.0), Some(8.0)), 2.0);
        assert!(matches!(wsjf(Some(4.0), Some(5.0), Some(3.0), Some(8.0)), Score::Invalid(_)), "4 is not on the scale");
    }

    #[test]
    fn opportunity_counts_unmet_importance_twice() {
        close(opportunity(Some(9.0), Some(3.0)), 15.0);
        close(opportunity(Some(4.0), Some(8.0)), 4.0);
    }

    #[test]
    fn weighted_scoring_lets_costs_subtract() {
        close(weighted(&[("value", 2.0, Some(8.0)), ("effort", -1.0, Some(5.0))]), 11.0);
        assert_eq!(weighted(&[("value", 2.0, Some(8.0)), ("effort", -1.0, None)]), Score::Unscored { missing: vec!["effort".into()] });
    }

    #[test]
    fn moscow_warns_above_sixty_percent_must() {
        let items = [(Moscow::Must, 7.0), (Moscow::Should, 2.0), (Moscow::Could, 1.0)];
        assert_eq!(moscow_must_share(&items), Some((0.7, true)));
        assert_eq!(moscow_must_share(&[(Moscow::Must, 6.0), (Moscow::Could, 4.0)]), Some((0.6, false)));
        assert_eq!(moscow_must_share(&[]), None);
        let (none, _) = moscow_must_share(&[(Moscow::Should, 8.0), (Moscow::Could, 2.0)]).unwrap();
        assert_eq!(format!("{:.0} %", none * 100.0), "0 %", "no must-haves is 0 %, never −0 %");
    }

    #[test]
    fn quadrants_follow_value_and_effort() {
        assert_eq!(quadrant(8.0, 2.0), Quadrant::QuickWin);
        assert_eq!(quadrant(8.0, 8.0), Quadrant::BigBet);
        assert_eq!(quadrant(2.0, 2.0), Quadrant::FillIn);
        assert_eq!(quadrant(2.0, 8.0), Quadrant::MoneyPit);
    }

    #[test]
    fn kano_table_matches_the_domain() {
        use KanoAnswer::*;
        use KanoCategory::*;
        assert_eq!(kano_category(Like, Like), Questionable);
        assert_eq!(kano_category(Like, Neutral), Attractive);
        assert_eq!(kano_category(Like, Dislike), OneDimensional);
        assert_eq!(kano_category(Expect, Dislike), MustBe);
        assert_eq!(kano_category(LiveWith, Expect), Indifferent);
        assert_eq!(kano_category(Neutral, Like), Reverse);
        assert_eq!(kano_category(Dislike, Neutral), Reverse);
        assert_eq!(kano_category(Dislike, Dislike), Questionable);
    }

    #[test]
    fn kano_result_and_coefficients() {
        use KanoAnswer::*;
        // 3 attractive, 1 one-dimensional, 1 must-be, 1 indifferent.
        let answers = [(Like, Neutral), (Like, Expect), (Like, LiveWith), (Like, Dislike), (Expect, Dislike), (Neutral, Neutral)];
        let r = kano(&answers);
        assert_eq!(r.counts, [3, 1, 1, 1, 0, 0]);
        assert_eq!(r.categories, vec![KanoCategory::Attractive]);
        assert!((r.satisfaction.unwrap() - 4.0 / 6.0).abs() < 1e-9);
        assert!((r.dissatisfaction.unwrap() + 2.0 / 6.0).abs() < 1e-9);
        assert_eq!(kano(&[]).satisfaction, None);
    }
}
