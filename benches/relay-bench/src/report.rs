//! The results: one table (target × measure), Waymark's ratios to the echo floor and
//! to the reference with the goals, and the same as JSON.

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::Settings;

/// What was measured for one target.
#[derive(Clone, Debug)]
pub struct Measures {
    /// Per subscriber count, the measured rounds in ms.
    pub latency: Vec<(usize, Vec<f64>)>,
    pub appends_per_s: f64,
    pub kib_per_connection: f64,
}

pub struct TargetResult {
    pub name: String,
    pub outcome: Result<Measures, String>,
}

/// The `q`-quantile (nearest rank) of `samples`.
pub fn quantile(samples: &[f64], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl Measures {
    fn latency_at(&self, subscribers: usize) -> Option<(f64, f64)> {
        let samples = &self.latency.iter().find(|(n, _)| *n == subscribers)?.1;
        Some((quantile(samples, 0.5), quantile(samples, 0.95)))
    }
}

fn ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.1}")
    }
}

pub fn table(s: &Settings, results: &[TargetResult]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nrelay: one change ({} B payload) to N subscribers, ms from send until the last has it \
         (median / p95 of {} rounds); appends/s with {} in flight for {} s; KiB of server memory \
         per idle connection ({} connections)",
        crate::measure::PAYLOAD,
        s.rounds,
        s.window,
        s.seconds,
        s.idle
    );
    let mut header = vec!["target".to_owned()];
    header.extend(s.subscribers.iter().map(|n| format!("{n} sub{}", if *n == 1 { "" } else { "s" })));
    header.extend(["appends/s".to_owned(), "KiB/conn".to_owned()]);
    let mut rows = vec![header];
    for r in results {
        let mut row = vec![r.name.clone()];
        match &r.outcome {
            Ok(m) => {
                for &n in &s.subscribers {
                    row.push(m.latency_at(n).map_or("—".into(), |(med, p95)| format!("{} / {}", ms(med), ms(p95))));
                }
                row.push(format!("{:.0}", m.appends_per_s));
                row.push(format!("{:.1}", m.kib_per_connection));
            }
            Err(_) => row.extend(std::iter::repeat_n("not measured".to_owned(), s.subscribers.len() + 2)),
        }
        rows.push(row);
    }
    let waymark = measured(results, "waymark");
    for (other, goal) in [("echo", 2.0), ("reference", 1.0)] {
        if let (Some(w), Some(o)) = (waymark, measured(results, other)) {
            rows.push(ratio_row(s, w, o, other, goal));
        }
    }
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|c| rows.iter().map(|r| r.get(c).map_or(0, |v| v.chars().count())).max().unwrap_or(0)).collect();
    for row in &rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(v, w)| format!("{v:<w$}")).collect();
        let _ = writeln!(out, "  {}", cells.join("  ").trim_end());
    }
    for r in results {
        if let Err(e) = &r.outcome {
            let _ = writeln!(out, "  {}: not measured: {e}", r.name);
        }
    }
    if waymark.is_some() {
        let _ = writeln!(
            out,
            "  ratios are Waymark ÷ the other (latency and memory: lower is better; appends/s: higher is better);\n  \
             goals: latency within 2× of echo and below the reference at every subscriber count"
        );
        for (other, goal, word) in [("echo", 2.0, "within 2× of echo"), ("reference", 1.0, "faster than the reference")] {
            if let (Some(w), Some(o)) = (waymark, measured(results, other)) {
                let met = s.subscribers.iter().all(|&n| match (w.latency_at(n), o.latency_at(n)) {
                    (Some(a), Some(b)) => meets(a.0, b.0, goal),
                    _ => false,
                });
                let _ = writeln!(out, "  goal {word} (median latency, every N): {}", if met { "met" } else { "MISSED" });
            }
        }
    }
    out
}

/// Whether Waymark's median meets a goal against another's: within `goal`× of it, or
/// for a goal of 1, strictly below it.
fn meets(waymark: f64, other: f64, goal: f64) -> bool {
    if goal > 1.0 {
        waymark <= goal * other
    } else {
        waymark < other
    }
}

fn measured<'a>(results: &'a [TargetResult], name: &str) -> Option<&'a Measures> {
    results.iter().find(|r| r.name == name).and_then(|r| r.outcome.as_ref().ok())
}

fn ratio_row(s: &Settings, waymark: &Measures, other: &Measures, name: &str, goal: f64) -> Vec<String> {
    let x = |a: f64, b: f64| format!("{:.2}×", a / b);
    let mut row = vec![format!("waymark ÷ {name}")];
    for &n in &s.subscribers {
        row.push(match (waymark.latency_at(n), other.latency_at(n)) {
            (Some(w), Some(o)) => {
                let verdict = if meets(w.0, o.0, goal) { "" } else { " !" };
                format!("{} / {}{verdict}", x(w.0, o.0), x(w.1, o.1))
            }
            _ => "—".into(),
        });
    }
    row.push(x(waymark.appends_per_s, other.appends_per_s));
    row.push(x(waymark.kib_per_connection, other.kib_per_connection));
    row
}

pub fn json(s: &Settings, results: &[TargetResult]) -> String {
    let targets: serde_json::Map<String, Value> = results
        .iter()
        .map(|r| {
            let value = match &r.outcome {
                Ok(m) => json!({
                    "latency_ms": m.latency.iter().map(|(n, samples)| json!({
                        "subscribers": n,
                        "median": quantile(samples, 0.5),
                        "p95": quantile(samples, 0.95),
                        "samples": samples,
                    })).collect::<Vec<_>>(),
                    "appends_per_s": m.appends_per_s,
                    "kib_per_idle_connection": m.kib_per_connection,
                }),
                Err(e) => json!({ "not_measured": e }),
            };
            (r.name.clone(), value)
        })
        .collect();
    let doc = json!({
        "payload_bytes": crate::measure::PAYLOAD,
        "rounds": s.rounds,
        "warmup": s.warmup,
        "pause_ms": s.pause.as_millis() as u64,
        "append_seconds": s.seconds,
        "append_window": s.window,
        "idle_connections": s.idle,
        "targets": targets,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn nearest_rank_quantiles() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&samples, 0.5), 50.0);
        assert_eq!(quantile(&samples, 0.95), 95.0);
        assert_eq!(quantile(&[3.0, 1.0, 2.0], 0.5), 2.0);
        assert_eq!(quantile(&[7.0], 0.95), 7.0);
        assert!(quantile(&[], 0.5).is_nan());
    }
}
