//! Any other CSV: the person says what each column holds ([`Field`]), and the rows are
//! read through that mapping. Nothing is guessed silently: a column is read only if
//! it is mapped, and the suggestion ([`suggest`]) maps a column only when its name is
//! a field's name, shown to the person before anything is read.

use std::collections::BTreeMap;

use super::{clean, iso_date, jira_date, keys, Backlog, BadCell, Columns, Record, Row, RowKind, Source, MAX_DESCRIPTION, MAX_TITLE};
use crate::Date;

/// What a column of any other CSV holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    Ignore,
    Key,
    Title,
    Description,
    /// "Epic", "Feature", "Project" or "Initiative" make a feature; anything else an item.
    Type,
    Status,
    Priority,
    Estimate,
    Owner,
    Labels,
    Created,
    Due,
    Parent,
    Blocks,
    BlockedBy,
}

impl Field {
    pub const ALL: [Field; 15] = [
        Field::Ignore,
        Field::Key,
        Field::Title,
        Field::Description,
        Field::Type,
        Field::Status,
        Field::Priority,
        Field::Estimate,
        Field::Owner,
        Field::Labels,
        Field::Created,
        Field::Due,
        Field::Parent,
        Field::Blocks,
        Field::BlockedBy,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Ignore => "Ignore",
            Field::Key => "Key",
            Field::Title => "Title",
            Field::Description => "Description",
            Field::Type => "Type",
            Field::Status => "Status",
            Field::Priority => "Priority",
            Field::Estimate => "Estimate",
            Field::Owner => "Owner",
            Field::Labels => "Labels",
            Field::Created => "Created",
            Field::Due => "Due date",
            Field::Parent => "Parent",
            Field::Blocks => "Blocks",
            Field::BlockedBy => "Blocked by",
        }
    }

    /// The key a select option carries.
    pub fn key(self) -> &'static str {
        match self {
            Field::Ignore => "ignore",
            Field::Key => "key",
            Field::Title => "title",
            Field::Description => "description",
            Field::Type => "type",
            Field::Status => "status",
            Field::Priority => "priority",
            Field::Estimate => "estimate",
            Field::Owner => "owner",
            Field::Labels => "labels",
            Field::Created => "created",
            Field::Due => "due",
            Field::Parent => "parent",
            Field::Blocks => "blocks",
            Field::BlockedBy => "blocked by",
        }
    }

    pub fn parse(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }
}

/// The mapping suggested for `header`: a column whose name is a field's name or key
/// (any case) maps to it; every other column is ignored until the person maps it.
pub fn suggest(header: &[String]) -> Vec<Field> {
    header
        .iter()
        .map(|h| {
            let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
            Field::ALL.into_iter().skip(1).find(|f| f.label().to_lowercase() == h || f.key() == h).unwrap_or(Field::Ignore)
        })
        .collect()
}

/// The first row under the header, cell by cell (what the mapping table shows as an
/// example of each column); empty if there is none or it is not CSV.
pub fn first_row(text: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    reader.records().flatten().find(|r| r.iter().any(|c| !c.trim().is_empty())).map(|r| r.iter().map(|c| clean(c).chars().take(80).collect()).collect()).unwrap_or_default()
}

/// Why a mapping cannot be read yet; `None` when it can.
pub fn incomplete(mapping: &[Field]) -> Option<&'static str> {
    if !mapping.contains(&Field::Title) {
        return Some("Map a column to Title: every row needs one.");
    }
    if mapping.iter().filter(|f| **f == Field::Key).count() > 1 {
        return Some("Map one column only to Key.");
    }
    None
}

/// A date as people write them in a spreadsheet: ISO (`2025-06-02`, or with a time)
/// or Jira's `14/Jul/25`.
fn any_date(text: &str) -> Result<Date, String> {
    iso_date(text).or_else(|_| jira_date(text)).map_err(|_| format!("“{}” is not a date such as 2025-06-02 or 14/Jul/25", text.trim().chars().take(40).collect::<String>()))
}

/// Reads `text` (a CSV with a header row) with `mapping`, one field per header column
/// (columns past the mapping are ignored). Rows are matched on a re-import by their
/// Key column, or by their title when no column is the key. Fails only when the file
/// is not CSV, holds no rows, or the mapping is [`incomplete`].
pub fn read_mapped(text: &str, mapping: &[Field]) -> Result<Backlog, String> {
    if let Some(why) = incomplete(mapping) {
        return Err(why.to_owned());
    }
    let text = text.trim_start_matches('\u{feff}');
    let (header, records) = super::csv_rows(text)?;
    // The columns renamed after what they hold, so cells are read by field; a bad cell
    // is still named by the column as the file spells it.
    let named: Vec<String> = header.iter().enumerate().map(|(i, _)| mapping.get(i).copied().unwrap_or(Field::Ignore).key().to_owned()).collect();
    let mut columns = Columns::new(&named);
    columns.1 = header.clone();
    let (mut rows, mut bad) = (Vec::new(), Vec::new());
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for (line, record) in &records {
        let line = *line;
        let mut r = Record { columns: &columns, cells: record, line, bad: &mut bad };
        let title = r.text(&["title"], MAX_TITLE);
        let key = Some(r.one(&["key"])).filter(|k| !k.is_empty()).unwrap_or_else(|| title.clone());
        let tool_type = r.one(&["type"]);
        let is_feature = ["epic", "feature", "project", "initiative"].iter().any(|t| tool_type.eq_ignore_ascii_case(t));
        let row = Row {
            line,
            kind: Some(if is_feature { RowKind::Feature } else { RowKind::Item }),
            tool_type,
            description: r.text(&["description"], MAX_DESCRIPTION),
            status: r.one(&["status"]),
            priority: r.one(&["priority"]),
            estimate: r.number(&["estimate"]),
            owner: r.one(&["owner"]),
            labels: r.all("labels").iter().flat_map(|c| c.split([',', ';'])).map(clean).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
            created: r.date(&["created"], any_date),
            due: r.date(&["due"], any_date),
            parent: Some(r.one(&["parent"])).filter(|p| !p.is_empty()),
            blocks: keys(r.all("blocks")),
            blocked_by: keys(r.all("blocked by")),
            key: key.clone(),
            title,
            ..Row::default()
        };
        if key.is_empty() {
            let column = header.get(mapping.iter().position(|f| *f == Field::Key).or_else(|| mapping.iter().position(|f| *f == Field::Title)).unwrap_or(0)).cloned().unwrap_or_default();
            bad.push(BadCell { line, column, why: "is empty; the row is left out".to_owned() });
            continue;
        }
        if let Some(first) = seen.insert(key.clone(), line) {
            bad.push(BadCell { line, column: String::new(), why: format!("repeats the key “{key}” of line {first}; the row is left out") });
            continue;
        }
        rows.push(row);
    }
    crate::sort::sort_by_key(&mut bad, |c| (c.line, header.iter().position(|h| *h == c.column).unwrap_or(0)));
    Ok(Backlog { source: Source::Other, rows, bad, header })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHEET: &str = "Ref,Name,Kind,Notes,State,Tags,Tags,Due,Epic,Depends on,Points\r\n\
        R-1,Self-serve billing,Epic,Let customers pay alone,Doing,billing,,2025-09-30,,,\r\n\
        R-2,Card payments,Story,\"Cards first.\nThen SEPA.\",To do,billing,cards,14/Jul/25,R-1,R-3,5\r\n\
        R-3,Tax rules,Story,,To do,,,someday,R-1,,lots\r\n\
        ,,,,,,,,,,\r\n\
        R-2,Card payments again,Story,,,,,,,,\r\n";

    fn mapping() -> Vec<Field> {
        use Field::*;
        vec![Key, Title, Type, Description, Status, Labels, Labels, Due, Parent, BlockedBy, Estimate]
    }

    #[test]
    fn a_mapped_sheet_reads_features_items_links_and_names_each_bad_cell() {
        let b = read_mapped(SHEET, &mapping()).unwrap();
        assert_eq!(b.source, Source::Other);
        let keys: Vec<&str> = b.rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["R-1", "R-2", "R-3"]);
        assert_eq!(b.rows[0].kind, Some(RowKind::Feature));
        let card = &b.rows[1];
        assert_eq!((card.kind, card.title.as_str(), card.description.as_str()), (Some(RowKind::Item), "Card payments", "Cards first.\nThen SEPA."));
        assert_eq!((card.labels.clone(), card.parent.as_deref(), card.blocked_by.clone(), card.estimate), (vec!["billing".into(), "cards".into()], Some("R-1"), vec!["R-3".into()], Some(5.0)));
        assert_eq!(card.due.map(|d| d.to_string()).as_deref(), Some("2025-07-14"));
        let why: Vec<(u64, &str)> = b.bad.iter().map(|c| (c.line, c.column.as_str())).collect();
        assert_eq!(why, [(5, "Due"), (5, "Points"), (7, "")], "{:?}", b.bad);
        assert!(b.bad[2].why.contains("repeats the key “R-2” of line 3"));
    }

    #[test]
    fn without_a_title_nothing_is_read_and_without_a_key_the_title_is_the_key() {
        assert_eq!(read_mapped(SHEET, &[Field::Key]), Err("Map a column to Title: every row needs one.".to_owned()));
        let b = read_mapped("Name\nA\nB\n", &[Field::Title]).unwrap();
        assert_eq!(b.rows.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["A", "B"]);
    }

    #[test]
    fn only_columns_named_as_fields_are_suggested() {
        let header: Vec<String> = ["Title", "STATUS", "Notes", "Due date", "key"].iter().map(|s| s.to_string()).collect();
        assert_eq!(suggest(&header), [Field::Title, Field::Status, Field::Ignore, Field::Due, Field::Key]);
    }
}
