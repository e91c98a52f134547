//! The workspace overview, its first screen: the north-star metric, how each objective
//! and KPI stands, the top-ranked ideas, the next release's readiness, the top open
//! risks, and NPS and CSAT month by month. Everything here is picked from what other
//! modules work out; nothing new is computed.

use crate::date::Date;
use crate::feedback::{satisfaction_by, Feedback};
use crate::kind::{Kind, Point};
use crate::objective::{Objective, Rollup, Standing};
use crate::release::Release;
use crate::risk::Risk;
use crate::roadmap::{readiness, Readiness};

/// How many ideas and risks the overview lists.
pub const TOP: usize = 5;

/// What the overview shows on one day.
#[derive(Clone, Debug, PartialEq)]
pub struct Overview {
    /// The first north-star metric, with where it stands.
    pub north_star: Option<(Objective, Option<Standing>)>,
    /// Objectives with their key results, by name.
    pub objectives: Vec<(Objective, Rollup)>,
    /// KPIs that are not a key result (nor the north star), by name.
    pub kpis: Vec<(Objective, Option<Standing>)>,
    /// The release due next (not released or cancelled; the earliest target date; one
    /// without a date after those with one) and its go / no-go.
    pub next_release: Option<(Release, Readiness)>,
    /// Open risks, highest score first (unscored ones left out).
    pub top_risks: Vec<Risk>,
    /// NPS and CSAT per month with answers, dated on the month's first day.
    pub nps: Vec<Point>,
    pub csat: Vec<Point>,
}

fn by_name(a: &Objective, b: &Objective) -> std::cmp::Ordering {
    a.title().to_lowercase().cmp(&b.title().to_lowercase())
}

impl Overview {
    pub fn of(objectives: &[Objective], releases: &[Release], risks: &[Risk], feedback: &[Feedback], today: Date) -> Overview {
        let live: Vec<&Objective> = objectives.iter().filter(|o| !o.is_deleted()).collect();
        let north_star = crate::objective::north_star(objectives).map(|o| (o.clone(), o.standing(today)));
        let mut goals: Vec<&Objective> = live.iter().copied().filter(|o| !o.is_measured()).collect();
        crate::sort::sort_by(&mut goals, |a, b| by_name(a, b));
        let owned: Vec<Objective> = live.iter().map(|o| (*o).clone()).collect();
        let objectives = goals.into_iter().map(|o| (o.clone(), o.rollup(&owned, today))).collect();
        let mut kpis: Vec<&Objective> = live.iter().copied().filter(|o| o.is_measured() && o.level != Some("north_star") && o.part_of.is_none()).collect();
        crate::sort::sort_by(&mut kpis, |a, b| by_name(a, b));
        let kpis = kpis.into_iter().map(|o| (o.clone(), o.standing(today))).collect();

        let mut upcoming: Vec<&Release> = releases.iter().filter(|r| !r.is_deleted() && !matches!(r.status, Some("released" | "cancelled"))).collect();
        crate::sort::sort_by_key(&mut upcoming, |r| (r.target.is_none(), r.target));
        let next_release = upcoming.first().map(|r| ((*r).clone(), readiness(r)));

        let mut top_risks: Vec<Risk> = risks.iter().filter(|r| !r.is_deleted() && r.is_open() && r.score().is_some()).cloned().collect();
        crate::sort::sort_by(&mut top_risks, |a, b| b.score().cmp(&a.score()).then_with(|| a.title().to_lowercase().cmp(&b.title().to_lowercase())));
        top_risks.truncate(TOP);

        let (mut nps, mut csat) = (Vec::new(), Vec::new());
        for (month, s) in satisfaction_by(feedback, Feedback::period) {
            let Ok(date) = Date::parse(&format!("{month}-01")) else { continue };
            if let Some(n) = s.nps {
                nps.push(Point { date, value: n.score });
            }
            if let Some(c) = s.csat {
                csat.push(Point { date, value: c.percent });
            }
        }
        Overview { north_star, objectives, kpis, next_release, top_risks, nps, csat }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::{Channel, FeedbackLabel, RatingScale};
    use crate::kind::FieldInput;
    use crate::Workspace;

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn item<K: Kind>(ws: &mut Workspace, title: &str, fields: &[(&str, &str)]) -> crate::Id {
        let id = ws.create_item::<K>(title, 1, "Ana").unwrap();
        for (key, value) in fields {
            ws.set_field::<K>(&id, key, FieldInput::Value(value), 2).unwrap();
        }
        id
    }

    #[test]
    fn picks_the_north_star_the_next_release_the_top_risks_and_satisfaction_by_month() {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        let star = item::<Objective>(&mut ws, "Invoices paid on time", &[("level", "north_star"), ("unit", "%"), ("baseline", "60"), ("target", "90")]);
        let points = [(day("2026-11-01"), Some(75.0))];
        ws.set_field::<Objective>(&star, "measurements", FieldInput::Points(&points), 3).unwrap();
        item::<Objective>(&mut ws, "Teams rely on us", &[("level", "objective")]);
        item::<Objective>(&mut ws, "Signups", &[]);
        item::<Release>(&mut ws, "Done already", &[("target", "2026-10-01"), ("status", "released")]);
        item::<Release>(&mut ws, "Spring", &[("target", "2027-03-01")]);
        item::<Release>(&mut ws, "Winter", &[("target", "2026-12-15")]);
        item::<Release>(&mut ws, "Someday", &[]);
        for (title, l, i, status) in [("Low", "1", "2", "open"), ("Worst", "5", "5", "open"), ("Closed", "5", "5", "closed"), ("Mid", "3", "3", "watching")] {
            item::<Risk>(&mut ws, title, &[("likelihood", l), ("impact", i), ("status", status)]);
        }
        for (date, rating, scale) in [("2026-10-03", 10, RatingScale::Nps), ("2026-10-09", 3, RatingScale::Nps), ("2026-11-02", 9, RatingScale::Nps), ("2026-11-05", 5, RatingScale::Csat)] {
            let id = ws.create_feedback("Rated", Channel::Survey, 1, "Ana").unwrap();
            ws.set_feedback_label(&id, FeedbackLabel::Date, date, 1).unwrap();
            ws.set_feedback_rating(&id, Some((rating, scale)), 1).unwrap();
        }
        let o = Overview::of(&ws.items::<Objective>().0, &ws.items::<Release>().0, &ws.items::<Risk>().0, &ws.all_feedback().0, day("2026-11-30"));
        let (star, standing) = o.north_star.unwrap();
        assert_eq!((star.name.as_str(), standing.unwrap().progress), ("Invoices paid on time", 0.5));
        assert_eq!(o.objectives.iter().map(|(o, _)| o.name.as_str()).collect::<Vec<_>>(), ["Teams rely on us"]);
        assert_eq!(o.kpis.iter().map(|(o, _)| o.name.as_str()).collect::<Vec<_>>(), ["Signups"]);
        assert_eq!(o.next_release.unwrap().0.name, "Winter");
        assert_eq!(o.top_risks.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["Worst", "Mid", "Low"]);
        // October: one promoter, one detractor → 0; November: one promoter → 100.
        assert_eq!(o.nps, vec![Point { date: day("2026-10-01"), value: 0.0 }, Point { date: day("2026-11-01"), value: 100.0 }]);
        assert_eq!(o.csat, vec![Point { date: day("2026-11-01"), value: 100.0 }]);
    }
}
