//! Comments on any artifact: who, when, what. They live in the artifact's own
//! `comments` map (id -> {author, at, text}), so two people commenting at once keep
//! both, and a comment travels, merges and goes back in time with what it is about.

use automerge::{transaction::Transactable, ObjType, ReadDoc};

use crate::fields::{child_map, ensure_map, write_text, DocFields, Reader};
use crate::link::Ref;
use crate::schema::COMMENTS;
use crate::{EditError, Id, Workspace};

/// The longest comment kept, in characters (a comment is a note, not a document).
pub const MAX_COMMENT: usize = 20_000;

/// One comment as read.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Comment {
    pub id: Id,
    pub author: String,
    /// When, in milliseconds since the epoch.
    pub at_ms: i64,
    pub text: String,
}

impl Workspace {
    /// The comments on `target`, oldest first (ties by id). Empty if it has none, or
    /// if the artifact is not here.
    pub fn comments(&self, target: &Ref) -> Vec<Comment> {
        let Ok(obj) = self.artifact(target.collection, &target.id) else { return Vec::new() };
        // Every copy of the map: an artifact made before comments were made with it may
        // have two, from two people's first comments at once.
        let maps: Vec<automerge::ObjId> = self
            .doc
            .get_all(&obj, COMMENTS)
            .unwrap_or_default()
            .into_iter()
            .filter(|(v, _)| matches!(v, automerge::Value::Object(ObjType::Map)))
            .map(|(_, id)| id)
            .collect();
        let mut all: Vec<Comment> = maps
            .iter()
            .flat_map(|map| self.doc.keys(map).map(move |key| (map, key)))
            .filter_map(|(map, key)| {
                let id = Id::parse(&key)?;
                let one = child_map(&self.doc, map, &key)?;
                let mut problems = Vec::new();
                let mut r = Reader { source: &DocFields { doc: &self.doc, obj: one }, path: format!("{}/{}/comments/{id}", target.collection, target.id), problems: &mut problems };
                Some(Comment { author: r.str("author"), at_ms: r.int("at").unwrap_or(0), text: r.text("text"), id })
            })
            .collect();
        crate::sort::sort_by(&mut all, |a, b| a.at_ms.cmp(&b.at_ms).then_with(|| a.id.cmp(&b.id)));
        all.dedup_by(|a, b| a.id == b.id);
        all
    }

    /// Adds a comment by `author` to `target`; its id. Blank text is refused, and text
    /// past [`MAX_COMMENT`] characters is cut.
    pub fn add_comment(&mut self, target: &Ref, text: &str, at_ms: i64, author: &str) -> Result<Id, EditError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(EditError::Invalid("a comment needs some text".into()));
        }
        let text: String = text.chars().take(MAX_COMMENT).collect();
        let obj = self.artifact(target.collection, &target.id)?;
        let map = ensure_map(&mut self.doc, &obj, COMMENTS)?;
        let id = Id::random();
        let one = self.doc.put_object(&map, id.as_str(), ObjType::Map)?;
        self.doc.put(&one, "author", author)?;
        self.doc.put(&one, "at", at_ms)?;
        write_text(&mut self.doc, &one, "text", &text)?;
        Ok(id)
    }

    /// Removes comment `comment` from `target` (nothing if it is not there).
    pub fn delete_comment(&mut self, target: &Ref, comment: &Id) -> Result<(), EditError> {
        let obj = self.artifact(target.collection, &target.id)?;
        let maps: Vec<automerge::ObjId> = self.doc.get_all(&obj, COMMENTS)?.into_iter().map(|(_, id)| id).collect();
        for map in maps {
            if matches!(self.doc.object_type(&map), Ok(ObjType::Map)) && self.doc.get(&map, comment.as_str())?.is_some() {
                self.doc.delete(&map, comment.as_str())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::IDEAS;

    #[test]
    fn two_people_commenting_at_once_keep_both_in_time_order() {
        let mut ana = Workspace::create("P", 1, "Ana");
        let idea = Ref::new(IDEAS, ana.create_idea("Dark mode", 2, "Ana").unwrap());
        ana.commit();
        let mut ben = ana.fork();
        ana.add_comment(&idea, "  Customers ask weekly.  ", 20, "Ana").unwrap();
        ben.add_comment(&idea, "Design has mocks.", 10, "Ben").unwrap();
        ana.merge(&mut ben).unwrap();
        let said: Vec<(String, i64, String)> = ana.comments(&idea).into_iter().map(|c| (c.author, c.at_ms, c.text)).collect();
        assert_eq!(said, vec![("Ben".into(), 10, "Design has mocks.".into()), ("Ana".into(), 20, "Customers ask weekly.".into())]);
    }

    #[test]
    fn first_comments_on_an_old_artifact_without_a_comments_map_are_both_kept() {
        let mut ana = Workspace::create("P", 1, "Ana");
        let idea = Ref::new(IDEAS, ana.create_idea("Dark mode", 2, "Ana").unwrap());
        let obj = ana.artifact(IDEAS, &idea.id).unwrap();
        ana.doc.delete(&obj, COMMENTS).unwrap();
        ana.commit();
        let mut ben = ana.fork();
        ana.add_comment(&idea, "One", 20, "Ana").unwrap();
        ben.add_comment(&idea, "Two", 10, "Ben").unwrap();
        ana.merge(&mut ben).unwrap();
        assert_eq!(ana.comments(&idea).len(), 2);
    }

    #[test]
    fn blank_comments_are_refused_long_ones_cut_and_deleting_removes_one() {
        let mut ws = Workspace::create("P", 1, "Ana");
        let idea = Ref::new(IDEAS, ws.create_idea("Dark mode", 2, "Ana").unwrap());
        assert!(ws.add_comment(&idea, " \n ", 3, "Ana").is_err());
        let long = ws.add_comment(&idea, &"x".repeat(MAX_COMMENT + 5), 3, "Ana").unwrap();
        assert_eq!(ws.comments(&idea)[0].text.chars().count(), MAX_COMMENT);
        ws.delete_comment(&idea, &long).unwrap();
        assert!(ws.comments(&idea).is_empty());
        let missing = Ref::new(IDEAS, Id::random());
        assert!(ws.comments(&missing).is_empty());
        assert!(matches!(ws.add_comment(&missing, "hi", 3, "Ana"), Err(EditError::NotFound(_))));
    }
}
