//! What each framework asks of an idea: its inputs, their labels and hints, and the
//! scale each one is entered on. The prioritisation screen builds its controls from
//! these, and shows a stored value in the scale's own words.

use crate::priorities::{Framework, WeightedCriterion};
use crate::ranking::{moscow_label, number};
use crate::scoring::{RICE_CONFIDENCE, RICE_IMPACT, WSJF_SCALE};

/// How an input is entered.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// A free number, at least `min` (`-∞` for none), in steps of `step`.
    Number { min: f64, step: f64 },
    /// One of the framework's scale points, each with its words.
    Choice(Vec<(f64, String)>),
}

/// One input of a framework.
#[derive(Clone, Debug, PartialEq)]
pub struct InputSpec {
    /// The input's key (a criterion id for weighted scoring).
    pub key: String,
    pub label: String,
    /// The scale in a few words, shown beside the control.
    pub hint: &'static str,
    pub entry: Entry,
}

impl InputSpec {
    /// A stored value as people read it: its scale point's words, or the number.
    pub fn show(&self, value: f64) -> String {
        match &self.entry {
            Entry::Choice(options) => options.iter().find(|(o, _)| (o - value).abs() < 1e-9).map_or_else(|| number(value), |(_, words)| words.clone()),
            Entry::Number { .. } => number(value),
        }
    }

    /// What someone typed or chose, as the value to store (`None` clears it), or why
    /// it is not one.
    pub fn read(&self, raw: &str) -> Result<Option<f64>, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let value: f64 = raw.parse().ok().filter(|v: &f64| v.is_finite()).ok_or_else(|| format!("{} is a number", self.label))?;
        match &self.entry {
            Entry::Number { min, .. } if value < *min => Err(format!("{} is {} or more", self.label, number(*min))),
            Entry::Choice(options) if !options.iter().any(|(o, _)| (o - value).abs() < 1e-9) => {
                Err(format!("{} is one of {}", self.label, options.iter().map(|(o, _)| number(*o)).collect::<Vec<_>>().join(", ")))
            }
            _ => Ok(Some(value)),
        }
    }
}

fn scale(values: &[f64], words: impl Fn(f64) -> String) -> Entry {
    Entry::Choice(values.iter().map(|&v| (v, words(v))).collect())
}

fn range(lo: u8, hi: u8) -> Entry {
    Entry::Choice((lo..=hi).map(|v| (f64::from(v), v.to_string())).collect())
}

fn spec(key: &str, label: &str, hint: &'static str, entry: Entry) -> InputSpec {
    InputSpec { key: key.into(), label: label.into(), hint, entry }
}

/// The inputs `framework` asks of each idea, in the order they are shown (weighted
/// scoring's come from the workspace's criteria; Kano's are survey answers, not inputs).
pub fn input_specs(framework: Framework, criteria: &[WeightedCriterion]) -> Vec<InputSpec> {
    match framework {
        Framework::Rice => vec![
            spec("reach", "Reach", "People or events per period", Entry::Number { min: 0.0, step: 1.0 }),
            spec(
                "impact",
                "Impact",
                "3 massive · 2 high · 1 medium · 0.5 low · 0.25 minimal",
                scale(&RICE_IMPACT, |v| {
                    let word = match v {
                        3.0 => "massive",
                        2.0 => "high",
                        1.0 => "medium",
                        0.5 => "low",
                        _ => "minimal",
                    };
                    format!("{} {word}", number(v))
                }),
            ),
            spec("confidence", "Confidence", "100 %, 80 % or 50 %", scale(&RICE_CONFIDENCE, |v| format!("{} %", number(v * 100.0)))),
            spec("effort", "Effort", "Person-months, 0.5 or more", Entry::Number { min: 0.5, step: 0.5 }),
        ],
        Framework::Ice => vec![
            spec("impact", "Impact", "1–10", range(1, 10)),
            spec("confidence", "Confidence", "1–10", range(1, 10)),
            spec("ease", "Ease", "1–10", range(1, 10)),
        ],
        Framework::Wsjf => vec![
            spec("value", "Business value", "1, 2, 3, 5, 8, 13, 20", scale(&WSJF_SCALE, number)),
            spec("time_criticality", "Time criticality", "1, 2, 3, 5, 8, 13, 20", scale(&WSJF_SCALE, number)),
            spec("risk_reduction", "Risk reduction", "Risk reduction or opportunity enablement", scale(&WSJF_SCALE, number)),
            spec("job_size", "Job size", "1, 2, 3, 5, 8, 13, 20", scale(&WSJF_SCALE, number)),
        ],
        Framework::Moscow => vec![
            spec("priority", "Priority", "Must, should, could, won't (this time)", scale(&[0.0, 1.0, 2.0, 3.0], |v| moscow_label(v).to_owned())),
            spec("effort", "Effort", "Estimated effort, e.g. person-weeks", Entry::Number { min: 0.0, step: 0.5 }),
        ],
        Framework::Kano => Vec::new(),
        Framework::ValueEffort => vec![spec("value", "Value", "0–10", range(0, 10)), spec("effort", "Effort", "0–10", range(0, 10))],
        Framework::Opportunity => vec![
            spec("importance", "Importance", "0–10: how much customers care", range(0, 10)),
            spec("satisfaction", "Satisfaction", "0–10: how well it is served today", range(0, 10)),
        ],
        Framework::Weighted => criteria
            .iter()
            .map(|c| InputSpec {
                key: c.id.to_string(),
                label: format!("{} (×{})", if c.name.is_empty() { "Unnamed" } else { &c.name }, number(c.weight)),
                hint: "Score on this criterion",
                entry: Entry::Number { min: f64::NEG_INFINITY, step: 1.0 },
            })
            .collect(),
    }
}

/// The formula line above the ranking (to a reader who can't edit, no instructions).
pub fn explanation(framework: Framework, read_only: bool) -> &'static str {
    match framework {
        Framework::Kano if read_only => "Kano: each respondent's answers to “if it were there” and “if it were not” give a category. Must-be first, then performance, then attractive.",
        Framework::ValueEffort if read_only => "Value vs effort, each 0–10: quick wins first.",
        Framework::Rice => "RICE = Reach × Impact × Confidence ÷ Effort",
        Framework::Ice => "ICE = Impact × Confidence × Ease, each 1–10 (the average is shown beside it)",
        Framework::Wsjf => "WSJF = Cost of Delay ÷ Job Size, where Cost of Delay = business value + time criticality + risk reduction",
        Framework::Moscow => "MoSCoW: must, should, could, won't (this time). Must-haves should stay within 60 % of the estimated effort.",
        Framework::Kano => "Kano: record each respondent's answers to “if it were there” and “if it were not”. Must-be first, then performance, then attractive.",
        Framework::ValueEffort => "Value vs effort, each 0–10: quick wins first. Drag a dot in the matrix to set both.",
        Framework::Opportunity => "Opportunity = Importance + max(Importance − Satisfaction, 0), each 0–10",
        Framework::Weighted => "Weighted score = Σ weight × score over your criteria (negative weights for costs)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_framework_asks_for_exactly_the_inputs_it_scores() {
        for framework in Framework::ALL {
            let keys: Vec<String> = input_specs(framework, &[]).into_iter().map(|s| s.key).collect();
            assert_eq!(keys, framework.inputs(), "{}", framework.label());
        }
    }

    #[test]
    fn a_value_reads_in_its_scales_words() {
        let rice = input_specs(Framework::Rice, &[]);
        assert_eq!(rice[1].show(0.5), "0.5 low");
        assert_eq!(rice[2].show(0.8), "80 %");
        assert_eq!(rice[1].show(7.0), "7", "a value off the scale (a peer's) still shows");
        assert_eq!(input_specs(Framework::Moscow, &[])[0].show(0.0), "Must");
    }

    #[test]
    fn what_is_typed_is_checked_against_the_scale() {
        let rice = input_specs(Framework::Rice, &[]);
        assert_eq!(rice[0].read(" 250 "), Ok(Some(250.0)));
        assert_eq!(rice[0].read(""), Ok(None), "empty clears");
        assert_eq!(rice[3].read("0.25"), Err("Effort is 0.5 or more".into()));
        assert_eq!(rice[1].read("7"), Err("Impact is one of 3, 2, 1, 0.5, 0.25".into()));
        assert_eq!(rice[0].read("lots"), Err("Reach is a number".into()));
        assert_eq!(rice[0].read("inf"), Err("Reach is a number".into()));
        let weighted = input_specs(Framework::Weighted, &[WeightedCriterion { id: crate::Id::random(), name: "Cost".into(), weight: -1.5 }]);
        assert_eq!(weighted[0].label, "Cost (×−1.5)");
        assert_eq!(weighted[0].read("-3"), Ok(Some(-3.0)), "any number for a criterion");
    }
}
