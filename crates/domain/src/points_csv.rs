//! Measurements from a CSV file exported by an analytics tool: a column of days and a
//! column of values. Everything is read and checked first; rows that cannot be used
//! are named by their line with the reason, and the page writes nothing until the
//! person confirms the preview.

use crate::date::Date;
use crate::kind::{Point, MAX_MEASURE};

/// The most rows one file may bring.
pub const MAX_ROWS: usize = 10_000;

/// A row left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRow {
    /// The file's line (1 is the first).
    pub line: u64,
    pub why: String,
}

/// What a file holds, before anything is written.
#[derive(Clone, Debug, PartialEq)]
pub struct PointsFile {
    /// Oldest first.
    pub points: Vec<Point>,
    pub bad: Vec<BadRow>,
    /// The columns read, as the header names them ("Date", "Active users"), or
    /// "column 1" and "column 2" in a file without a header.
    pub columns: (String, String),
}

impl PointsFile {
    /// How many of `existing` get a new value (the same day is measured again).
    pub fn replacing(&self, existing: &[Point]) -> usize {
        self.points.iter().filter(|p| existing.iter().any(|e| e.date == p.date && e.value != p.value)).count()
    }
}

/// A day as analytics tools write it: `2026-10-01`, `2026-10-01T00:00:00Z`,
/// `2026-10-01 00:00`, `2026/10/01` or `20261001`.
pub fn parse_day(text: &str) -> Result<Date, String> {
    let t = text.trim();
    let refused = || format!("“{}” is not a day: write days as YYYY-MM-DD", t.chars().take(40).collect::<String>());
    let b = t.as_bytes();
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        return Date::parse(&format!("{}-{}-{}", &t[0..4], &t[4..6], &t[6..8])).map_err(|e| e.to_string());
    }
    let day = match t.get(..10) {
        Some(head) if b.len() == 10 || matches!(b.get(10), Some(b'T' | b' ')) => head.replace('/', "-"),
        _ => return Err(refused()),
    };
    if day.as_bytes().get(4) != Some(&b'-') {
        return Err(refused());
    }
    Date::parse(&day).map_err(|_| refused())
}

/// A value as analytics tools write it: `1234.5`, `1,234.5`, `12.5%`, `$1,200`.
pub fn parse_value(text: &str) -> Result<f64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("no value".to_owned());
    }
    let shown = || t.chars().take(40).collect::<String>();
    let bare = t.trim_end_matches('%').trim_start_matches(['$', '€', '£']).trim().replace(['_', ' ', '\u{a0}'], "");
    let bare = if bare.contains(',') {
        let (whole, _) = bare.split_once('.').unwrap_or((&bare, ""));
        let groups: Vec<&str> = whole.trim_start_matches('-').split(',').collect();
        let grouped = groups[0].len() <= 3 && !groups[0].is_empty() && groups[1..].iter().all(|g| g.len() == 3);
        if !grouped {
            return Err(format!("“{}” is ambiguous: write decimals with a point", shown()));
        }
        bare.replace(',', "")
    } else {
        bare
    };
    match bare.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= MAX_MEASURE => Ok(v),
        Ok(v) if v.is_finite() => Err(format!("“{}” is beyond 10¹⁵", shown())),
        _ => Err(format!("“{}” is not a number", shown())),
    }
}

/// The line a CSV record starts on, from its byte offset: past the line ends (and, with
/// `comments`, the `#` lines) before it. The csv crate's own count lags behind blank
/// lines and CRLF line ends.
pub(crate) fn line_at(text: &str, byte: u64, comments: bool) -> u64 {
    let bytes = text.as_bytes();
    let mut at = (byte as usize).min(bytes.len());
    loop {
        match bytes.get(at) {
            Some(b'\n' | b'\r') => at += 1,
            Some(b'#') if comments => at = bytes[at..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |n| at + n + 1),
            _ => break,
        }
    }
    bytes[..at].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

/// Which column holds days and which values, from the header.
fn pick_columns(header: &[String]) -> (usize, usize) {
    let named = |words: &[&str], skip: Option<usize>| {
        header.iter().enumerate().find(|(i, h)| Some(*i) != skip && words.iter().any(|w| h.to_lowercase().contains(w))).map(|(i, _)| i)
    };
    let date = named(&["date", "day", "week", "month", "time", "period"], None).unwrap_or(0);
    let value = named(&["value", "count", "total", "users", "amount", "rate", "revenue"], Some(date)).unwrap_or(if date == 0 { 1 } else { 0 });
    (date, value)
}

/// Reads every row of `text`; fails only when there is nothing to read.
pub fn read_points(text: &str) -> Result<PointsFile, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).comment(Some(b'#')).from_reader(text.as_bytes());
    let mut records = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) if r.iter().all(|c| c.trim().is_empty()) => {}
            Ok(r) => {
                let line = line_at(text, r.position().map_or(0, |p| p.byte()), true);
                records.push((line, r.iter().map(str::to_owned).collect::<Vec<String>>()));
            }
            Err(e) => return Err(format!("This is not a CSV file this app can read: {e}")),
        }
        if records.len() > MAX_ROWS + 1 {
            return Err(format!("The file has more than {} rows: split it, or keep one row a day.", crate::format::group_thousands(MAX_ROWS as f64)));
        }
    }
    let Some((_, first)) = records.first() else { return Err("The file is empty.".to_owned()) };
    let has_header = !first.iter().any(|c| parse_day(c).is_ok());
    let (date_col, value_col) = if has_header { pick_columns(first) } else { (0, 1) };
    let columns = if has_header {
        (first[date_col].trim().to_owned(), first.get(value_col).map_or_else(|| format!("column {}", value_col + 1), |h| h.trim().to_owned()))
    } else {
        ("column 1".to_owned(), "column 2".to_owned())
    };
    let mut seen: std::collections::BTreeMap<Date, u64> = std::collections::BTreeMap::new();
    let (mut points, mut bad) = (Vec::new(), Vec::new());
    for (line, cells) in records.iter().skip(usize::from(has_header)) {
        let cell = |i: usize| cells.get(i).map_or("", String::as_str);
        let read = parse_day(cell(date_col)).and_then(|date| Ok((date, parse_value(cell(value_col))?)));
        match read {
            Ok((date, _)) if seen.contains_key(&date) => bad.push(BadRow { line: *line, why: format!("{date} is already on line {}", seen[&date]) }),
            Ok((date, value)) => {
                seen.insert(date, *line);
                points.push(Point { date, value });
            }
            Err(why) => bad.push(BadRow { line: *line, why }),
        }
    }
    crate::sort::sort_by_key(&mut points, |p| p.date);
    Ok(PointsFile { points, bad, columns })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(f: &PointsFile) -> Vec<(String, f64)> {
        f.points.iter().map(|p| (p.date.to_string(), p.value)).collect()
    }

    #[test]
    fn an_analytics_export_with_comments_and_a_header() {
        let text = "# ----------------------------------------\n# Weekly active teams\n# ----------------------------------------\nWeek,Active teams,Sessions\n20261015,\"1,350\",9000\n20261001,1300,8000\n\n20261022,13.5.2,1\n";
        let f = read_points(text).unwrap();
        assert_eq!(f.columns, ("Week".to_owned(), "Active teams".to_owned()));
        assert_eq!(days(&f), [("2026-10-01".to_owned(), 1300.0), ("2026-10-15".to_owned(), 1350.0)]);
        assert_eq!(f.bad, [BadRow { line: 8, why: "“13.5.2” is not a number".into() }]);
    }

    #[test]
    fn bad_rows_are_named_by_line_and_the_rest_is_kept() {
        let text = "2026-10-01,12.5%\n2026-13-01,3\n01/10/2026,4\n2026-10-02,\n2026-10-03,\"3,5\"\n2026-10-01T09:00:00Z,13\n2026/10/04,\"$1,200\"\n";
        let f = read_points(text).unwrap();
        assert_eq!(f.columns, ("column 1".to_owned(), "column 2".to_owned()));
        assert_eq!(days(&f), [("2026-10-01".to_owned(), 12.5), ("2026-10-04".to_owned(), 1200.0)]);
        let lines: Vec<(u64, &str)> = f.bad.iter().map(|b| (b.line, b.why.as_str())).collect();
        assert_eq!(
            lines,
            [
                (2, "“2026-13-01” is not a day: write days as YYYY-MM-DD"),
                (3, "“01/10/2026” is not a day: write days as YYYY-MM-DD"),
                (4, "no value"),
                (5, "“3,5” is ambiguous: write decimals with a point"),
                (6, "2026-10-01 is already on line 1"),
            ]
        );
    }

    #[test]
    fn says_how_many_days_get_a_new_value() {
        let f = read_points("date,value\n2026-10-01,5\n2026-10-02,6\n").unwrap();
        let d = |s| Date::parse(s).unwrap();
        let existing = [Point { date: d("2026-10-01"), value: 4.0 }, Point { date: d("2026-10-02"), value: 6.0 }];
        assert_eq!(f.replacing(&existing), 1);
    }

    #[test]
    fn nothing_to_read_is_an_error() {
        assert_eq!(read_points("").unwrap_err(), "The file is empty.");
        assert_eq!(read_points("# only a comment\n\n").unwrap_err(), "The file is empty.");
        let many: String = (0..10_002).map(|i| format!("2026-01-01,{i}\n")).collect();
        assert!(read_points(&many).unwrap_err().starts_with("The file has more than 10,000 rows"));
    }

    #[test]
    fn values_and_days_in_their_usual_spellings() {
        assert_eq!(parse_value(" -1,234.5 "), Ok(-1234.5));
        assert_eq!(parse_value("€ 12"), Ok(12.0));
        assert!(parse_value("1,23").is_err() && parse_value("NaN").is_err() && parse_value("1e16").is_err());
        assert_eq!(parse_day("2026-02-29"), Err("“2026-02-29” is not a day: write days as YYYY-MM-DD".into()));
        assert_eq!(parse_day("2026-10-01 23:59").unwrap().to_string(), "2026-10-01");
    }
}
