//! Success criteria: a feature names the KPI its success is judged by and the value it
//! should reach; once the feature has shipped (its release released, or the feature
//! done), the KPI's measurements since that day say whether it got there.

use crate::date::Date;
use crate::feature::Feature;
use crate::kind::Point;
use crate::objective::Objective;
use crate::release::Release;

/// Where a feature's success stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Success {
    /// No KPI or no target named yet.
    Unset,
    /// Not shipped yet: nothing to judge.
    NotShipped,
    /// Shipped on `since`, with no measurement from that day on.
    NotMeasured { since: Date },
    /// A measurement since shipping reached the target (the first that did).
    Reached { since: Date, at: Point },
    /// None has yet: the latest measurement since shipping.
    NotReached { since: Date, latest: Point },
}

/// The day a feature shipped: its release's target date once the release is released,
/// else its own target date once it is done (the day it was marked done is not kept).
pub fn shipped_on(feature: &Feature, release: Option<&Release>) -> Option<Date> {
    match release {
        Some(r) if r.status == Some("released") => r.target.or(feature.target),
        _ if feature.is_done() => feature.target,
        _ => None,
    }
}

/// Whether `value` reaches `target` for a KPI going from `baseline` (up, or down when
/// the target is below the baseline).
fn reaches(value: f64, target: f64, baseline: Option<f64>) -> bool {
    match baseline {
        Some(b) if target < b => value <= target,
        _ => value >= target,
    }
}

/// Judges `feature` by its KPI `kpi` (the one it links to), shipped as `shipped_on` says.
pub fn judge(feature: &Feature, kpi: Option<&Objective>, release: Option<&Release>) -> Success {
    let (Some(kpi), Some(target)) = (kpi, feature.success_target) else { return Success::Unset };
    let Some(since) = shipped_on(feature, release) else { return Success::NotShipped };
    let after: Vec<Point> = kpi.measurements.iter().copied().filter(|p| p.date >= since).collect();
    match (after.iter().find(|p| reaches(p.value, target, kpi.baseline)), after.last()) {
        (Some(at), _) => Success::Reached { since, at: *at },
        (None, Some(latest)) => Success::NotReached { since, latest: *latest },
        (None, None) => Success::NotMeasured { since },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FieldInput;
    use crate::link::{Ref, Relation};
    use crate::schema::{FEATURES, OBJECTIVES, RELEASES};
    use crate::Workspace;

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn a_feature_is_judged_by_its_kpi_after_its_release() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let kpi = ws.create_item::<Objective>("Weekly active teams", 1, "Ana").unwrap();
        ws.set_field::<Objective>(&kpi, "baseline", FieldInput::Value("300"), 2).unwrap();
        let points = [(day("2026-11-01"), Some(480.0)), (day("2026-12-20"), Some(490.0)), (day("2027-01-10"), Some(505.0))];
        ws.set_field::<Objective>(&kpi, "measurements", FieldInput::Points(&points), 2).unwrap();
        let f = ws.create_item::<Feature>("Offline mode", 1, "Ana").unwrap();
        let release = ws.create_item::<Release>("Winter", 1, "Ana").unwrap();
        ws.set_field::<Release>(&release, "target", FieldInput::Value("2026-12-15"), 2).unwrap();
        ws.link(&Ref::new(FEATURES, f.clone()), Relation::ShipsIn, &Ref::new(RELEASES, release.clone()), 2).unwrap();
        let read = |ws: &Workspace| {
            let feature = ws.item::<Feature>(&f).unwrap().0;
            let k = feature.success_kpi.as_ref().and_then(|id| ws.item::<Objective>(id)).map(|(k, _)| k);
            let r = ws.item::<Release>(&release).unwrap().0;
            judge(&feature, k.as_ref(), Some(&r))
        };
        assert_eq!(read(&ws), Success::Unset);
        ws.link(&Ref::new(FEATURES, f.clone()), Relation::JudgedBy, &Ref::new(OBJECTIVES, kpi.clone()), 3).unwrap();
        ws.set_field::<Feature>(&f, "success_target", FieldInput::Value("500"), 3).unwrap();
        assert_eq!(read(&ws), Success::NotShipped);
        ws.set_field::<Release>(&release, "status", FieldInput::Value("released"), 4).unwrap();
        // 480 came before the release; it does not count.
        assert_eq!(read(&ws), Success::Reached { since: day("2026-12-15"), at: Point { date: day("2027-01-10"), value: 505.0 } });
        ws.set_field::<Feature>(&f, "success_target", FieldInput::Value("600"), 5).unwrap();
        assert_eq!(read(&ws), Success::NotReached { since: day("2026-12-15"), latest: Point { date: day("2027-01-10"), value: 505.0 } });
    }

    #[test]
    fn lower_is_better_and_a_done_feature_without_a_release() {
        let mut churn = Objective { baseline: Some(5.0), ..Default::default() };
        churn.measurements = vec![Point { date: day("2026-11-10"), value: 2.9 }];
        let mut f = Feature { success_target: Some(3.0), target: Some(day("2026-11-01")), status: Some("done"), ..Default::default() };
        assert_eq!(judge(&f, Some(&churn), None), Success::Reached { since: day("2026-11-01"), at: churn.measurements[0] });
        f.target = Some(day("2026-11-20"));
        assert_eq!(judge(&f, Some(&churn), None), Success::NotMeasured { since: day("2026-11-20") });
    }
}
