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

use crate::fields::{child_map, ensure_map};
use crate::schema::SETTINGS;
use crate::scoring::{self, Score};
use crate::workspace::{EditError, Workspace};
use crate::Id;

const SCORES: &str = "scores";
const FRAMEWORK: &str = "framework";
const CRITERIA: &str = "criteria";

/// A way to rank ideas.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Framework {
    #[default]
    Rice,
    Ice,
    Wsjf,
    Moscow,
    ValueEffort,
    Opportunity,
    Weighted,
}

impl Framework {
    pub const ALL: [Framework; 7] = [
        Framework::Rice,
        Framework::Ice,
        Framework::Wsjf,
        Framework::Moscow,
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
            Framework::ValueEffort => "Value vs effort",
            Framework::Opportunity => "Opportunity score",
            Framework::Weighted => "Weighted scoring",
        }
    }

    /// The inputs an idea records for this framework (weighted scoring's are the
    /// workspace's criteria ids instead). MoSCoW's `priority` is 0 must, 1 should,
    /// 2 could, 3 won't.
    pub fn inputs(self) -> &'static [&'static str] {
        match self {
            Framework::Rice => &["reach", "impact", "confidence", "effort"],
            Framework::Ice => &["impact", "confidence", "ease"],
            Framework::Wsjf => &["value", "time_criticality", "risk_reduction", "job_size"],
            Framework::Moscow => &["priority", "effort"],
            Framework::ValueEffort => &["value", "effort"],
            Framework::Opportunity => &["importance", "satisfaction"],
            Framework::Weighted => &[],
        }
    }
}

/// A weighted-scoring criterion; a negative weight is a cost.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightedCriterion {
    pub id: Id,
    pub name: String,
    pub weight: f64,
}

/// An idea's inputs: framework key → input → value.
pub type ScoreInputs = BTreeMap<String, BTreeMap<String, f64>>;

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
        out.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        out
    }

    /// Adds (or, with `id`, updates) a weighted-scoring criterion.
    pub fn put_weighted_criterion(&mut self, id: Option<&Id>, name: &str, weight: f64) -> Result<Id, EditError> {
        if !weight.is_finite() {
            return Err(EditError::Invalid("a weight is a number".into()));
        }
        let settings = ensure_map(&mut self.doc, &ROOT, SETTINGS)?;
        let map = ensure_map(&mut self.doc, &settings, CRITERIA)?;
        let id = id.cloned().unwrap_or_else(Id::random);
        let obj = ensure_map(&mut self.doc, &map, id.as_str())?;
        self.doc.put(&obj, "name", name.trim())?;
        self.doc.put(&obj, "weight", weight)?;
        Ok(id)
    }

    /// An idea's recorded inputs for every framework.
    pub fn score_inputs(&self, idea: &Id) -> ScoreInputs {
        let mut out = ScoreInputs::new();
        let Some(scores) = child_map(&self.doc, &self.ideas, idea.as_str()).and_then(|o| child_map(&self.doc, &o, SCORES)) else { return out };
        for key in self.doc.keys(&scores).collect::<Vec<_>>() {
            let Some((framework, input)) = key.split_once('.') else { continue };
            let value = match self.doc.get(&scores, key.as_str()) {
                Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                    ScalarValue::F64(f) if f.is_finite() => *f,
                    ScalarValue::Int(i) => *i as f64,
                    _ => continue,
                },
                _ => continue,
            };
            out.entry(framework.to_owned()).or_default().insert(input.to_owned(), value);
        }
        out
    }

    /// Records (or clears) one input of an idea for a framework.
    pub fn set_score_input(&mut self, idea: &Id, framework: Framework, input: &str, value: Option<f64>, now_ms: i64) -> Result<(), EditError> {
        let known = match framework {
            Framework::Weighted => self.weighted_criteria().iter().any(|c| c.id.as_str() == input),
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
}
