//! JSON and Markdown for every kind described through [`Kind`]: driven by each kind's
//! fields, so a new kind is exported and imported with no code here.

use serde_json::{Map, Value};

use super::json::{Fields, ImportError, Item, NewIds};
use super::markdown::{escape_markdown, labelled};
use super::oldest_first;
use crate::kind::{visit_kinds, CheckPart, FieldInput, FieldType, FieldValue, Kind, KindVisitor};
use crate::{EditError, Id, Workspace};

/// The live artifacts of kind `K`, oldest first.
fn live<K: Kind>(ws: &Workspace) -> Vec<K> {
    oldest_first(ws.items::<K>().0, |k| (k.is_deleted(), k.meta().created_at, k.id()))
}

fn value_json(ty: FieldType, value: FieldValue) -> Value {
    match value {
        FieldValue::Counts(rows) => {
            let FieldType::Counts(columns) = ty else { return Value::Null };
            Value::Array(
                rows.into_iter()
                    .map(|r| {
                        let mut row = Map::new();
                        row.insert("row".into(), r.row.into());
                        row.insert("name".into(), r.name.into());
                        for ((key, _), v) in columns.iter().zip(r.values) {
                            row.insert((*key).into(), v.map_or(Value::Null, Value::from));
                        }
                        Value::Object(row)
                    })
                    .collect(),
            )
        }
        FieldValue::Series(points) => Value::Array(
            points
                .into_iter()
                .map(|p| {
                    let mut point = Map::new();
                    point.insert("date".into(), p.date.to_string().into());
                    point.insert("value".into(), p.value.into());
                    Value::Object(point)
                })
                .collect(),
        ),
        FieldValue::Text(t) => Value::String(t),
        FieldValue::Choice(c) => c.map_or(Value::Null, Value::from),
        FieldValue::Date(d) => d.map_or(Value::Null, |d| Value::String(d.to_string())),
        FieldValue::Rows(rows) => Value::Object(rows.into_iter().map(|(name, v)| (name, Value::from(v))).collect()),
        FieldValue::Number(n) => n.map_or(Value::Null, Value::from),
        FieldValue::Position(p) => Value::String(p),
        FieldValue::Checklist(checks) => Value::Object(
            checks
                .into_iter()
                .filter(|c| c.state.is_some() || !c.owner.is_empty() || !c.note.is_empty())
                .map(|c| {
                    let mut item = Map::new();
                    item.insert("state".into(), c.state.map_or(Value::Null, Value::from));
                    item.insert("owner".into(), c.owner.into());
                    item.insert("note".into(), c.note.into());
                    (c.item.to_owned(), Value::Object(item))
                })
                .collect(),
        ),
    }
}

fn item_json<K: Kind>(item: &K) -> Value {
    let mut obj = Map::new();
    obj.insert("id".into(), item.id().map_or(Value::from(""), |id| Value::from(id.as_str())));
    for field in K::FIELDS {
        obj.insert(field.key.into(), value_json(field.ty, item.value(field.key)));
    }
    let meta = item.meta();
    obj.insert("created_at".into(), meta.created_at.into());
    obj.insert("created_by".into(), meta.created_by.clone().into());
    obj.insert("updated_at".into(), meta.updated_at.into());
    obj.insert("tags".into(), meta.tags.clone().into());
    Value::Object(obj)
}

/// Adds an array of each kind's live artifacts to `root`, under its collection name.
pub(super) fn export_json(ws: &Workspace, root: &mut Value) {
    struct Export<'a>(&'a Workspace, &'a mut Value);
    impl KindVisitor for Export<'_> {
        fn visit<K: Kind>(&mut self) {
            self.1[K::COLLECTION] = Value::Array(live::<K>(self.0).iter().map(item_json).collect());
        }
    }
    visit_kinds(&mut Export(ws, root));
}

/// One artifact of a kind, read from a file and checked, before anything is created.
pub(super) struct KindItem {
    collection: &'static str,
    /// Each field's value as it will be written (`Rows` fields as their rows).
    values: Vec<(&'static str, Written)>,
    created_at: i64,
    created_by: String,
    updated_at: i64,
    tags: Vec<String>,
}

enum Written {
    Value(String),
    Rows(Vec<(String, String)>),
    /// Checklist entries: item, part, value.
    Checks(Vec<(String, CheckPart, String)>),
    /// `Counts` rows in order: row id, name, and each column's value.
    Counts(Vec<(String, String, Vec<(&'static str, u64)>)>),
    /// `Series` points.
    Points(Vec<(crate::Date, Option<f64>)>),
}

fn read_item<K: Kind>(f: &Fields) -> Result<KindItem, ImportError> {
    let mut values = Vec::with_capacity(K::FIELDS.len());
    for field in K::FIELDS {
        let written = match field.ty {
            FieldType::Line | FieldType::Text => Written::Value(f.text(field.key)?),
            FieldType::Choice(options) => {
                Written::Value(f.choice(field.key, |v| options.iter().find(|(k, _)| *k == v).map(|(k, _)| k.to_string()), "one of its listed values")?.unwrap_or_default())
            }
            FieldType::Date => Written::Value(f.date(field.key)?.map(|d| d.to_string()).unwrap_or_default()),
            FieldType::Rows(options) => {
                let rows = f.object(field.key)?;
                let mut out = Vec::new();
                for name in rows.keys() {
                    let value = rows.choice(name, |v| options.iter().find(|(k, _)| *k == v).map(|(k, _)| k.to_string()), "one of its listed values")?;
                    let valid_name = !name.trim().is_empty() && name.trim().chars().count() <= crate::kind::MAX_ROW_NAME;
                    if !valid_name {
                        return Err(rows.bad(name, "a row name of 1 to 120 characters"));
                    }
                    if let Some(v) = value {
                        out.push((name.clone(), v));
                    }
                }
                Written::Rows(out)
            }
            FieldType::Number { min, max, .. } => match f.number(field.key)? {
                Some(n) if !(min..=max).contains(&n) => return Err(f.bad(field.key, "a number in the field's range")),
                n => Written::Value(n.map(|n| n.to_string()).unwrap_or_default()),
            },
            FieldType::Position => {
                let p = f.text(field.key)?;
                if !p.is_empty() && !crate::position::is_valid(&p) {
                    return Err(f.bad(field.key, "a board position (base-62 digits)"));
                }
                Written::Value(p)
            }
            FieldType::Checklist { items, states } => {
                let list = f.object(field.key)?;
                let mut out = Vec::new();
                for name in list.keys() {
                    if !items.iter().any(|(k, _)| k == name) {
                        return Err(list.bad(name, "one of the checklist's items"));
                    }
                    let item = list.object(name)?;
                    let state = item.choice("state", |v| states.iter().find(|(k, _)| *k == v).map(|(k, _)| k.to_string()), "one of its listed states")?;
                    let owner = item.text("owner")?;
                    let note = item.text("note")?;
                    if owner.chars().count() > crate::kind::MAX_CHECK_OWNER || note.chars().count() > crate::kind::MAX_CHECK_NOTE {
                        return Err(list.bad(name, "an owner of at most 120 and a note of at most 2,000 characters"));
                    }
                    for (part, value) in [(CheckPart::State, state.unwrap_or_default()), (CheckPart::Owner, owner), (CheckPart::Note, note)] {
                        if !value.is_empty() {
                            out.push((name.clone(), part, value));
                        }
                    }
                }
                Written::Checks(out)
            }
            FieldType::Counts(columns) => {
                let rows = f.each(field.key, |row| {
                    let id = row.text("row")?;
                    let name = row.text("name")?;
                    if !crate::kind::is_row_id(&id) {
                        return Err(row.bad("row", "a row id of 1 to 32 lowercase letters and digits"));
                    }
                    if name.trim().is_empty() || name.chars().count() > crate::kind::MAX_ROW_NAME {
                        return Err(row.bad("name", "a row name of 1 to 120 characters"));
                    }
                    let mut values = Vec::new();
                    for (key, _) in columns {
                        match row.whole_or_none(key)? {
                            Some(n) if n < 0 || n as u64 > crate::kind::MAX_COUNT => return Err(row.bad(key, "a whole number from 0 to 10¹²")),
                            Some(n) => values.push((*key, n as u64)),
                            None => {}
                        }
                    }
                    Ok((id, name, values))
                })?;
                Written::Counts(rows)
            }
            FieldType::Series => {
                let points = f.each(field.key, |point| {
                    let date = point.date("date")?.ok_or_else(|| point.bad("date", "a day as YYYY-MM-DD"))?;
                    match point.number("value")? {
                        Some(v) if v.abs() <= crate::kind::MAX_MEASURE => Ok((date, Some(v))),
                        _ => Err(point.bad("value", "a number up to 10¹⁵")),
                    }
                })?;
                Written::Points(points)
            }
        };
        values.push((field.key, written));
    }
    Ok(KindItem {
        collection: K::COLLECTION,
        values,
        created_at: f.whole("created_at")?,
        created_by: f.text("created_by")?,
        updated_at: f.whole("updated_at")?,
        tags: f.text_list("tags")?,
    })
}

/// Reads and checks every kind's array in `root` (missing arrays are empty), noting
/// each artifact's file id in `seen` so ids stay unique across the file.
pub(super) fn read_json(root: &Fields, seen: &mut std::collections::BTreeSet<String>) -> Result<Vec<Item<KindItem>>, ImportError> {
    struct Read<'a, 'b> {
        root: &'a Fields<'b>,
        seen: &'a mut std::collections::BTreeSet<String>,
        out: Result<Vec<Item<KindItem>>, ImportError>,
    }
    impl KindVisitor for Read<'_, '_> {
        fn visit<K: Kind>(&mut self) {
            let Ok(out) = &mut self.out else { return };
            match super::json::items(self.root, K::COLLECTION, self.seen, read_item::<K>) {
                Ok(items) => out.extend(items),
                Err(e) => self.out = Err(e),
            }
        }
    }
    let mut read = Read { root, seen, out: Ok(Vec::new()) };
    visit_kinds(&mut read);
    read.out
}

/// Creates the checked artifacts in `ws`, keeping who created them and when; notes
/// each one's new id under its file id.
pub(super) fn write(ws: &mut Workspace, items: &[Item<KindItem>], new_ids: &mut NewIds, now_ms: i64, by: &str) -> Result<(), EditError> {
    struct Write<'a> {
        ws: &'a mut Workspace,
        items: &'a [Item<KindItem>],
        new_ids: &'a mut NewIds,
        now_ms: i64,
        by: &'a str,
        result: Result<(), EditError>,
    }
    impl KindVisitor for Write<'_> {
        fn visit<K: Kind>(&mut self) {
            for item in self.items.iter().filter(|i| i.value.collection == K::COLLECTION) {
                if self.result.is_ok() {
                    self.result = write_item::<K>(self.ws, &item.value, self.now_ms, self.by).map(|id| self.new_ids.add(K::COLLECTION, &item.id, &id));
                }
            }
        }
    }
    let mut w = Write { ws, items, new_ids, now_ms, by, result: Ok(()) };
    visit_kinds(&mut w);
    w.result
}

fn write_item<K: Kind>(ws: &mut Workspace, item: &KindItem, now_ms: i64, by: &str) -> Result<Id, EditError> {
    let (at, author) = super::json::origin(item.created_at, &item.created_by, now_ms, by);
    let id = ws.create_item::<K>("", at, author)?;
    for (key, written) in &item.values {
        match written {
            Written::Value(v) if v.is_empty() => {}
            Written::Value(v) => ws.set_field::<K>(&id, key, FieldInput::Value(v), at)?,
            Written::Rows(rows) => {
                for (name, value) in rows {
                    ws.set_field::<K>(&id, key, FieldInput::Row { name, value }, at)?;
                }
            }
            Written::Checks(checks) => {
                for (item, part, value) in checks {
                    ws.set_field::<K>(&id, key, FieldInput::Check { item, part: *part, value }, at)?;
                }
            }
            Written::Points(points) => ws.set_field::<K>(&id, key, FieldInput::Points(points), at)?,
            Written::Counts(rows) => {
                // Added one millisecond apart, so they keep the file's order.
                for (n, (row, name, values)) in rows.iter().enumerate() {
                    ws.set_field::<K>(&id, key, FieldInput::Count { row, column: "name", value: name }, at + n as i64)?;
                    for (column, v) in values {
                        ws.set_field::<K>(&id, key, FieldInput::Count { row, column, value: &v.to_string() }, at)?;
                    }
                }
            }
        }
    }
    for tag in &item.tags {
        ws.set_tag(&crate::Ref::new(K::COLLECTION, id.clone()), tag, true, at)?;
    }
    super::json::finish(ws, K::COLLECTION, &id, item.updated_at.max(at))?;
    Ok(id)
}

/// A section per kind with live artifacts: each artifact's title as a heading, then
/// its filled fields, labelled.
pub(super) fn push_markdown(md: &mut String, ws: &Workspace) {
    struct Push<'a>(&'a mut String, &'a Workspace);
    impl KindVisitor for Push<'_> {
        fn visit<K: Kind>(&mut self) {
            let items = live::<K>(self.1);
            if !items.is_empty() {
                self.0.push_str(&markdown_section(&items));
            }
        }
    }
    visit_kinds(&mut Push(md, ws));
}

fn markdown_section<K: Kind>(items: &[K]) -> String {
    let mut md = format!("\n## {} ({})\n", K::PLURAL, items.len());
    for item in items {
        md.push_str(&format!("\n### {}\n", escape_markdown(&item.title())));
        if let Some((headline, _)) = item.headline() {
            md.push_str(&format!("\n**{}**\n", escape_markdown(&headline)));
        }
        let body: Vec<String> = K::FIELDS[1..]
            .iter()
            .filter(|field| item.shows(field.key))
            .filter_map(|field| match (field.ty, item.value(field.key)) {
                (_, FieldValue::Text(t)) if !t.trim().is_empty() => Some(labelled(field.label, &t)),
                (FieldType::Choice(options), FieldValue::Choice(Some(k))) => {
                    Some(format!("**{}**: {}", field.label, crate::kind::choice_label(options, k)))
                }
                (_, FieldValue::Date(Some(d))) => Some(format!("**{}**: {d}", field.label)),
                (FieldType::Number { unit, .. }, FieldValue::Number(Some(n))) => {
                    Some(format!("**{}**: {}{}", field.label, crate::ranking::number(n), if unit.is_empty() { String::new() } else { format!(" {unit}") }))
                }
                (FieldType::Position, _) => None,
                (FieldType::Checklist { items, states }, FieldValue::Checklist(checks)) if checks.iter().any(|c| c.state.is_some()) => {
                    let lines: Vec<String> = checks
                        .iter()
                        .map(|c| {
                            let state = c.state.map_or("Not started", |s| crate::kind::choice_label(states, s));
                            let mut line = format!("- {}: {state}", crate::kind::choice_label(items, c.item));
                            if !c.owner.is_empty() {
                                line.push_str(&format!(" ({})", escape_markdown(&c.owner)));
                            }
                            if !c.note.is_empty() {
                                line.push_str(&format!(" — {}", escape_markdown(&c.note)));
                            }
                            line
                        })
                        .collect();
                    Some(format!("**{}**\n\n{}", field.label, lines.join("\n")))
                }
                (FieldType::Counts(columns), FieldValue::Counts(rows)) if !rows.is_empty() => {
                    let lines: Vec<String> = rows
                        .iter()
                        .map(|r| {
                            let cells: Vec<String> = columns
                                .iter()
                                .zip(&r.values)
                                .filter_map(|((_, label), v)| v.map(|n| format!("{} {}", label.to_lowercase(), crate::ranking::number(n as f64))))
                                .collect();
                            format!("- {}: {}", escape_markdown(&r.name), if cells.is_empty() { "no figures yet".to_owned() } else { cells.join(", ") })
                        })
                        .collect();
                    Some(format!("**{}**\n\n{}", field.label, lines.join("\n")))
                }
                (FieldType::Series, FieldValue::Series(points)) if !points.is_empty() => {
                    let lines: Vec<String> = points.iter().map(|p| format!("- {}: {}", p.date, crate::format::measure(p.value))).collect();
                    Some(format!("**{}**\n\n{}", field.label, lines.join("\n")))
                }
                (FieldType::Rows(options), FieldValue::Rows(rows)) if !rows.is_empty() => {
                    let lines: Vec<String> =
                        rows.iter().map(|(name, k)| format!("- {}: {}", escape_markdown(name), crate::kind::choice_label(options, k))).collect();
                    Some(format!("**{}**\n\n{}", field.label, lines.join("\n")))
                }
                _ => None,
            })
            .collect();
        if !body.is_empty() {
            md.push_str(&format!("\n{}\n", body.join("\n\n")));
        }
    }
    md
}
