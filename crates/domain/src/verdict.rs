//! An experiment's statistics, exactly as DOMAIN.md gives them: the two-proportion
//! z-test of each variant against the control (z, two-sided p, relative lift, the 95 %
//! interval of the difference and its warnings), and the visitors each arm needs
//! (sample size for a two-proportion test at a power and a significance).

/// The standard normal distribution's cumulative probability Φ(x).
pub fn phi(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// The standard normal quantile: the x with Φ(x) = `p`, for 0 < p < 1 (Acklam's
/// rational approximation, then one Newton step on Φ: about 1e-15 relative error).
pub fn quantile(p: f64) -> f64 {
    const A: [f64; 6] = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.383577518672690e2, -3.066479806614716e1, 2.506628277459239];
    const B: [f64; 5] = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let low = 0.02425;
    let x = if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Newton step: Φ(x) − p over the density.
    let density = (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
    x - (phi(x) - p) / density
}

/// One arm of an experiment: its visitors and conversions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arm {
    pub visitors: u64,
    pub conversions: u64,
}

impl Arm {
    pub fn rate(self) -> f64 {
        self.conversions as f64 / self.visitors as f64
    }
}

/// Why a comparison cannot be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoVerdict {
    /// An arm has no visitors yet.
    NoVisitors,
    /// An arm has more conversions than visitors.
    MoreConversionsThanVisitors,
    /// Both arms convert all or none: there is no variation to test.
    NoVariation,
}

impl std::fmt::Display for NoVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NoVerdict::NoVisitors => "an arm has no visitors yet",
            NoVerdict::MoreConversionsThanVisitors => "an arm has more conversions than visitors",
            NoVerdict::NoVariation => "every visitor of both arms did the same: there is nothing to compare",
        })
    }
}

/// A variant against the control.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub control_rate: f64,
    pub variant_rate: f64,
    /// (pB − pA) ÷ SE with the pooled SE.
    pub z: f64,
    /// Two-sided: 2(1 − Φ(|z|)).
    pub p: f64,
    /// (pB − pA) ÷ pA; none when the control converts no one.
    pub lift: Option<f64>,
    /// The 95 % interval of pB − pA, with the unpooled SE.
    pub interval: (f64, f64),
    /// Arms with fewer than 10 conversions or non-conversions: the normal
    /// approximation is not to be trusted.
    pub small_counts: bool,
}

/// DOMAIN.md's two-proportion z-test of `variant` (B) against `control` (A).
pub fn compare(control: Arm, variant: Arm) -> Result<Comparison, NoVerdict> {
    if control.visitors == 0 || variant.visitors == 0 {
        return Err(NoVerdict::NoVisitors);
    }
    if control.conversions > control.visitors || variant.conversions > variant.visitors {
        return Err(NoVerdict::MoreConversionsThanVisitors);
    }
    let (na, nb) = (control.visitors as f64, variant.visitors as f64);
    let (pa, pb) = (control.rate(), variant.rate());
    let pooled = (control.conversions + variant.conversions) as f64 / (na + nb);
    let se = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    if se == 0.0 {
        return Err(NoVerdict::NoVariation);
    }
    let z = (pb - pa) / se;
    let unpooled = (pa * (1.0 - pa) / na + pb * (1.0 - pb) / nb).sqrt();
    let half = quantile(0.975) * unpooled;
    let small = |a: Arm| a.conversions < 10 || a.visitors - a.conversions < 10;
    Ok(Comparison {
        control_rate: pa,
        variant_rate: pb,
        z,
        p: libm::erfc(z.abs() / std::f64::consts::SQRT_2),
        lift: (pa > 0.0).then(|| (pb - pa) / pa),
        interval: (pb - pa - half, pb - pa + half),
        small_counts: small(control) || small(variant),
    })
}

/// Visitors needed in each arm to detect a change of conversion rate from `p1` to `p2`
/// with a two-sided test at significance `alpha` and power `power` (DOMAIN.md's
/// formula); none when the rates are not two different proportions.
pub fn sample_size(p1: f64, p2: f64, alpha: f64, power: f64) -> Option<u64> {
    let valid = |p: f64| p > 0.0 && p < 1.0;
    if !valid(p1) || !valid(p2) || p1 == p2 || !(alpha > 0.0 && alpha < 1.0) || !(power > 0.0 && power < 1.0) {
        return None;
    }
    let mean = (p1 + p2) / 2.0;
    let d = p2 - p1;
    let n = (quantile(1.0 - alpha / 2.0) * (2.0 * mean * (1.0 - mean)).sqrt() + quantile(power) * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt()).powi(2) / (d * d);
    // A hair under a whole number is that number: floating point, not a visitor more.
    Some((n - 1e-9).ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_md_check_250_of_5000_against_295_of_5000() {
        let c = compare(Arm { visitors: 5000, conversions: 250 }, Arm { visitors: 5000, conversions: 295 }).unwrap();
        assert!((c.z - 1.98).abs() < 0.005, "z ≈ 1.98: {}", c.z);
        assert!((c.p - 0.047).abs() < 0.001, "p ≈ 0.047: {}", c.p);
        assert!((c.lift.unwrap() - 0.18).abs() < 1e-12, "lift 18 %: {:?}", c.lift);
        // Unpooled SE √(.05 × .95 / 5000 + .059 × .941 / 5000) = 0.0045391; 0.009 ± 1.959964 × it.
        assert!((c.interval.0 - 0.0001035).abs() < 1e-6 && (c.interval.1 - 0.0178965).abs() < 1e-6, "{:?}", c.interval);
        assert!(!c.small_counts);
    }

    #[test]
    fn small_counts_and_impossible_arms_are_said() {
        let c = compare(Arm { visitors: 40, conversions: 3 }, Arm { visitors: 40, conversions: 9 }).unwrap();
        assert!(c.small_counts, "under 10 conversions");
        let c = compare(Arm { visitors: 200, conversions: 195 }, Arm { visitors: 200, conversions: 150 }).unwrap();
        assert!(c.small_counts, "under 10 non-conversions");
        assert_eq!(compare(Arm { visitors: 0, conversions: 0 }, Arm { visitors: 10, conversions: 1 }), Err(NoVerdict::NoVisitors));
        assert_eq!(compare(Arm { visitors: 10, conversions: 11 }, Arm { visitors: 10, conversions: 1 }), Err(NoVerdict::MoreConversionsThanVisitors));
        assert_eq!(compare(Arm { visitors: 10, conversions: 0 }, Arm { visitors: 10, conversions: 0 }), Err(NoVerdict::NoVariation));
        let zero = compare(Arm { visitors: 100, conversions: 0 }, Arm { visitors: 100, conversions: 5 }).unwrap();
        assert_eq!(zero.lift, None, "no lift over a control that converts no one");
    }

    #[test]
    fn sample_sizes_match_domain_md_a_published_calculator_and_a_worked_example() {
        // DOMAIN.md: 10 % → 12 %, α = 0.05: 3,841 per arm at 80 % power, 5,142 at 90 %.
        assert_eq!(sample_size(0.10, 0.12, 0.05, 0.80), Some(3841));
        assert_eq!(sample_size(0.10, 0.12, 0.05, 0.90), Some(5142));
        // Worked by hand: 20 % → 25 %: p̄ = 0.225, (1.959964 × √0.34875 + 0.841621 ×
        // √0.3475)² ÷ 0.05² = 1,093.7, so 1,094 per arm.
        assert_eq!(sample_size(0.20, 0.25, 0.05, 0.80), Some(1094));
        // A published calculator: JMP 13.2's documentation, "Two Sample Proportions",
        // α 0.05, two-sided, p1 0.08, p2 0.06, power 0.8: "sample sizes of 2554".
        // https://jmp.com/support/help/13-2/Two_Sample_Proportions.shtml
        assert_eq!(sample_size(0.08, 0.06, 0.05, 0.80), Some(2554));
        assert_eq!(sample_size(0.10, 0.10, 0.05, 0.80), None);
        assert_eq!(sample_size(0.0, 0.10, 0.05, 0.80), None);
    }

    #[test]
    fn the_normal_functions_agree_with_their_tables() {
        for (p, x) in [(0.975, 1.959964), (0.80, 0.841621), (0.90, 1.281552), (0.5, 0.0), (0.01, -2.326348)] {
            assert!((quantile(p) - x).abs() < 1e-6, "quantile({p}) = {}", quantile(p));
            assert!((phi(x) - p).abs() < 1e-6);
        }
    }
}
