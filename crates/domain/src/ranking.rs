//! The ranked list: every idea scored under the workspace's framework, in order, with
//! ties sharing a rank and unscored ideas kept apart (never ranked as zero), plus the
//! worked formula shown beside each score.

use std::cmp::Ordering;

use crate::priorities::{kano_result, score, Framework, ScoreInputs, WeightedCriterion};
use crate::scoring::{quadrant, Quadrant, Score};
use crate::{Id, Idea};

/// One row of the ranking.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub id: Id,
    pub score: Score,
    /// 1-based competition rank ("1, 2, 2, 4"); `None` when unscored or invalid.
    pub rank: Option<usize>,
    /// Another idea has the same score.
    pub tied: bool,
}

/// Scores `ideas` and orders them: highest score first (equal scores by title), then
/// ideas with an input off its scale, then unscored ones.
pub fn rank<'a>(ideas: impl IntoIterator<Item = &'a Idea>, framework: Framework, criteria: &[WeightedCriterion]) -> Vec<Ranked> {
    let mut rows: Vec<(Ranked, &'a str)> = ideas
        .into_iter()
        .filter_map(|i| {
            let id = i.id.clone()?;
            Some((Ranked { id, score: score(framework, &i.scores, criteria), rank: None, tied: false }, i.title.as_str()))
        })
        .collect();
    let class = |s: &Score| match s {
        Score::Value(_) => 0,
        Score::Invalid(_) => 1,
        Score::Unscored { .. } => 2,
    };
    rows.sort_by(|(a, ta), (b, tb)| {
        class(&a.score)
            .cmp(&class(&b.score))
            .then_with(|| match (&a.score, &b.score) {
                (Score::Value(x), Score::Value(y)) => y.partial_cmp(x).unwrap_or(Ordering::Equal),
                _ => Ordering::Equal,
            })
            .then_with(|| ta.to_lowercase().cmp(&tb.to_lowercase()))
            .then_with(|| a.id.cmp(&b.id))
    });
    // Scored rows come first, sorted, so equal scores are neighbours: one pass over
    // each run of equal scores gives its shared rank (linear, for thousands of ideas).
    let scored = rows.iter().take_while(|(r, _)| r.score.value().is_some()).count();
    let mut start = 0;
    while start < scored {
        let v = rows[start].0.score.value().unwrap_or_default();
        let end = start + rows[start..scored].iter().take_while(|(r, _)| r.score.value().is_some_and(|x| same(x, v))).count();
        for (row, _) in &mut rows[start..end] {
            row.rank = Some(start + 1);
            row.tied = end - start > 1;
        }
        start = end;
    }
    rows.into_iter().map(|(r, _)| r).collect()
}

/// Scores that print alike are equal (0.1 + 0.2 ties with 0.3).
fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// A number as people write it: at most two decimals, no trailing zeros, a real minus.
pub fn number(v: f64) -> String {
    let s = format!("{:.2}", v.abs());
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let s = if s.is_empty() { "0" } else { s };
    if v < 0.0 && s != "0" {
        format!("−{s}")
    } else {
        s.to_owned()
    }
}

/// MoSCoW's priority input (0–3) in words.
pub fn moscow_label(priority: f64) -> &'static str {
    match priority as i64 {
        0 => "Must",
        1 => "Should",
        2 => "Could",
        _ => "Won't (this time)",
    }
}

pub fn quadrant_label(q: Quadrant) -> &'static str {
    match q {
        Quadrant::QuickWin => "Quick win",
        Quadrant::BigBet => "Big bet",
        Quadrant::FillIn => "Fill-in",
        Quadrant::MoneyPit => "Money pit",
    }
}

/// The score worked out from its inputs, e.g. `500 × 2 × 80 % ÷ 2 = 400`; for an
/// unscored idea, what is missing; for an invalid one, what is wrong.
pub fn formula(framework: Framework, inputs: &ScoreInputs, criteria: &[WeightedCriterion]) -> String {
    let result = score(framework, inputs, criteria);
    let value = match &result {
        Score::Value(v) => *v,
        Score::Unscored { missing } => return format!("Unscored: needs {}", missing.join(", ")),
        Score::Invalid(why) => return format!("Can't score: {why}"),
    };
    let mine = inputs.get(framework.key());
    let get = |k: &str| mine.and_then(|m| m.get(k)).copied().unwrap_or_default();
    let n = number;
    match framework {
        Framework::Rice => format!(
            "{} × {} × {} % ÷ {} = {}",
            n(get("reach")),
            n(get("impact")),
            n(get("confidence") * 100.0),
            n(get("effort")),
            n(value)
        ),
        Framework::Ice => {
            let (i, c, e) = (get("impact"), get("confidence"), get("ease"));
            format!("{} × {} × {} = {} (average {})", n(i), n(c), n(e), n(value), n((i + c + e) / 3.0))
        }
        Framework::Wsjf => format!(
            "({} + {} + {}) ÷ {} = {}",
            n(get("value")),
            n(get("time_criticality")),
            n(get("risk_reduction")),
            n(get("job_size")),
            n(value)
        ),
        Framework::Moscow => {
            let effort = mine.and_then(|m| m.get("effort")).map(|e| format!(", effort {}", n(*e))).unwrap_or_default();
            format!("{}{effort}", moscow_label(get("priority")))
        }
        Framework::Kano => {
            let k = kano_result(inputs);
            let cats: Vec<&str> = k.categories.iter().map(|c| c.label()).collect();
            let answers: usize = k.counts.iter().sum();
            format!(
                "{} from {answers} answer{} · satisfaction {} · dissatisfaction {}",
                cats.join(" / "),
                if answers == 1 { "" } else { "s" },
                k.satisfaction.map(|s| format!("{s:.2}")).unwrap_or_else(|| "–".into()),
                k.dissatisfaction.map(|s| format!("{:.2}", s).replace('-', "−")).unwrap_or_else(|| "–".into()),
            )
        }
        Framework::ValueEffort => {
            let (v, e) = (get("value"), get("effort"));
            format!("{}: value {} − effort {} = {}", quadrant_label(quadrant(v, e)), n(v), n(e), n(value))
        }
        Framework::Opportunity => {
            let (i, s) = (get("importance"), get("satisfaction"));
            format!("{} + max({} − {}, 0) = {}", n(i), n(i), n(s), n(value))
        }
        Framework::Weighted => {
            let terms: Vec<String> = criteria
                .iter()
                .map(|c| {
                    let w = if c.weight < 0.0 { format!("({})", n(c.weight)) } else { n(c.weight) };
                    format!("{w} × {}", n(get(c.id.as_str())))
                })
                .collect();
            format!("{} = {}", terms.join(" + "), n(value))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Workspace;

    fn idea_with(ws: &mut Workspace, title: &str, framework: Framework, inputs: &[(&str, f64)]) -> Id {
        let id = ws.create_idea(title, 1, "Ana").unwrap();
        for (k, v) in inputs {
            ws.set_score_input(&id, framework, k, Some(*v), 2).unwrap();
        }
        id
    }

    #[test]
    fn ranks_by_score_with_ties_sharing_a_rank_and_unscored_last() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let rice = |r: f64, e: f64| vec![("reach", r), ("impact", 2.0), ("confidence", 0.8), ("effort", e)];
        let top = idea_with(&mut ws, "Reminders", Framework::Rice, &rice(500.0, 2.0)); // 400
        let tie_b = idea_with(&mut ws, "B export", Framework::Rice, &rice(250.0, 1.0)); // 400
        let low = idea_with(&mut ws, "Dark mode", Framework::Rice, &rice(100.0, 4.0)); // 40
        let unscored = idea_with(&mut ws, "Audit log", Framework::Rice, &[("reach", 900.0)]);
        let invalid = idea_with(&mut ws, "Zero effort", Framework::Rice, &rice(10.0, 0.0));
        let (ideas, _) = ws.ideas();
        let ranked = rank(&ideas, Framework::Rice, &[]);
        let order: Vec<&Id> = ranked.iter().map(|r| &r.id).collect();
        assert_eq!(order, vec![&tie_b, &top, &low, &invalid, &unscored], "ties by title, invalid then unscored last");
        let ranks: Vec<Option<usize>> = ranked.iter().map(|r| r.rank).collect();
        assert_eq!(ranks, vec![Some(1), Some(1), Some(3), None, None]);
        assert!(ranked[0].tied && ranked[1].tied && !ranked[2].tied);
        assert_eq!(ranked[4].score, Score::Unscored { missing: vec!["impact".into(), "confidence".into(), "effort".into()] });
    }

    #[test]
    fn ranks_thousands_with_runs_of_ties() {
        let ideas: Vec<Idea> = (0..3000)
            .map(|i| {
                let mut scores = crate::priorities::ScoreInputs::new();
                let rice = scores.entry("rice".into()).or_default();
                for (k, v) in [("reach", (i % 7) as f64 * 10.0 + 10.0), ("impact", 1.0), ("confidence", 1.0), ("effort", 1.0)] {
                    rice.insert(k.into(), v);
                }
                Idea { id: Some(Id::random()), title: format!("Idea {i}"), scores, ..Idea::default() }
            })
            .collect();
        let ranked = rank(&ideas, Framework::Rice, &[]);
        // Seven distinct scores, shared by 428 ideas each (the lowest three by 429).
        let firsts: Vec<usize> = ranked.iter().filter_map(|r| r.rank).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        assert_eq!(firsts, vec![1, 429, 857, 1285, 1714, 2143, 2572]);
        assert!(ranked.iter().all(|r| r.tied));
    }

    #[test]
    fn switching_framework_reranks_from_the_other_inputs() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let a = idea_with(&mut ws, "A", Framework::Rice, &[("reach", 1000.0), ("impact", 3.0), ("confidence", 1.0), ("effort", 1.0)]);
        let b = idea_with(&mut ws, "B", Framework::Rice, &[("reach", 10.0), ("impact", 1.0), ("confidence", 0.5), ("effort", 1.0)]);
        for (id, v) in [(&a, 2.0), (&b, 9.0)] {
            ws.set_score_input(id, Framework::ValueEffort, "value", Some(v), 3).unwrap();
            ws.set_score_input(id, Framework::ValueEffort, "effort", Some(1.0), 3).unwrap();
        }
        let (ideas, _) = ws.ideas();
        assert_eq!(rank(&ideas, Framework::Rice, &[])[0].id, a);
        assert_eq!(rank(&ideas, Framework::ValueEffort, &[])[0].id, b);
    }

    #[test]
    fn formulas_show_the_inputs_beside_the_result() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let id = idea_with(&mut ws, "R", Framework::Rice, &[("reach", 500.0), ("impact", 2.0), ("confidence", 0.8), ("effort", 2.0)]);
        for (k, v) in [("value", 8.0), ("time_criticality", 5.0), ("risk_reduction", 3.0), ("job_size", 8.0)] {
            ws.set_score_input(&id, Framework::Wsjf, k, Some(v), 2).unwrap();
        }
        for (k, v) in [("importance", 8.0), ("satisfaction", 3.0)] {
            ws.set_score_input(&id, Framework::Opportunity, k, Some(v), 2).unwrap();
        }
        let cost = ws.put_weighted_criterion(None, "Effort", -1.0).unwrap();
        let value = ws.put_weighted_criterion(None, "Value", 2.0).unwrap();
        ws.set_score_input(&id, Framework::Weighted, value.as_str(), Some(8.0), 2).unwrap();
        ws.set_score_input(&id, Framework::Weighted, cost.as_str(), Some(5.0), 2).unwrap();
        let inputs = ws.score_inputs(&id);
        let criteria = ws.weighted_criteria();
        assert_eq!(formula(Framework::Rice, &inputs, &[]), "500 × 2 × 80 % ÷ 2 = 400");
        assert_eq!(formula(Framework::Wsjf, &inputs, &[]), "(8 + 5 + 3) ÷ 8 = 2");
        assert_eq!(formula(Framework::Opportunity, &inputs, &[]), "8 + max(8 − 3, 0) = 13");
        assert_eq!(formula(Framework::Weighted, &inputs, &criteria), "(−1) × 5 + 2 × 8 = 11");
        assert_eq!(formula(Framework::Ice, &inputs, &[]), "Unscored: needs impact, confidence, ease");
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(number(400.0), "400");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(16.0 / 3.0), "5.33");
        assert_eq!(number(-1.5), "−1.5");
        assert_eq!(number(-0.001), "0");
    }
}
