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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(group_thousands(1_234_567.8), "1,234,568");
        assert_eq!(group_thousands(120_000.0), "120,000");
        assert_eq!(group_thousands(-5_000.0), "−5,000");
        assert_eq!(group_thousands(999.0), "999");
        assert_eq!(group_thousands(-0.2), "0");
    }
}
