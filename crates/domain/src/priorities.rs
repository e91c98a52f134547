//! Prioritisation data: the workspace's chosen framework, weighted-scoring criteria,
//! and each idea's inputs for every framework, so switching frameworks loses nothing.
//! Scores are computed from these by [`crate::scoring`], never stored.
//!
//! Inputs are flat keys `<framework>.<input>` in the idea's `scores` map, which is
//! created with the idea: two people scoring at once then only set keys in one existing
//! map. (Had each lazily created a nested map, Automerge would keep one of the two
//! conflicting maps and the other person's input would vanish.)

use std::collections::BTreeMap;

use automerge::{transaction::Transactable, ReadDoc, ScalarValue, Value, ROOT};

use crate::fields::{child_map, describe_field, ensure_map, DocFields, FieldSource, Problem, Reader};
use crate::schema::SETTINGS;
use crate::scoring::{self, KanoAnswer, KanoResult, Score};
use crate::workspace::{EditError, Workspace};
use crate::Id;

const SCORES: &str = "scores";
const FRAMEWORK: &str = "framework";
const CRITERIA: &str = "criteria";

/// A way to rank ideas.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Framework {
    #[default]
    Rice,
    Ice,
    Wsjf,
    Moscow,
    Kano,
    ValueEffort,
    Opportunity,
    Weighted,
}

impl Framework {
    pub const ALL: [Framework; 8] = [
        Framework::Rice,
        Framework::Ice,
        Framework::Wsjf,
        Framework::Moscow,
        Framework::Kano,
        Framework::ValueEffort,
        Framework::Opportunity,
        Framework::Weighted,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Framework::Rice => "rice",
            Framework::Ice => "ice",
            Framework::Wsjf => "wsjf",
            Framework::Moscow => "moscow",
            Framework::Kano => "kano",
            Framework::ValueEffort => "value_effort",
            Framework::Opportunity => "opportunity",
            Framework::Weighted => "weighted",
        }
    }

    pub fn parse(s: &str) -> Option<Framework> {
        Framework::ALL.into_iter().find(|f| f.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Framework::Rice => "RICE",
            Framework::Ice => "ICE",
            Framework::Wsjf => "WSJF",
            Framework::Moscow => "MoSCoW",
            Framework::Kano => "Kano",
            Framework::ValueEffort => "Value vs effort",
            Framework::Opportunity => "Opportunity score",
            Framework::Weighted => "Weighted scoring",
        }
    }

    /// The inputs an idea records for this framework (weighted scoring's are the
    /// workspace's criteria ids instead; Kano's are survey answers, see
    /// [`Workspace::add_kano_answer`]). MoSCoW's `priority` is 0 must, 1 should,
    /// 2 could, 3 won't.
    pub fn inputs(self) -> &'static [&'static str] {
        match self {
            Framework::Rice => &["reach", "impact", "confidence", "effort"],
            Framework::Ice => &["impact", "confidence", "ease"],
            Framework::Wsjf => &["value", "time_criticality", "risk_reduction", "job_size"],
            Framework::Moscow => &["priority", "effort"],
            Framework::Kano => &[],
            Framework::ValueEffort => &["value", "effort"],
            Framework::Opportunity => &["importance", "satisfaction"],
            Framework::Weighted => &[],
        }
    }
}

/// A weighted-scoring criterion; a negative weight is a cost.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WeightedCriterion {
    pub id: Id,
    pub name: String,
    pub weight: f64,
}

/// An idea's inputs: framework key → input → value.
pub type ScoreInputs = BTreeMap<String, BTreeMap<String, f64>>;

/// Groups the flat `<framework>.<input>` entries of an idea's `scores` map.
pub fn inputs_from_entries(entries: impl IntoIterator<Item = (String, f64)>) -> ScoreInputs {
    let mut out = ScoreInputs::new();
    for (key, value) in entries {
        if let Some((framework, input)) = key.split_once('.') {
            out.entry(framework.to_owned()).or_default().insert(input.to_owned(), value);
        }
    }
    out
}

/// The Kano survey answers recorded for an idea: each answer pair with its ids (one
/// per respondent), in table order.
pub fn kano_answers(inputs: &ScoreInputs) -> BTreeMap<(KanoAnswer, KanoAnswer), Vec<String>> {
    let mut out: BTreeMap<(KanoAnswer, KanoAnswer), Vec<String>> = BTreeMap::new();
    for key in inputs.get(Framework::Kano.key()).into_iter().flat_map(|m| m.keys()) {
        let mut parts = key.splitn(3, '.');
        if let (Some(f), Some(d), Some(id)) = (parts.next().and_then(KanoAnswer::parse), parts.next().and_then(KanoAnswer::parse), parts.next()) {
            out.entry((f, d)).or_default().push(id.to_owned());
        }
    }
    out
}

/// The Kano result from an idea's recorded answers.
pub fn kano_result(inputs: &ScoreInputs) -> KanoResult {
    let pairs: Vec<(KanoAnswer, KanoAnswer)> =
        kano_answers(inputs).into_iter().flat_map(|(pair, ids)| std::iter::repeat_n(pair, ids.len())).collect();
    scoring::kano(&pairs)
}

/// An idea's score under `framework` from its recorded inputs.
pub fn score(framework: Framework, inputs: &ScoreInputs, criteria: &[WeightedCriterion]) -> Score {
    let empty = BTreeMap::new();
    let mine = inputs.get(framework.key()).unwrap_or(&empty);
    let get = |k: &str| mine.get(k).copied();
    match framework {
        Framework::Rice => scoring::rice(get("reach"), get("impact"), get("confidence"), get("effort")),
        Framework::Ice => scoring::ice(get("impact"), get("confidence"), get("ease")),
        Framework::Wsjf => scoring::wsjf(get("value"), get("time_criticality"), get("risk_reduction"), get("job_size")),
        Framework::Opportunity => scoring::opportunity(get("importance"), get("satisfaction")),
        // MoSCoW and value/effort classify rather than score: rank must first, and by
        // value per effort respectively.
        // Kano classifies too: must-be first, then performance, then attractive (ties
        // between categories rank by the more urgent one).
        Framework::Kano => {
            let result = kano_result(inputs);
            match result.categories.iter().map(|c| c.priority()).reduce(f64::max) {
                Some(p) => Score::Value(p),
                None => Score::Unscored { missing: vec!["survey answers".into()] },
            }
        }
        Framework::Moscow => match get("priority") {
            Some(p) if (0.0..=3.0).contains(&p) && p.fract() == 0.0 => Score::Value(3.0 - p),
            Some(_) => Score::Invalid("priority is must, should, could or won't".into()),
            None => Score::Unscored { missing: vec!["priority".into()] },
        },
        Framework::ValueEffort => match (get("value"), get("effort")) {
            (Some(v), Some(e)) if (0.0..=10.0).contains(&v) && (0.0..=10.0).contains(&e) => Score::Value(v - e),
            (Some(_), Some(_)) => Score::Invalid("value and effort are 0–10".into()),
            (v, e) => Score::Unscored {
                missing: [("value", v), ("effort", e)].into_iter().filter(|(_, x)| x.is_none()).map(|(n, _)| n.to_owned()).collect(),
            },
        },
        Framework::Weighted => {
            let rows: Vec<(&str, f64, Option<f64>)> = criteria.iter().map(|c| (c.name.as_str(), c.weight, get(c.id.as_str()))).collect();
            scoring::weighted(&rows)
        }
    }
}

impl Workspace {
    /// The framework this workspace ranks ideas by.
    pub fn framework(&self) -> Framework {
        let Some(settings) = child_map(&self.doc, &ROOT, SETTINGS) else { return Framework::default() };
        match self.doc.get(&settings, FRAMEWORK) {
            Ok(Some((Value::Scalar(s), _))) => s.as_str().and_then(Framework::parse).unwrap_or_default(),
            _ => Framework::default(),
        }
    }

    /// What in the settings is not in the expected shape (each read falls back to its
    /// default: RICE, no criterion, a weight of 0), like every other reader reports.
    pub fn settings_problems(&self) -> Vec<Problem> {
        let mut problems: Vec<Problem> = self.repairs_of(SETTINGS).collect();
        let Some(settings) = child_map(&self.doc, &ROOT, SETTINGS) else {
            let found = DocFields { doc: &self.doc, obj: ROOT }.field(SETTINGS);
            if !matches!(found, crate::fields::Field::Missing) {
                problems.push(Problem { path: SETTINGS.into(), message: format!("expected a map, found {}; ranked by RICE", describe_field(&found)) });
            }
            return problems;
        };
        let source = DocFields { doc: &self.doc, obj: settings.clone() };
        let mut r = Reader { source: &source, path: SETTINGS.into(), problems: &mut problems };
        let framework = r.str(FRAMEWORK);
        if !framework.is_empty() && Framework::parse(&framework).is_none() {
            let shown: String = framework.chars().take(40).collect();
            r.problem(FRAMEWORK, format!("unknown framework {shown:?}; ranked by RICE"));
        }
        let _ = r.set(CRITERIA);
        if let Some(map) = child_map(&self.doc, &settings, CRITERIA) {
            for key in self.doc.keys(&map) {
                let path = format!("{SETTINGS}/{CRITERIA}/{}", key.chars().take(40).collect::<String>());
                let Some(obj) = child_map(&self.doc, &map, &key) else {
                    problems.push(Problem { path, message: "expected a map; skipped".into() });
                    continue;
                };
                let source = DocFields { doc: &self.doc, obj };
                let mut r = Reader { source: &source, path, problems: &mut problems };
                let _ = r.str("name");
                let _ = r.number("weight");
            }
        }
        problems
    }

    pub fn set_framework(&mut self, framework: Framework) -> Result<(), EditError> {
        let settings = ensure_map(&mut self.doc, &ROOT, SETTINGS)?;
        self.doc.put(&settings, FRAMEWORK, framework.key())?;
        Ok(())
    }

    /// The weighted-scoring criteria, in name order.
    pub fn weighted_criteria(&self) -> Vec<WeightedCriterion> {
        let Some(map) = child_map(&self.doc, &ROOT, SETTINGS).and_then(|s| child_map(&self.doc, &s, CRITERIA)) else { return Vec::new() };
        let mut out: Vec<WeightedCriterion> = self
            .ids_in(&map)
            .into_iter()
            .filter_map(|id| {
                let obj = child_map(&self.doc, &map, id.as_str())?;
                let name = match self.doc.get(&obj, "name") {
                    Ok(Some((Value::Scalar(s), _))) => s.as_str().unwrap_or_default().to_owned(),
                    _ => String::new(),
                };
                let weight = match self.doc.get(&obj, "weight") {
                    Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                        ScalarValue::F64(f) if f.is_finite() => *f,
                        ScalarValue::Int(i) => *i as f64,
                        _ => 0.0,
                    },
                    _ => 0.0,
                };
                Some(WeightedCriterion { id, name, weight })
            })
            .collect();
        crate::sort::sort_by(&mut out, |a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        out
    }

    /// Adds (or, with `id`, updates) a weighted-scoring criterion.
    pub fn put_weighted_criterion(&mut self, id: Option<&Id>, name: &str, weight: f64) -> Result<Id, EditError> {
        if !weight.is_finite() {
            return Err(EditError::Invalid("a weight is a number".into()));
        }
        let settings = ensure_map(&mut self.doc, &ROOT, SETTINGS)?;
        let map = ensure_map(&mut self.doc, &settings, CRITERIA)?;
        let id = id.cloned().unwrap_or_else(|| self.new_id());
        let obj = ensure_map(&mut self.doc, &map, id.as_str())?;
        self.doc.put(&obj, "name", name.trim())?;
        self.doc.put(&obj, "weight", weight)?;
        Ok(id)
    }

    /// An idea's recorded inputs for every framework (also in [`crate::Idea::scores`]).
    pub fn score_inputs(&self, idea: &Id) -> ScoreInputs {
        self.idea(idea).map(|(i, _)| i.scores).unwrap_or_default()
    }

    /// Records one respondent's Kano answer pair for an idea. Each answer is a key of
    /// its own, so answers two people record at once all count.
    pub fn add_kano_answer(&mut self, idea: &Id, functional: KanoAnswer, dysfunctional: KanoAnswer, now_ms: i64) -> Result<(), EditError> {
        let obj = child_map(&self.doc, &self.ideas, idea.as_str()).ok_or_else(|| EditError::NotFound(idea.clone()))?;
        let scores = ensure_map(&mut self.doc, &obj, SCORES)?;
        let key = format!("{}.{}.{}.{}", Framework::Kano.key(), functional.key(), dysfunctional.key(), Id::random());
        self.doc.put(&scores, key.as_str(), 1.0)?;
        self.touch(&obj, now_ms)
    }

    /// Removes one recorded answer with this pair (the correction for a mistyped one).
    pub fn remove_kano_answer(&mut self, idea: &Id, functional: KanoAnswer, dysfunctional: KanoAnswer, now_ms: i64) -> Result<(), EditError> {
        let obj = child_map(&self.doc, &self.ideas, idea.as_str()).ok_or_else(|| EditError::NotFound(idea.clone()))?;
        let ids = kano_answers(&self.score_inputs(idea)).remove(&(functional, dysfunctional)).unwrap_or_default();
        let Some(last) = ids.last() else { return Err(EditError::Invalid("no such answer recorded".into())) };
        let scores = ensure_map(&mut self.doc, &obj, SCORES)?;
        let key = format!("{}.{}.{}.{last}", Framework::Kano.key(), functional.key(), dysfunctional.key());
        self.doc.delete(&scores, key.as_str())?;
        self.touch(&obj, now_ms)
    }

    /// Removes a weighted-scoring criterion (ideas keep their inputs for it, unused).
    pub fn remove_weighted_criterion(&mut self, id: &Id) -> Result<(), EditError> {
        let Some(map) = child_map(&self.doc, &ROOT, SETTINGS).and_then(|s| child_map(&self.doc, &s, CRITERIA)) else {
            return Err(EditError::NotFound(id.clone()));
        };
        if self.doc.get(&map, id.as_str())?.is_none() {
            return Err(EditError::NotFound(id.clone()));
        }
        self.doc.delete(&map, id.as_str())?;
        Ok(())
    }

    /// Records (or clears) one input of an idea for a framework.
    pub fn set_score_input(&mut self, idea: &Id, framework: Framework, input: &str, value: Option<f64>, now_ms: i64) -> Result<(), EditError> {
        let known = match framework {
            Framework::Weighted => self.weighted_criteria().iter().any(|c| c.id.as_str() == input),
            Framework::Kano => false,
            f => f.inputs().contains(&input),
        };
        if !known {
            return Err(EditError::Invalid(format!("{} has no input {input:?}", framework.label())));
        }
        let obj = child_map(&self.doc, &self.ideas, idea.as_str()).ok_or_else(|| EditError::NotFound(idea.clone()))?;
        // Created with the idea; only a document from an older writer lacks it.
        let scores = ensure_map(&mut self.doc, &obj, SCORES)?;
        let key = format!("{}.{input}", framework.key());
        match value {
            Some(v) if !v.is_finite() => return Err(EditError::Invalid("an input is a number".into())),
            Some(v) => self.doc.put(&scores, key.as_str(), v)?,
            None => {
                if self.doc.get(&scores, key.as_str())?.is_some() {
                    self.doc.delete(&scores, key.as_str())?;
                }
            }
        }
        self.touch(&obj, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switching_frameworks_keeps_every_input() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let idea = ws.create_idea("Reminders", 1, "Ana").unwrap();
        for (k, v) in [("reach", 500.0), ("impact", 2.0), ("confidence", 0.8), ("effort", 2.0)] {
            ws.set_score_input(&idea, Framework::Rice, k, Some(v), 2).unwrap();
        }
        ws.set_framework(Framework::Ice).unwrap();
        for (k, v) in [("impact", 8.0), ("confidence", 5.0), ("ease", 3.0)] {
            ws.set_score_input(&idea, Framework::Ice, k, Some(v), 3).unwrap();
        }
        let reloaded = Workspace::load(&ws.save()).unwrap();
        assert_eq!(reloaded.framework(), Framework::Ice);
        let inputs = reloaded.score_inputs(&idea);
        assert_eq!(score(Framework::Rice, &inputs, &[]), Score::Value(400.0));
        assert_eq!(score(Framework::Ice, &inputs, &[]), Score::Value(120.0));
        assert_eq!(score(Framework::Wsjf, &inputs, &[]).value(), None, "unscored, not zero");
    }

    #[test]
    fn weighted_scoring_uses_the_workspace_criteria() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let idea = ws.create_idea("Reminders", 1, "Ana").unwrap();
        let value = ws.put_weighted_criterion(None, "Customer value", 2.0).unwrap();
        let effort = ws.put_weighted_criterion(None, "Effort", -1.0).unwrap();
        ws.set_score_input(&idea, Framework::Weighted, value.as_str(), Some(8.0), 2).unwrap();
        let criteria = ws.weighted_criteria();
        assert_eq!(score(Framework::Weighted, &ws.score_inputs(&idea), &criteria), Score::Unscored { missing: vec!["Effort".into()] });
        ws.set_score_input(&idea, Framework::Weighted, effort.as_str(), Some(5.0), 3).unwrap();
        assert_eq!(score(Framework::Weighted, &ws.score_inputs(&idea), &criteria), Score::Value(11.0));
    }

    #[test]
    fn unknown_inputs_are_refused() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let idea = ws.create_idea("Reminders", 1, "Ana").unwrap();
        assert!(matches!(ws.set_score_input(&idea, Framework::Rice, "vibes", Some(1.0), 2), Err(EditError::Invalid(_))));
        assert!(matches!(ws.set_score_input(&idea, Framework::Weighted, "nope", Some(1.0), 2), Err(EditError::Invalid(_))));
    }

    #[test]
    fn kano_answers_give_the_category_and_coefficients_and_rank_must_be_first() {
        use KanoAnswer::*;
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let export = ws.create_idea("Export", 1, "Ana").unwrap();
        let confetti = ws.create_idea("Confetti", 1, "Ana").unwrap();
        // Export: like if present, dislike if absent (O) once; expect/dislike (M) twice.
        ws.add_kano_answer(&export, Like, Dislike, 2).unwrap();
        ws.add_kano_answer(&export, Expect, Dislike, 2).unwrap();
        ws.add_kano_answer(&export, Expect, Dislike, 2).unwrap();
        ws.add_kano_answer(&confetti, Like, Neutral, 2).unwrap();
        let reloaded = Workspace::load(&ws.save()).unwrap();
        let inputs = reloaded.score_inputs(&export);
        let result = kano_result(&inputs);
        assert_eq!(result.counts, [0, 1, 2, 0, 0, 0]);
        assert_eq!(result.categories, vec![scoring::KanoCategory::MustBe]);
        assert_eq!(result.satisfaction, Some(1.0 / 3.0));
        assert_eq!(result.dissatisfaction, Some(-1.0));
        assert_eq!(score(Framework::Kano, &inputs, &[]), Score::Value(4.0));
        assert_eq!(score(Framework::Kano, &reloaded.score_inputs(&confetti), &[]), Score::Value(2.0), "attractive ranks below must-be");
        let none = kano_result(&reloaded.score_inputs(&confetti)).dissatisfaction.unwrap();
        assert_eq!(format!("{none:.2}"), "0.00", "no dissatisfaction is 0, not −0");
        let fresh = ws.create_idea("Nothing asked", 1, "Ana").unwrap();
        assert!(matches!(score(Framework::Kano, &ws.score_inputs(&fresh), &[]), Score::Unscored { .. }));

        ws.remove_kano_answer(&export, Expect, Dislike, 3).unwrap();
        assert_eq!(kano_result(&ws.score_inputs(&export)).counts, [0, 1, 1, 0, 0, 0]);
        assert!(ws.remove_kano_answer(&export, Neutral, Neutral, 3).is_err());
        assert!(ws.set_score_input(&export, Framework::Kano, "like", Some(1.0), 3).is_err(), "answers go through add_kano_answer");
    }

    #[test]
    fn two_people_recording_the_same_kano_answer_both_count() {
        let mut a = Workspace::create("Payments", 1, "Ana");
        let idea = a.create_idea("Export", 1, "Ana").unwrap();
        let mut b = a.fork();
        a.add_kano_answer(&idea, KanoAnswer::Like, KanoAnswer::Dislike, 2).unwrap();
        b.add_kano_answer(&idea, KanoAnswer::Like, KanoAnswer::Dislike, 2).unwrap();
        a.merge(&mut b).unwrap();
        assert_eq!(kano_result(&a.score_inputs(&idea)).counts[1], 2);
    }

    #[test]
    fn a_removed_criterion_no_longer_counts() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let value = ws.put_weighted_criterion(None, "Value", 2.0).unwrap();
        ws.put_weighted_criterion(None, "Effort", -1.0).unwrap();
        ws.remove_weighted_criterion(&value).unwrap();
        assert_eq!(ws.weighted_criteria().len(), 1);
        assert!(ws.remove_weighted_criterion(&value).is_err());
    }

    #[test]
    fn two_people_scoring_different_inputs_keep_both() {
        let mut a = Workspace::create("Payments", 1, "Ana");
        let idea = a.create_idea("Reminders", 1, "Ana").unwrap();
        let mut b = a.fork();
        a.set_score_input(&idea, Framework::Rice, "reach", Some(500.0), 2).unwrap();
        b.set_score_input(&idea, Framework::Rice, "effort", Some(2.0), 2).unwrap();
        a.merge(&mut b).unwrap();
        let inputs = a.score_inputs(&idea);
        assert_eq!(inputs["rice"].len(), 2);
    }

    #[test]
    fn settings_a_peer_damaged_are_reported_and_read_as_defaults() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        assert_eq!(ws.settings_problems(), vec![]);
        let c = ws.put_weighted_criterion(None, "Value", 2.0).unwrap();
        let settings = child_map(&ws.doc, &ROOT, SETTINGS).unwrap();
        ws.doc.put(&settings, FRAMEWORK, "astrology").unwrap();
        let criteria = child_map(&ws.doc, &settings, CRITERIA).unwrap();
        let obj = child_map(&ws.doc, &criteria, c.as_str()).unwrap();
        ws.doc.put(&obj, "weight", "heavy").unwrap();
        ws.doc.put(&criteria, "junk", 7).unwrap();
        let problems: Vec<String> = ws.settings_problems().iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            vec![
                "settings/framework: unknown framework \"astrology\"; ranked by RICE".to_owned(),
                format!("settings/criteria/{c}/weight: expected a number, found a string"),
                "settings/criteria/junk: expected a map; skipped".to_owned(),
            ]
        );
        assert_eq!(ws.framework(), Framework::Rice);
        assert_eq!(ws.weighted_criteria()[0].weight, 0.0);
        ws.doc.put(ROOT, SETTINGS, "gone").unwrap();
        assert_eq!(ws.settings_problems()[0].to_string(), "settings: expected a map, found a string; ranked by RICE");
    }
}
