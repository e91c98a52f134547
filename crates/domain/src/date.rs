//! Calendar days (ISO 8601, `YYYY-MM-DD`): the one date type every artifact uses.
//!
//! Stored in the document as that string. A peer may write anything there, so reading
//! parses strictly and reports garbage as a [`crate::Problem`]; writing only ever
//! stores a day that [`Date::parse`] accepted.

use std::fmt;

/// A calendar day between the years 1 and 9999.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Why text is not a calendar day, in words for the person who typed it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DateError(String);

impl Date {
    /// The day `year-month-day`, if it exists.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        ((1..=9999).contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD` (what a date input yields), nothing looser.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let t = text.trim();
        let b = t.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) || !digits(5..7) || !digits(8..10) {
            let shown: String = t.chars().take(40).collect();
            return Err(DateError(format!("{shown:?} is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31")));
        }
        let (year, month, day) = (t[0..4].parse().unwrap_or(0), t[5..7].parse().unwrap_or(0), t[8..10].parse().unwrap_or(0));
        Date::new(year, month, day).ok_or_else(|| DateError(format!("{t} is not a day of the calendar")))
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before), for durations and the timeline.
    pub fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The day `days` after 1970-01-01 ([`Date::days`] back), if between the years 1 and 9999.
    pub fn from_days(days: i64) -> Option<Date> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(u16::try_from(year).ok()?, month as u8, day as u8)
    }

    /// The month it falls in, `YYYY-MM` (for per-period statistics).
    pub fn period(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_days_in_iso_form_parse() {
        assert_eq!(Date::parse("2026-03-31").unwrap().to_string(), "2026-03-31");
        assert_eq!(Date::parse(" 2024-02-29 ").unwrap().period(), "2024-02");
        for bad in ["2025-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "0000-01-01", "26-03-31", "2026/03/31", "2026-3-31", "", "tomorrow", "２０２６-03-31"] {
            assert!(Date::parse(bad).is_err(), "{bad:?} parsed");
        }
        assert!(Date::parse("2000-02-29").is_ok());
        assert!(Date::parse("2026-03-31").unwrap() < Date::parse("2026-04-01").unwrap());
    }

    #[test]
    fn errors_say_what_to_type_and_quote_hostile_input_safely() {
        let e = Date::parse("<script>alert(1)</script> and a great deal more text after that").unwrap_err().to_string();
        assert!(e.contains("YYYY-MM-DD") && e.len() < 120, "{e}");
        assert_eq!(Date::parse("2026-02-30").unwrap_err().to_string(), "2026-02-30 is not a day of the calendar");
    }

    #[test]
    fn day_numbers_count_calendar_days_both_ways() {
        let d = |s: &str| Date::parse(s).unwrap();
        assert_eq!(d("1970-01-01").days(), 0);
        assert_eq!(d("2024-03-01").days() - d("2024-02-28").days(), 2);
        assert_eq!(d("2025-03-01").days() - d("2025-02-28").days(), 1);
        for s in ["0001-01-01", "1999-12-31", "2000-02-29", "2026-11-30", "9999-12-31"] {
            assert_eq!(Date::from_days(d(s).days()), Some(d(s)), "{s}");
        }
        assert_eq!(Date::from_days(d("9999-12-31").days() + 1), None);
    }
}
