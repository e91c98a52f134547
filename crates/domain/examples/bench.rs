//! Domain benchmarks (`cargo xtask bench`): what one edit costs in a workspace of
//! 1,000 and 10,000 ideas, natively. Std-only timing: each figure is the median of
//! repeated runs (and the minimum, which is less sensitive to a busy machine).

use std::hint::black_box;
use std::time::{Duration, Instant};

use waymark_domain::{IdeaText, Workspace};

/// Runs `f` `runs` times (after one warm-up) and returns (median, min).
fn measure(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    (times[times.len() / 2], times[0])
}

fn show(label: &str, n: usize, (median, min): (Duration, Duration)) {
    println!("{n:>8} | {label:<52} | {:>12.3?} | {:>12.3?}", median, min);
}

fn main() {
    println!("{:>8} | {:<52} | {:>12} | {:>12}", "ideas", "operation", "median", "min");
    for n in [1_000usize, 10_000] {
        let mut ws = waymark_domain::fixtures::busy_workspace(n);
        let bytes = ws.save();
        println!("{n:>8} | {:<52} | {:>12} |", "document size (save)", format!("{} KB", bytes.len() / 1024));
        let runs = if n > 5_000 { 7 } else { 21 };

        show("load from bytes + read every idea", n, measure(runs, || {
            let ws = Workspace::load(black_box(&bytes)).unwrap();
            black_box(ws.ideas());
        }));

        let ids = ws.idea_ids();
        let target = ids[ids.len() / 2].clone();
        let mut k = 0u64;
        // What the app does per key: edit inside the open transaction, re-read the idea.
        show("keystroke: title edit + re-read the idea", n, measure(101, || {
            k += 1;
            ws.set_idea_text(&target, IdeaText::Title, &format!("Idea edited {k}"), 2).unwrap();
            black_box(ws.idea(&target));
        }));
        // What it does when typing pauses: one commit, one chunk to store.
        show("typing pause: commit + incremental chunk", n, measure(101, || {
            k += 1;
            ws.set_idea_text(&target, IdeaText::Title, &format!("Idea edited {k}"), 2).unwrap();
            black_box(ws.save_incremental());
            ws.mark_changes_seen();
        }));

        let mut peer = ws.fork();
        let mut j = 0u64;
        show("remote change applied + patch→view", n, measure(101, || {
            j += 1;
            peer.set_idea_text(&target, IdeaText::Description, &format!("Remote edit {j}"), 3).unwrap();
            let change = peer.save_incremental();
            let changed = ws.apply(&change).unwrap();
            for id in &changed.ideas {
                black_box(ws.idea(id));
            }
        }));

        show("save: whole snapshot (compaction)", n, measure(runs, || {
            black_box(ws.save());
        }));
    }
}
