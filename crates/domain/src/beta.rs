//! Beta programs: a release tried out early by some customers (or companies), with
//! dates, exit criteria and who takes part; its release is a link
//! ([`crate::link::Relation::BetaOf`]). Feedback from the beta channel by a participant
//! during the beta is its feedback ([`beta_feedback`]).

use crate::date::Date;
use crate::feedback::{Channel, Feedback};
use crate::kind::{FieldSpec, FieldType, FieldValue, Fields, Kind, Meta};
use crate::link::{Link, Relation};
use crate::Id;

pub const STATUS: &[(&str, &str)] = &[("planned", "Planned"), ("running", "Running"), ("closed", "Closed")];

/// Where a participant stands.
pub const PARTICIPATION: &[(&str, &str)] = &[("invited", "Invited"), ("active", "Active"), ("left", "Left")];

/// A beta program as read from the document.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Beta {
    pub meta: Meta,
    pub name: String,
    #[serde(deserialize_with = "crate::keys::option")]
    pub status: Option<crate::keys::Key>,
    pub start: Option<Date>,
    pub end: Option<Date>,
    /// "Company — contact" and a key of [`PARTICIPATION`], sorted.
    #[serde(deserialize_with = "crate::keys::rows")]
    pub participants: Vec<(String, crate::keys::Key)>,
    pub exit_criteria: String,
    pub notes: String,
    /// The release it runs ahead of (a link).
    pub release: Option<Id>,
}

impl Kind for Beta {
    const COLLECTION: &'static str = crate::schema::BETAS;
    const SINGULAR: &'static str = "Beta program";
    const PLURAL: &'static str = "Beta programs";
    const ABOUT: &'static str = "A release tried out early by a few customers: who takes part, when, what must be true to end it, and what they said on the beta channel.";
    const FIELDS: &'static [FieldSpec] = &[
        FieldSpec { key: "name", label: "Name", ty: FieldType::Line, placeholder: "Offline beta" },
        FieldSpec { key: "status", label: "Status", ty: FieldType::Choice(STATUS), placeholder: "" },
        FieldSpec { key: "start", label: "Start", ty: FieldType::Date, placeholder: "" },
        FieldSpec { key: "end", label: "End", ty: FieldType::Date, placeholder: "" },
        FieldSpec { key: "participants", label: "Participants", ty: FieldType::Rows(PARTICIPATION), placeholder: "Company — contact, e.g. Acme — Jo Park" },
        FieldSpec { key: "exit_criteria", label: "Exit criteria", ty: FieldType::Text, placeholder: "What must be true to end the beta and ship" },
        FieldSpec { key: "notes", label: "Notes", ty: FieldType::Text, placeholder: "How to reach participants, builds sent, agreements" },
    ];

    crate::kind::meta_in_field!();

    fn read(f: &mut Fields<'_>) -> Self {
        Beta {
            meta: Meta::default(),
            name: f.text("name"),
            status: f.choice("status", STATUS),
            start: f.date("start"),
            end: f.date("end"),
            participants: f.rows("participants", PARTICIPATION),
            exit_criteria: f.text("exit_criteria"),
            notes: f.text("notes"),
            release: None,
        }
    }

    fn value(&self, key: &str) -> FieldValue {
        match key {
            "name" => FieldValue::Text(self.name.clone()),
            "status" => FieldValue::Choice(self.status),
            "start" => FieldValue::Date(self.start),
            "end" => FieldValue::Date(self.end),
            "participants" => FieldValue::Rows(self.participants.clone()),
            "exit_criteria" => FieldValue::Text(self.exit_criteria.clone()),
            _ => FieldValue::Text(self.notes.clone()),
        }
    }

    fn read_links(&mut self, links: &[Link]) {
        self.release = links.iter().find(|l| l.relation == Relation::BetaOf).map(|l| l.to.id.clone());
    }
}

/// The company of a participant row ("Acme — Jo Park" → "acme"), for matching feedback.
fn company(row: &str) -> String {
    row.split(['—', '-', '(']).next().unwrap_or(row).trim().to_lowercase()
}

/// The beta's feedback: live feedback from the beta channel, from one of its
/// participants' companies, dated within the beta when it has dates; newest first.
pub fn beta_feedback<'a>(beta: &Beta, feedback: impl IntoIterator<Item = &'a Feedback>) -> Vec<&'a Feedback> {
    let companies: Vec<String> = beta.participants.iter().map(|(row, _)| company(row)).filter(|c| !c.is_empty()).collect();
    let mut found: Vec<&Feedback> = feedback
        .into_iter()
        .filter(|f| !f.deleted && f.channel == Channel::Beta)
        .filter(|f| companies.contains(&f.customer.trim().to_lowercase()))
        .filter(|f| match (f.date, beta.start, beta.end) {
            (Some(d), Some(s), _) if d < s => false,
            (Some(d), _, Some(e)) if d > e => false,
            _ => true,
        })
        .collect();
    crate::sort::sort_by(&mut found, |a, b| b.date.cmp(&a.date).then(b.created_at.cmp(&a.created_at)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FieldInput;
    use crate::link::Ref;
    use crate::schema::{BETAS, RELEASES};
    use crate::Workspace;

    #[test]
    fn a_betas_feedback_is_its_participants_beta_channel_feedback_during_it() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let release = ws.create_item::<crate::release::Release>("2.0", 1, "Ana").unwrap();
        let beta = ws.create_item::<Beta>("Offline beta", 1, "Ana").unwrap();
        ws.link(&Ref::new(BETAS, beta.clone()), Relation::BetaOf, &Ref::new(RELEASES, release.clone()), 2).unwrap();
        ws.set_field::<Beta>(&beta, "start", FieldInput::Value("2026-03-01"), 2).unwrap();
        ws.set_field::<Beta>(&beta, "end", FieldInput::Value("2026-03-31"), 2).unwrap();
        ws.set_field::<Beta>(&beta, "participants", FieldInput::Row { name: "Acme — Jo Park", value: "active" }, 2).unwrap();
        let mut add = |text: &str, channel: Channel, customer: &str, date: &str| {
            let id = ws.create_feedback(text, channel, 3, "Ana").unwrap();
            ws.set_feedback_label(&id, crate::feedback::FeedbackLabel::Customer, customer, 3).unwrap();
            ws.set_feedback_label(&id, crate::feedback::FeedbackLabel::Date, date, 3).unwrap();
        };
        add("Sync lost a note", Channel::Beta, "ACME", "2026-03-10");
        add("Before the beta", Channel::Beta, "Acme", "2026-02-10");
        add("Support call", Channel::Support, "Acme", "2026-03-10");
        add("Not in the beta", Channel::Beta, "Globex", "2026-03-10");
        let b = ws.item::<Beta>(&beta).unwrap().0;
        assert_eq!(b.release.as_ref(), Some(&release));
        let all = ws.all_feedback().0;
        let texts: Vec<&str> = beta_feedback(&b, &all).iter().map(|f| f.text.as_str()).collect();
        assert_eq!(texts, vec!["Sync lost a note"]);
    }
}
