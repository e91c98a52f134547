//! Reading a backlog exported from Jira or Linear as CSV (DOMAIN.md, "Interchange"):
//! the format is told from the header (names matched without regard to case), each row
//! becomes a [`Row`] with its external key, type, text, status, priority, estimate,
//! owner, labels, dates, parent, "blocks" links and comments. Cells a spreadsheet
//! protected with a leading `'` (before `+ - = @`) lose it; a byte-order mark, CRLF and
//! quoted newlines are the CSV crate's to handle. A cell that cannot be read is named by
//! its line and column and leaves the rest of its row, and the other rows, alone.
//! Nothing here touches a workspace: the import plan does that after a preview.

pub mod mapping;

use std::collections::BTreeMap;

use crate::date::Date;

/// Where a file comes from, told from its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Source {
    Jira,
    Linear,
    /// Any other CSV: its columns are mapped by the person.
    Other,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Jira => "Jira",
            Source::Linear => "Linear",
            Source::Other => "CSV",
        }
    }
}

/// What a row is on the roadmap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RowKind {
    /// A Jira epic or a Linear project: a roadmap feature.
    Feature,
    /// A story, task, bug or issue: a user story or an idea, as the person chooses.
    Item,
}

/// One comment: who, when, what.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Comment {
    pub author: String,
    pub at: Option<Date>,
    pub text: String,
}

/// One row of the export, read.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Row {
    /// The file's line where the row starts.
    pub line: u64,
    /// The external key ("PAY-101", "ENG-12"; a Linear project: "project:p-1").
    pub key: String,
    pub kind: Option<RowKind>,
    /// The type as the tool names it ("Epic", "Bug").
    pub tool_type: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub priority: String,
    /// Story points or estimate.
    pub estimate: Option<f64>,
    pub owner: String,
    pub labels: Vec<String>,
    pub created: Option<Date>,
    pub due: Option<Date>,
    /// A Linear cycle's or a sprint's dates.
    pub start: Option<Date>,
    pub end: Option<Date>,
    /// The parent's key (an epic, a project or another issue).
    pub parent: Option<String>,
    /// Keys this row blocks, and keys that block it.
    pub blocks: Vec<String>,
    pub blocked_by: Vec<String>,
    pub comments: Vec<Comment>,
}

/// A cell that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BadCell {
    pub line: u64,
    pub column: String,
    pub why: String,
}

/// What a file holds.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Backlog {
    pub source: Source,
    pub rows: Vec<Row>,
    pub bad: Vec<BadCell>,
    /// The header, as written (for mapping the columns of any other CSV).
    pub header: Vec<String>,
}

/// The longest title and description kept, in characters.
pub const MAX_TITLE: usize = 500;
pub const MAX_DESCRIPTION: usize = 100_000;
/// The most rows one file may bring.
pub const MAX_ROWS: usize = 20_000;

/// A cell as the tool meant it: trimmed, and without the `'` that spreadsheet exports
/// put before a leading `+ - = @`.
pub fn clean(cell: &str) -> &str {
    let t = cell.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['+', '-', '=', '@']) => rest,
        _ => t,
    }
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// A Jira date, `14/Jul/25 3:42 PM` or `30/Sep/25` (the time is not kept).
pub fn jira_date(text: &str) -> Result<Date, String> {
    let t = text.trim();
    let refused = || format!("“{}” is not a Jira date such as 14/Jul/25 3:42 PM", t.chars().take(40).collect::<String>());
    let day_part = t.split_whitespace().next().ok_or_else(refused)?;
    let mut parts = day_part.split('/');
    let (Some(d), Some(m), Some(y), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else { return Err(refused()) };
    let month = MONTHS.iter().position(|name| name.eq_ignore_ascii_case(m)).ok_or_else(refused)? as u8 + 1;
    let day: u8 = d.parse().map_err(|_| refused())?;
    let year: u16 = match y.len() {
        2 => 2000 + y.parse::<u16>().map_err(|_| refused())?,
        4 => y.parse().map_err(|_| refused())?,
        _ => return Err(refused()),
    };
    Date::new(year, month, day).ok_or_else(refused)
}

/// A Linear date: ISO `2025-06-02T00:00:00.000Z` or `2025-07-31`.
pub fn iso_date(text: &str) -> Result<Date, String> {
    let t = text.trim();
    let day = t.get(..10).filter(|_| t.len() == 10 || t.as_bytes().get(10) == Some(&b'T'));
    day.and_then(|d| Date::parse(d).ok()).ok_or_else(|| format!("“{}” is not a date such as 2025-06-02", t.chars().take(40).collect::<String>()))
}

/// The header's columns by lower-case name, each with every position it appears at
/// (Jira repeats Labels, Sprint, Comment…).
struct Columns(BTreeMap<String, Vec<usize>>, Vec<String>);

impl Columns {
    fn new(header: &[String]) -> Columns {
        let mut map: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, name) in header.iter().enumerate() {
            map.entry(name.trim().trim_start_matches('\u{feff}').to_lowercase()).or_default().push(i);
        }
        Columns(map, header.to_vec())
    }

    fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// A column as the header spells it ("Created" for `created`).
    fn spelled(&self, name: &str) -> String {
        self.0.get(name).and_then(|at| self.1.get(at[0])).cloned().unwrap_or_else(|| name.to_owned())
    }
}

/// One record with its header, for reading cells by column name.
struct Record<'a> {
    columns: &'a Columns,
    cells: &'a csv::StringRecord,
    line: u64,
    bad: &'a mut Vec<BadCell>,
}

impl Record<'_> {
    /// The first non-empty cell of any of `names`.
    fn one(&self, names: &[&str]) -> String {
        names
            .iter()
            .filter_map(|n| self.columns.0.get(*n))
            .flatten()
            .filter_map(|i| self.cells.get(*i))
            .map(clean)
            .find(|c| !c.is_empty())
            .unwrap_or_default()
            .to_owned()
    }

    /// Every non-empty cell of column `name` (repeated columns included).
    fn all(&self, name: &str) -> Vec<String> {
        self.columns.0.get(name).into_iter().flatten().filter_map(|i| self.cells.get(*i)).map(clean).filter(|c| !c.is_empty()).map(str::to_owned).collect()
    }

    fn fail(&mut self, column: &str, why: String) {
        let column = self.columns.spelled(column);
        self.bad.push(BadCell { line: self.line, column, why });
    }

    /// A text cell, refused (and left empty) beyond `max` characters.
    fn text(&mut self, names: &[&str], max: usize) -> String {
        let t = self.one(names);
        if t.chars().count() > max {
            self.fail(names[0], format!("is longer than {} characters; left out", crate::format::group_thousands(max as f64)));
            return String::new();
        }
        t
    }

    fn date(&mut self, names: &[&str], parse: fn(&str) -> Result<Date, String>) -> Option<Date> {
        let t = self.one(names);
        if t.is_empty() {
            return None;
        }
        parse(&t).map_err(|e| self.fail(names[0], e)).ok()
    }

    fn number(&mut self, names: &[&str]) -> Option<f64> {
        let t = self.one(names);
        if t.is_empty() {
            return None;
        }
        match t.parse::<f64>() {
            Ok(n) if n.is_finite() && (0.0..=1e6).contains(&n) => Some(n),
            _ => {
                self.fail(names[0], format!("“{}” is not an estimate", t.chars().take(40).collect::<String>()));
                None
            }
        }
    }
}

/// Keys in a cell that may hold several ("ENG-12, ENG-15").
fn keys(cells: Vec<String>) -> Vec<String> {
    cells.iter().flat_map(|c| c.split([',', ';', ' '])).map(str::trim).filter(|k| !k.is_empty()).map(str::to_owned).collect()
}

/// Tells the format from the header.
fn source_of(columns: &Columns) -> Source {
    if columns.has("summary") && columns.has("issue key") {
        Source::Jira
    } else if columns.has("title") && columns.has("id") && (columns.has("team") || columns.has("cycle name") || columns.has("uuid")) {
        Source::Linear
    } else {
        Source::Other
    }
}

fn read_jira(r: &mut Record) -> Row {
    let tool_type = r.one(&["issue type"]);
    let comments = r
        .all("comment")
        .into_iter()
        .map(|c| {
            // "03/Jun/25 10:01 AM;Sam Lee;Linked to the Q3 activation goal"
            let mut parts = c.splitn(3, ';');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(at), Some(author), Some(text)) if jira_date(at).is_ok() => Comment { author: author.trim().to_owned(), at: jira_date(at).ok(), text: text.trim().to_owned() },
                _ => Comment { author: String::new(), at: None, text: c.clone() },
            }
        })
        .collect();
    Row {
        line: r.line,
        key: r.one(&["issue key"]),
        kind: Some(if tool_type.eq_ignore_ascii_case("epic") { RowKind::Feature } else { RowKind::Item }),
        tool_type,
        title: r.text(&["summary"], MAX_TITLE),
        description: r.text(&["description"], MAX_DESCRIPTION),
        status: r.one(&["status"]),
        priority: r.one(&["priority"]),
        estimate: r.number(&["custom field (story points)", "story points", "custom field (story point estimate)"]),
        owner: r.one(&["assignee"]),
        labels: r.all("labels"),
        created: r.date(&["created"], jira_date),
        due: r.date(&["due date"], jira_date),
        start: None,
        end: None,
        parent: Some(r.one(&["parent", "parent id"])).filter(|p| !p.is_empty()),
        blocks: keys(r.all("outward issue link (blocks)")),
        blocked_by: keys(r.all("inward issue link (blocks)")),
        comments,
    }
}

fn read_linear(r: &mut Record) -> Row {
    let project = r.one(&["project id", "project"]);
    Row {
        line: r.line,
        key: r.one(&["id"]),
        kind: Some(RowKind::Item),
        tool_type: "Issue".to_owned(),
        title: r.text(&["title"], MAX_TITLE),
        description: r.text(&["description"], MAX_DESCRIPTION),
        status: r.one(&["status"]),
        priority: r.one(&["priority"]),
        estimate: r.number(&["estimate"]),
        owner: r.one(&["assignee"]),
        labels: r.one(&["labels"]).split(',').map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        created: r.date(&["created"], iso_date),
        due: r.date(&["due date"], iso_date),
        start: r.date(&["cycle start"], iso_date),
        end: r.date(&["cycle end"], iso_date),
        parent: Some(r.one(&["parent issue"])).filter(|p| !p.is_empty()).or_else(|| (!project.is_empty()).then(|| format!("project:{project}"))),
        blocks: Vec::new(),
        blocked_by: keys(r.all("blocked by")),
        comments: Vec::new(),
    }
}

/// A Linear project named on its issues, as a feature row of its own.
fn linear_projects(projects: &BTreeMap<String, (u64, String)>) -> Vec<Row> {
    projects
        .iter()
        .map(|(key, (line, name))| Row { line: *line, key: key.clone(), kind: Some(RowKind::Feature), tool_type: "Project".to_owned(), title: name.clone(), ..Row::default() })
        .collect()
}

/// A CSV's header and its rows that are not blank, each with the line it starts on
/// (quoted newlines count). Fails when the text is not CSV, is empty, or has more
/// than [`MAX_ROWS`] rows.
fn csv_rows(text: &str) -> Result<(Vec<String>, Vec<(u64, csv::StringRecord)>), String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(|c| c.trim().to_owned()).collect(),
        Some(Err(e)) => return Err(format!("This is not a CSV file this app can read: {e}")),
        None => return Err("The file is empty.".to_owned()),
    };
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(|e| format!("This is not a CSV file this app can read: {e}"))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(format!("The file has more than {} rows: import it in parts.", crate::format::group_thousands(MAX_ROWS as f64)));
        }
        rows.push((crate::points_csv::line_at(text, record.position().map_or(0, |p| p.byte()), false), record));
    }
    Ok((header, rows))
}

/// Reads a Jira or Linear export (or any CSV, as rows to map); fails only when the
/// file is not CSV or holds no rows.
pub fn read_backlog(text: &str) -> Result<Backlog, String> {
    let text = text.trim_start_matches('\u{feff}');
    let (header, records) = csv_rows(text)?;
    let columns = Columns::new(&header);
    let source = source_of(&columns);
    let (mut rows, mut bad) = (Vec::new(), Vec::new());
    let mut projects: BTreeMap<String, (u64, String)> = BTreeMap::new();
    for (line, record) in &records {
        let line = *line;
        let mut r = Record { columns: &columns, cells: record, line, bad: &mut bad };
        let row = match source {
            Source::Jira => read_jira(&mut r),
            Source::Linear => {
                let project_id = r.one(&["project id"]);
                let project = r.one(&["project"]);
                if !project.is_empty() {
                    let key = format!("project:{}", if project_id.is_empty() { &project } else { &project_id });
                    projects.entry(key).or_insert((line, project));
                }
                read_linear(&mut r)
            }
            Source::Other => Row { line, ..Row::default() },
        };
        if source != Source::Other && row.key.is_empty() {
            bad.push(BadCell { line, column: if source == Source::Jira { "Issue key" } else { "ID" }.to_owned(), why: "is empty; the row is left out".to_owned() });
            continue;
        }
        rows.push(row);
    }
    let mut all = linear_projects(&projects);
    all.extend(rows);
    // Bad cells in the file's order: by line, then by column.
    crate::sort::sort_by_key(&mut bad, |c| (c.line, header.iter().position(|h| *h == c.column).unwrap_or(0)));
    Ok(Backlog { source, rows: all, bad, header })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JIRA: &str = include_str!("../testdata/jira-export-sample.csv");
    const LINEAR: &str = include_str!("../testdata/linear-export-sample.csv");

    fn day(s: &str) -> Option<Date> {
        Some(Date::parse(s).unwrap())
    }

    #[test]
    fn a_jira_export_reads_epics_stories_links_and_comments() {
        let b = read_backlog(JIRA).unwrap();
        assert_eq!((b.source, b.rows.len(), b.bad.clone()), (Source::Jira, 4, vec![]));
        let epic = &b.rows[0];
        assert_eq!((epic.key.as_str(), epic.kind, epic.title.as_str()), ("PAY-101", Some(RowKind::Feature), "Guided onboarding tour"));
        assert_eq!(epic.description, "New users drop off before their first invoice.\nWe want a short, skippable tour.");
        assert_eq!((epic.status.as_str(), epic.priority.as_str(), epic.estimate, epic.owner.as_str()), ("In Progress", "High", Some(13.0), "Dana Ortiz"));
        assert_eq!(epic.labels, ["onboarding", "activation"], "both Labels columns");
        assert_eq!((epic.created, epic.due), (day("2025-06-02"), day("2025-09-30")));
        assert_eq!(epic.blocks, ["PAY-104"]);
        assert_eq!(epic.comments, [Comment { author: "Sam Lee".into(), at: day("2025-06-03"), text: "Linked to the Q3 activation goal".into() }]);
        let story = &b.rows[1];
        assert_eq!((story.kind, story.parent.as_deref(), story.estimate), (Some(RowKind::Item), Some("PAY-101"), Some(5.0)));
        assert_eq!(b.rows[2].title, "Export ledger to CSV, with \"custom\" columns");
        let bug = &b.rows[3];
        assert_eq!((bug.tool_type.as_str(), bug.blocked_by.clone()), ("Bug", vec!["PAY-101".to_owned()]));
        assert_eq!(b.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 4, 5, 6], "a quoted newline takes a line");
    }

    #[test]
    fn a_linear_export_reads_projects_as_features_and_issues_under_them() {
        let b = read_backlog(LINEAR).unwrap();
        assert_eq!((b.source, b.bad.clone()), (Source::Linear, vec![]));
        let keys: Vec<(&str, Option<RowKind>)> = b.rows.iter().map(|r| (r.key.as_str(), r.kind)).collect();
        assert_eq!(keys, [("project:p-1", Some(RowKind::Feature)), ("ENG-12", Some(RowKind::Item)), ("ENG-15", Some(RowKind::Item)), ("ENG-19", Some(RowKind::Item))]);
        assert_eq!(b.rows[0].title, "Field Sales");
        let offline = &b.rows[1];
        assert_eq!((offline.parent.as_deref(), offline.labels.clone()), (Some("project:p-1"), vec!["mobile".to_owned(), "sync".to_owned()]));
        assert_eq!((offline.start, offline.end, offline.due), (day("2025-06-02"), day("2025-06-16"), day("2025-07-31")));
        assert_eq!((offline.estimate, offline.blocked_by.clone()), (Some(5.0), vec!["ENG-15".to_owned()]));
        assert_eq!(b.rows[2].parent.as_deref(), Some("ENG-12"), "a sub-issue names its parent issue");
        assert_eq!((b.rows[3].parent.clone(), b.rows[3].title.as_str()), (None, "Rename 'Accounts' to 'Customers'"));
    }

    #[test]
    fn hostile_cells_are_read_as_text_or_named_by_line_and_column() {
        let long = "x".repeat(MAX_TITLE + 1);
        let text = format!(
            "\u{feff}Summary,Issue key,Issue Type,Status,Created,Custom field (Story Points)\r\n\
             '=HYPERLINK(\"http://evil\"),PAY-1,Story,To Do,01/Jan/25 9:00 AM,3\r\n\
             <img src=x onerror=alert(1)>,PAY-2,Story,To Do,yesterday,lots\r\n\
             {long},PAY-3,Story\r\n\
             Ragged,PAY-4\r\n\
             No key,,Story\r\n"
        );
        let b = read_backlog(&text).unwrap();
        assert_eq!(b.source, Source::Jira, "a byte-order mark does not hide the header");
        let titles: Vec<&str> = b.rows.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(titles, ["=HYPERLINK(\"http://evil\")", "<img src=x onerror=alert(1)>", "", "Ragged"]);
        let bad: Vec<(u64, &str, &str)> = b.bad.iter().map(|c| (c.line, c.column.as_str(), c.why.as_str())).collect();
        assert_eq!(
            bad,
            [
                (3, "Created", "“yesterday” is not a Jira date such as 14/Jul/25 3:42 PM"),
                (3, "Custom field (Story Points)", "“lots” is not an estimate"),
                (4, "Summary", "is longer than 500 characters; left out"),
                (6, "Issue key", "is empty; the row is left out"),
            ]
        );
        assert!(read_backlog("").is_err());
        let other = read_backlog("Name,Score\nA,1\n").unwrap();
        assert_eq!((other.source, other.rows.len(), other.header.clone()), (Source::Other, 1, vec!["Name".to_owned(), "Score".to_owned()]));
    }

    #[test]
    fn dates_as_each_tool_writes_them() {
        assert_eq!(jira_date("14/Jul/25 3:42 PM").ok(), day("2025-07-14"));
        assert_eq!(jira_date("1/feb/2026").ok(), day("2026-02-01"));
        assert!(jira_date("31/Feb/25").is_err() && jira_date("2025-07-14").is_err());
        assert_eq!(iso_date("2025-06-02T00:00:00.000Z").ok(), day("2025-06-02"));
        assert!(iso_date("02/06/2025").is_err());
        assert_eq!(clean(" '+1 555 "), "+1 555");
        assert_eq!(clean("'quoted'"), "'quoted'");
    }
}
