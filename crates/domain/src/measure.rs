//! The figures behind "Measure and decide", exactly as DOMAIN.md gives them: a KPI's or
//! key result's progress, where a straight line says it should be today, whether it
//! is on track, its 0–1 grade and band, an objective's grade from its key results; and
//! costs against budget by earned value (PV, EV, AC, CV, SV, CPI, SPI, EAC, ETC, VAC).

/// A KPI or key result at one moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    pub baseline: f64,
    pub target: f64,
    pub current: f64,
}

impl Reading {
    /// (current − baseline) ÷ (target − baseline): 0 at the baseline, 1 at the target,
    /// also when a lower value is better; none when target and baseline are equal.
    pub fn progress(self) -> Option<f64> {
        let span = self.target - self.baseline;
        (span != 0.0).then(|| (self.current - self.baseline) / span)
    }

    /// The progress clamped to 0–1.
    pub fn grade(self) -> Option<f64> {
        self.progress().map(|p| p.clamp(0.0, 1.0))
    }
}

/// Where a straight line from the start to the due date says progress should be after
/// `elapsed` of `planned` days (0–1; 1 once the due date has passed).
pub fn expected_progress(elapsed: i64, planned: i64) -> f64 {
    if planned <= 0 {
        return 1.0;
    }
    (elapsed as f64 / planned as f64).clamp(0.0, 1.0)
}

/// On track when progress is at least where the straight line says it should be.
pub fn on_track(progress: f64, expected: f64) -> bool {
    progress >= expected
}

/// A grade's band: ≥ 0.7 green, 0.4–0.7 amber, < 0.4 red.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Band {
    Red,
    Amber,
    Green,
}

impl Band {
    pub fn of(grade: f64) -> Band {
        if grade >= 0.7 {
            Band::Green
        } else if grade >= 0.4 {
            Band::Amber
        } else {
            Band::Red
        }
    }
}

/// An objective's grade: the mean of its key results' grades, weighted when weights are
/// given (a missing weight counts 1); none without a graded key result.
pub fn objective_grade(key_results: &[(f64, Option<f64>)]) -> Option<f64> {
    let (sum, weights) = key_results.iter().fold((0.0, 0.0), |(s, w), (grade, weight)| {
        let weight = weight.unwrap_or(1.0).max(0.0);
        (s + grade * weight, w + weight)
    });
    (weights > 0.0).then(|| sum / weights)
}

/// Earned value: a budget against the work done and the money spent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EarnedValue {
    /// Budget at completion.
    pub bac: f64,
    /// Planned value: BAC × planned % complete by today.
    pub pv: f64,
    /// Earned value: BAC × actual % complete.
    pub ev: f64,
    /// Actual cost to date.
    pub ac: f64,
}

impl EarnedValue {
    /// From the budget, the share of work planned and done by today (0–1) and the
    /// actual cost so far.
    pub fn new(budget: f64, planned_done: f64, actually_done: f64, actual_cost: f64) -> EarnedValue {
        EarnedValue { bac: budget, pv: budget * planned_done, ev: budget * actually_done, ac: actual_cost }
    }

    /// Cost variance EV − AC (negative: over budget for the work done).
    pub fn cv(self) -> f64 {
        self.ev - self.ac
    }

    /// Schedule variance EV − PV (negative: behind).
    pub fn sv(self) -> f64 {
        self.ev - self.pv
    }

    /// Cost performance index EV ÷ AC; none before anything is spent.
    pub fn cpi(self) -> Option<f64> {
        (self.ac > 0.0).then(|| self.ev / self.ac)
    }

    /// Schedule performance index EV ÷ PV; none before anything was planned.
    pub fn spi(self) -> Option<f64> {
        (self.pv > 0.0).then(|| self.ev / self.pv)
    }

    /// Estimate at completion BAC ÷ CPI; none while CPI is unknown or 0.
    pub fn eac(self) -> Option<f64> {
        self.cpi().filter(|c| *c > 0.0).map(|c| self.bac / c)
    }

    /// Estimate to complete EAC − AC.
    pub fn etc(self) -> Option<f64> {
        self.eac().map(|e| e - self.ac)
    }

    /// Variance at completion BAC − EAC (negative: the budget will be overrun).
    pub fn vac(self) -> Option<f64> {
        self.eac().map(|e| self.bac - e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_works_both_ways_and_on_track_follows_the_straight_line() {
        // Activation from 20 % to 40 %, now 30 %: half way.
        let up = Reading { baseline: 20.0, target: 40.0, current: 30.0 };
        assert_eq!(up.progress(), Some(0.5));
        // Churn from 8 % down to 5 %, now 7 %: a third of the way (lower is better).
        let down = Reading { baseline: 8.0, target: 5.0, current: 7.0 };
        assert!((down.progress().unwrap() - 1.0 / 3.0).abs() < 1e-12);
        // 60 of 90 days gone: two thirds expected; half is behind, 0.7 is on track.
        let expected = expected_progress(60, 90);
        assert!((expected - 2.0 / 3.0).abs() < 1e-12);
        assert!(!on_track(0.5, expected) && on_track(0.7, expected));
        assert_eq!(expected_progress(120, 90), 1.0);
        assert_eq!(Reading { baseline: 5.0, target: 5.0, current: 6.0 }.progress(), None);
        assert_eq!(Reading { baseline: 20.0, target: 40.0, current: 50.0 }.grade(), Some(1.0));
        assert_eq!(Reading { baseline: 20.0, target: 40.0, current: 10.0 }.grade(), Some(0.0));
    }

    #[test]
    fn grades_fall_in_bands_and_roll_up_to_the_objective() {
        assert_eq!([0.39, 0.4, 0.69, 0.7, 1.0].map(Band::of), [Band::Red, Band::Amber, Band::Amber, Band::Green, Band::Green]);
        assert_eq!(objective_grade(&[(1.0, None), (0.4, None), (0.1, None)]), Some(0.5));
        // Weighted: the first counts twice.
        assert!((objective_grade(&[(1.0, Some(2.0)), (0.4, Some(1.0))]).unwrap() - 0.8).abs() < 1e-12);
        assert_eq!(objective_grade(&[]), None);
    }

    #[test]
    fn earned_value_worked_example() {
        // Budget 100,000; 50 % of the work planned by today, 40 % done, 50,000 spent.
        let v = EarnedValue::new(100_000.0, 0.5, 0.4, 50_000.0);
        assert_eq!((v.pv, v.ev, v.ac), (50_000.0, 40_000.0, 50_000.0));
        assert_eq!((v.cv(), v.sv()), (-10_000.0, -10_000.0));
        assert_eq!((v.cpi(), v.spi()), (Some(0.8), Some(0.8)));
        // Forecast at completion 100,000 ÷ 0.8 = 125,000: 75,000 still to spend, 25,000 over.
        assert_eq!((v.eac(), v.etc(), v.vac()), (Some(125_000.0), Some(75_000.0), Some(-25_000.0)));
        let fresh = EarnedValue::new(100_000.0, 0.0, 0.0, 0.0);
        assert_eq!((fresh.cpi(), fresh.spi(), fresh.eac()), (None, None, None), "nothing to divide by yet");
    }
}
