//! Audience roadmaps: a separate document holding only what one audience may see,
//! published (and republished) from the workspace by its owner, and shared through
//! its own link. Nothing else is ever written into it, so whoever opens that link
//! cannot receive a byte of what the audience may not see (a view link of the
//! workspace itself carries everything).
//!
//! - customers: public features only; their title, description and horizon, and
//!   their place on the board;
//! - executives: features visible to executives or the public; title, description,
//!   theme or objective, status, horizon, success metrics and board place; no dates,
//!   no owners, no costs.

use automerge::{transaction::Transactable, ObjType, ReadDoc, ROOT};

use crate::feature::Feature;
use crate::fields::{child_map, ensure_map, write_text};
use crate::kind::{FieldValue, Kind};
use crate::schema::{self, FEATURES, SETTINGS};
use crate::{EditError, Workspace};

/// Who a published roadmap is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Audience {
    Customers,
    Executives,
}

/// The settings key naming a published document's audience.
pub const AUDIENCE: &str = "audience";

impl Audience {
    pub const ALL: [Audience; 2] = [Audience::Customers, Audience::Executives];

    pub fn key(self) -> &'static str {
        match self {
            Audience::Customers => "customers",
            Audience::Executives => "executives",
        }
    }

    pub fn parse(s: &str) -> Option<Audience> {
        Audience::ALL.into_iter().find(|a| a.key() == s)
    }

    /// "Customer roadmap".
    pub fn label(self) -> &'static str {
        match self {
            Audience::Customers => "Customer roadmap",
            Audience::Executives => "Executive roadmap",
        }
    }

    /// Whether the audience may see `f` at all.
    pub fn sees(self, f: &Feature) -> bool {
        !f.is_deleted()
            && f.status != Some("dropped")
            && match self {
                Audience::Customers => f.visibility() == "public",
                Audience::Executives => matches!(f.visibility(), "public" | "executive"),
            }
    }

    /// The feature fields the audience may see.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Audience::Customers => &["title", "description", "horizon", "position"],
            Audience::Executives => &["title", "description", "theme", "status", "horizon", "success_metrics", "position"],
        }
    }
}

impl Workspace {
    /// The audience of a published roadmap; `None` for a workspace.
    pub fn audience(&self) -> Option<Audience> {
        let settings = child_map(&self.doc, &ROOT, SETTINGS)?;
        match self.doc.get(&settings, AUDIENCE).ok()?? {
            (automerge::Value::Scalar(v), _) => Audience::parse(v.as_str()?),
            _ => None,
        }
    }

    /// A new, empty roadmap document for `audience` (named after the workspace when
    /// first published).
    pub fn new_audience_roadmap(name: &str, audience: Audience, now_ms: i64) -> Result<Workspace, EditError> {
        let mut ws = Workspace::create(name, now_ms, "");
        let settings = ensure_map(&mut ws.doc, &ROOT, SETTINGS)?;
        ws.doc.put(&settings, AUDIENCE, audience.key())?;
        ws.commit();
        Ok(ws)
    }

    /// Brings this published roadmap up to date with `source`: the features its
    /// audience sees, with only the fields it may see (text merged as text, so a
    /// reader's copy takes only what changed); features it no longer sees are removed.
    /// Returns how many features it holds.
    pub fn republish_from(&mut self, source: &Workspace, now_ms: i64) -> Result<usize, EditError> {
        let audience = self.audience().ok_or_else(|| EditError::Invalid("this is not a published roadmap".into()))?;
        let name = format!("{} · {}", source.brief().0.name.trim(), audience.label());
        if self.brief().0.name != name {
            let brief = ensure_map(&mut self.doc, &ROOT, schema::BRIEF)?;
            write_text(&mut self.doc, &brief, crate::BriefField::Name.key(), &name)?;
        }
        let features = ensure_map(&mut self.doc, &ROOT, FEATURES)?;
        let shown: Vec<Feature> = source.items::<Feature>().0.into_iter().filter(|f| audience.sees(f)).collect();
        let keep: std::collections::BTreeSet<String> = shown.iter().filter_map(|f| f.id()).map(|id| id.as_str().to_owned()).collect();
        let before: std::collections::BTreeMap<crate::Id, Feature> = self.items::<Feature>().0.into_iter().filter_map(|f| Some((f.id()?.clone(), f))).collect();
        for key in self.doc.keys(&features).collect::<Vec<_>>() {
            if !keep.contains(&key) {
                self.doc.delete(&features, key.as_str())?;
            }
        }
        for f in &shown {
            let Some(id) = f.id() else { continue };
            let old = before.get(id);
            let changed: Vec<&str> = audience.fields().iter().copied().filter(|k| old.is_none_or(|o| o.value(k) != f.value(k))).collect();
            if changed.is_empty() {
                continue;
            }
            let obj = match child_map(&self.doc, &features, id.as_str()) {
                Some(obj) => obj,
                None => {
                    let obj = self.doc.put_object(&features, id.as_str(), ObjType::Map)?;
                    self.put_common_fields(&obj, f.meta.created_at, "")?;
                    obj
                }
            };
            for key in changed {
                match f.value(key) {
                    FieldValue::Text(t) => write_text(&mut self.doc, &obj, key, &t)?,
                    FieldValue::Choice(Some(c)) => self.doc.put(&obj, key, c)?,
                    FieldValue::Position(p) if !p.is_empty() => self.doc.put(&obj, key, p)?,
                    _ => {
                        if self.doc.get(&obj, key)?.is_some() {
                            self.doc.delete(&obj, key)?;
                        }
                    }
                }
            }
            self.doc.put(&obj, schema::UPDATED_AT, now_ms)?;
        }
        self.commit();
        Ok(shown.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FieldInput;

    const MARKER: &str = "ZEBRA-INTERNAL-42";

    fn feature(ws: &mut Workspace, title: &str, visibility: &str) -> crate::Id {
        let id = ws.create_item::<Feature>(title, 1, "Ana Internal").unwrap();
        ws.set_field::<Feature>(&id, "visibility", FieldInput::Value(visibility), 2).unwrap();
        ws.set_field::<Feature>(&id, "horizon", FieldInput::Value("next"), 2).unwrap();
        id
    }

    /// Every byte of the document, uncompressed, as text to search.
    fn all_bytes(ws: &mut Workspace) -> String {
        String::from_utf8_lossy(&ws.doc.save_nocompress()).into_owned()
    }

    #[test]
    fn a_customer_roadmap_holds_public_features_and_none_of_the_internal_fields() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let public = feature(&mut ws, "Offline mode", "public");
        ws.set_field::<Feature>(&public, "description", FieldInput::Value("Work on the train: PUBLIC-PITCH"), 3).unwrap();
        for (key, v) in [("owner", MARKER), ("success_metrics", MARKER), ("theme", MARKER), ("start", "2026-01-05")] {
            ws.set_field::<Feature>(&public, key, FieldInput::Value(v), 3).unwrap();
        }
        let exec = feature(&mut ws, "Pricing revamp", "executive");
        ws.set_field::<Feature>(&exec, "theme", FieldInput::Value("Grow revenue"), 3).unwrap();
        let internal = feature(&mut ws, MARKER, "internal");
        ws.set_field::<Feature>(&internal, "description", FieldInput::Value(MARKER), 3).unwrap();
        ws.set_brief_text(crate::BriefField::Vision, MARKER).unwrap();

        let mut customers = Workspace::new_audience_roadmap("Payments", Audience::Customers, 4).unwrap();
        assert_eq!(customers.republish_from(&ws, 5).unwrap(), 1);
        let shown = customers.items::<Feature>().0;
        assert_eq!(shown.len(), 1);
        let f = &shown[0];
        assert_eq!((f.title.as_str(), f.description.as_str(), f.horizon), ("Offline mode", "Work on the train: PUBLIC-PITCH", Some("next")));
        assert!(f.owner.is_empty() && f.start.is_none() && f.theme.is_empty() && f.meta.created_by.is_empty());
        let bytes = all_bytes(&mut customers);
        assert!(bytes.contains("PUBLIC-PITCH"), "the search finds what is there");
        assert!(!bytes.contains(MARKER) && !bytes.contains("Ana Internal") && !bytes.contains("Pricing revamp"));
        assert_eq!(customers.audience(), Some(Audience::Customers));
        assert_eq!(ws.audience(), None);

        let mut execs = Workspace::new_audience_roadmap("Payments", Audience::Executives, 4).unwrap();
        assert_eq!(execs.republish_from(&ws, 5).unwrap(), 2);
        let bytes = all_bytes(&mut execs);
        assert!(bytes.contains("Grow revenue") && !bytes.contains("2026-01-05"));
    }

    #[test]
    fn republishing_changes_only_what_changed_and_drops_what_is_no_longer_public() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let a = feature(&mut ws, "Offline mode", "public");
        let b = feature(&mut ws, "Dark mode", "public");
        let mut published = Workspace::new_audience_roadmap("Payments", Audience::Customers, 4).unwrap();
        published.republish_from(&ws, 5).unwrap();
        let mut reader = published.fork();
        ws.set_field::<Feature>(&a, "title", FieldInput::Value("Offline mode for mobile"), 6).unwrap();
        ws.set_field::<Feature>(&b, "visibility", FieldInput::Value("internal"), 6).unwrap();
        published.save_incremental();
        published.mark_changes_seen();
        assert_eq!(published.republish_from(&ws, 7).unwrap(), 1);
        let changed = reader.apply(&published.save_incremental()).unwrap();
        assert!(changed.of(FEATURES).contains(&a));
        let titles: Vec<String> = reader.items::<Feature>().0.iter().map(Kind::title).collect();
        assert_eq!(titles, vec!["Offline mode for mobile"]);
        // Nothing to change: republishing again writes nothing.
        published.save_incremental();
        published.republish_from(&ws, 8).unwrap();
        assert!(published.save_incremental().is_empty());
    }
}
