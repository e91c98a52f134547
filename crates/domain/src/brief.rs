//! The workspace brief: name, vision, strategy, north star, product summary and
//! business case.

use crate::fields::{write_text, DocFields, Problem, Reader};
use crate::workspace::{EditError, Workspace};

/// A long-text field of the brief (Automerge `Text`, merged character by character).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum BriefField {
    Name,
    Vision,
    Strategy,
    NorthStar,
    What,
    Why,
    Timeline,
    Benefits,
    Resources,
}

impl BriefField {
    pub const ALL: [BriefField; 9] = [
        BriefField::Name,
        BriefField::Vision,
        BriefField::Strategy,
        BriefField::NorthStar,
        BriefField::What,
        BriefField::Why,
        BriefField::Timeline,
        BriefField::Benefits,
        BriefField::Resources,
    ];

    /// The key in the document's `brief` map.
    pub fn key(self) -> &'static str {
        match self {
            BriefField::Name => "name",
            BriefField::Vision => "vision",
            BriefField::Strategy => "strategy",
            BriefField::NorthStar => "north_star",
            BriefField::What => "summary_what",
            BriefField::Why => "summary_why",
            BriefField::Timeline => "summary_timeline",
            BriefField::Benefits => "case_benefits",
            BriefField::Resources => "case_resources",
        }
    }

    /// The label people see.
    pub fn label(self) -> &'static str {
        match self {
            BriefField::Name => "Workspace name",
            BriefField::Vision => "Product vision",
            BriefField::Strategy => "Strategy",
            BriefField::NorthStar => "North-star metric",
            BriefField::What => "What we are building",
            BriefField::Why => "Why it matters",
            BriefField::Timeline => "Timeline",
            BriefField::Benefits => "Benefits",
            BriefField::Resources => "Resources",
        }
    }
}

/// A number in the business case; ROI is derived from these, never stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum BriefNumber {
    /// Expected monetary benefit over the case's horizon.
    BenefitValue,
    /// Budget: the expected cost over the same horizon.
    Budget,
}

impl BriefNumber {
    pub fn key(self) -> &'static str {
        match self {
            BriefNumber::BenefitValue => "case_benefit_value",
            BriefNumber::Budget => "case_budget",
        }
    }
}

/// The brief as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Brief {
    pub name: String,
    pub vision: String,
    pub strategy: String,
    pub north_star: String,
    pub what: String,
    pub why: String,
    pub timeline: String,
    pub benefits: String,
    pub resources: String,
    pub benefit_value: Option<f64>,
    pub budget: Option<f64>,
}

impl Brief {
    /// One field's text, to change (as a view shows typing at once).
    pub fn text_mut(&mut self, field: BriefField) -> &mut String {
        match field {
            BriefField::Name => &mut self.name,
            BriefField::Vision => &mut self.vision,
            BriefField::Strategy => &mut self.strategy,
            BriefField::NorthStar => &mut self.north_star,
            BriefField::What => &mut self.what,
            BriefField::Why => &mut self.why,
            BriefField::Timeline => &mut self.timeline,
            BriefField::Benefits => &mut self.benefits,
            BriefField::Resources => &mut self.resources,
        }
    }

    /// The text of one field.
    pub fn text(&self, field: BriefField) -> &str {
        match field {
            BriefField::Name => &self.name,
            BriefField::Vision => &self.vision,
            BriefField::Strategy => &self.strategy,
            BriefField::NorthStar => &self.north_star,
            BriefField::What => &self.what,
            BriefField::Why => &self.why,
            BriefField::Timeline => &self.timeline,
            BriefField::Benefits => &self.benefits,
            BriefField::Resources => &self.resources,
        }
    }

    pub fn number(&self, field: BriefNumber) -> Option<f64> {
        match field {
            BriefNumber::BenefitValue => self.benefit_value,
            BriefNumber::Budget => self.budget,
        }
    }

    /// Expected ROI = (benefits − costs) ÷ costs, with the budget as the costs.
    /// `None` when either input is missing or the budget is not positive.
    pub fn roi(&self) -> Option<f64> {
        roi(self.benefit_value?, self.budget?)
    }
}

/// ROI = (benefits − costs) ÷ costs; `None` unless costs are positive.
pub fn roi(benefits: f64, costs: f64) -> Option<f64> {
    (costs > 0.0).then(|| (benefits - costs) / costs)
}

impl Workspace {
    /// The brief, with any problems found reading it.
    pub fn brief(&self) -> (Brief, Vec<Problem>) {
        let mut problems = Vec::new();
        let source = DocFields { doc: &self.doc, obj: self.brief.clone() };
        let mut r = Reader { source: &source, path: "brief".into(), problems: &mut problems };
        let mut brief = Brief::default();
        for field in BriefField::ALL {
            let value = r.text(field.key());
            *brief_text_mut(&mut brief, field) = value;
        }
        brief.benefit_value = r.number(BriefNumber::BenefitValue.key());
        brief.budget = r.number(BriefNumber::Budget.key());
        problems.extend(self.repairs_of(crate::schema::BRIEF));
        (brief, problems)
    }

    /// The workspace's name (the brief's name field).
    pub fn name(&self) -> String {
        self.brief().0.name
    }

    /// Sets a text field of the brief to `value`.
    pub fn set_brief_text(&mut self, field: BriefField, value: &str) -> Result<(), EditError> {
        let brief = self.brief.clone();
        write_text(&mut self.doc, &brief, field.key(), value)?;
        Ok(())
    }

    /// Sets (or, with `None`, clears) a number of the business case.
    pub fn set_brief_number(&mut self, field: BriefNumber, value: Option<f64>) -> Result<(), EditError> {
        use automerge::transaction::Transactable;
        let brief = self.brief.clone();
        match value.filter(|v| v.is_finite()) {
            Some(v) => self.doc.put(&brief, field.key(), v)?,
            None => self.doc.put(&brief, field.key(), automerge::ScalarValue::Null)?,
        }
        Ok(())
    }
}

fn brief_text_mut(brief: &mut Brief, field: BriefField) -> &mut String {
    match field {
        BriefField::Name => &mut brief.name,
        BriefField::Vision => &mut brief.vision,
        BriefField::Strategy => &mut brief.strategy,
        BriefField::NorthStar => &mut brief.north_star,
        BriefField::What => &mut brief.what,
        BriefField::Why => &mut brief.why,
        BriefField::Timeline => &mut brief.timeline,
        BriefField::Benefits => &mut brief.benefits,
        BriefField::Resources => &mut brief.resources,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brief_round_trips_every_field() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        for field in BriefField::ALL {
            ws.set_brief_text(field, &format!("{} text", field.label())).unwrap();
        }
        ws.set_brief_number(BriefNumber::BenefitValue, Some(300_000.0)).unwrap();
        ws.set_brief_number(BriefNumber::Budget, Some(120_000.0)).unwrap();
        let mut reloaded = Workspace::load(&ws.save()).unwrap();
        let (brief, problems) = reloaded.brief();
        assert!(problems.is_empty(), "{problems:?}");
        for field in BriefField::ALL {
            assert_eq!(brief.text(field), format!("{} text", field.label()));
        }
        assert_eq!(brief.roi(), Some(1.5));
        reloaded.set_brief_number(BriefNumber::Budget, None).unwrap();
        assert_eq!(reloaded.brief().0.roi(), None);
    }

    #[test]
    fn roi_matches_the_domain_formula() {
        assert_eq!(roi(150.0, 100.0), Some(0.5));
        assert_eq!(roi(50.0, 100.0), Some(-0.5));
        assert_eq!(roi(10.0, 0.0), None, "no ROI without costs");
    }
}
