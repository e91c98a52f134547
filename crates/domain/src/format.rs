//! Number formatting shared by the app and the exports.

/// 1234567.8 → "1,234,568" (negative numbers with a real minus sign).
pub fn group_thousands(n: f64) -> String {
    let digits = format!("{:.0}", n.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 && digits != "0" {
        format!("−{out}")
    } else {
        out
    }
}

/// A measured value as people read it: thousands grouped, and decimals only where the
/// value has them (2 at most from 1 up; 4 significant digits below 1): 1234.5 →
/// "1,234.5", 0.034567 → "0.03457", 42 → "42".
pub fn measure(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let decimals = if v.abs() >= 1.0 || v == 0.0 { 2 } else { (4 - (v.abs().log10().floor() as i32 + 1)).clamp(2, 8) as usize };
    let text = format!("{:.*}", decimals, v.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let fraction = fraction.trim_end_matches('0');
    let whole = group_thousands(whole.parse::<f64>().unwrap_or(0.0));
    let sign = if v < 0.0 && (whole != "0" || !fraction.is_empty()) { "−" } else { "" };
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// A measured value with its unit: "420 teams", "3.5 %", "12" (no unit).
pub fn with_unit(value: f64, unit: &str) -> String {
    let n = measure(value);
    match unit.trim() {
        "" => n,
        "%" => format!("{n} %"),
        "$" | "€" | "£" => format!("{}{n}", unit.trim()),
        u => format!("{n} {u}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_read_as_people_write_them() {
        assert_eq!(measure(1234.5), "1,234.5");
        assert_eq!(measure(42.0), "42");
        assert_eq!(measure(0.03456), "0.03456");
        assert_eq!(measure(0.5), "0.5");
        assert_eq!(measure(-2500.257), "−2,500.26");
        assert_eq!(measure(0.0), "0");
        assert_eq!(measure(0.000125), "0.000125");
        assert_eq!(measure(0.034567), "0.03457");
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(group_thousands(1_234_567.8), "1,234,568");
        assert_eq!(group_thousands(120_000.0), "120,000");
        assert_eq!(group_thousands(-5_000.0), "−5,000");
        assert_eq!(group_thousands(999.0), "999");
        assert_eq!(group_thousands(-0.2), "0");
    }
}
