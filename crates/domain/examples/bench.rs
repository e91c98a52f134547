//! Domain benchmarks: what opening a workspace and one edit cost at 1,000 and 10,000
//! ideas, natively. Run with `cargo run --release -p waymark-domain --example bench`
//! (also part of `cargo xtask bench`).
//!
//! Std-only timing: each figure is the median of repeated runs, with the minimum
//! beside it (the minimum is less sensitive to a busy machine). Work that prepares a
//! run (making the edit before a save, say) is done outside the timed part.

use std::hint::black_box;
use std::time::{Duration, Instant};

use waymark_domain::{Id, IdeaText, Workspace};

/// The median and the minimum of a set of timings.
struct Timing {
    median: Duration,
    min: Duration,
}

/// Runs `setup` then times `op` on what it returns, `runs` times (after one untimed
/// warm-up run when there are many). Both get `state`, the thing under test.
fn measure<T, S, R>(
    runs: usize,
    state: &mut T,
    mut setup: impl FnMut(&mut T) -> S,
    mut op: impl FnMut(&mut T, S) -> R,
) -> Timing {
    if runs > 10 {
        let input = setup(state);
        black_box(op(state, input));
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let input = setup(state);
            let start = Instant::now();
            black_box(op(state, input));
            start.elapsed()
        })
        .collect();
    times.sort();
    Timing { median: times[times.len() / 2], min: times[0] }
}

/// A duration in the unit that suits it: "412.3 µs", "12.41 ms", "3.210 s".
fn show(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 1_000.0 {
        format!("{micros:.1} µs")
    } else if micros < 1_000_000.0 {
        format!("{:.2} ms", micros / 1e3)
    } else {
        format!("{:.3} s", micros / 1e6)
    }
}

fn row(n: usize, what: &str, runs: usize, t: Timing) {
    println!("| {n:>6} | {what:<62} | {runs:>4} | {:>11} | {:>11} |", show(t.median), show(t.min));
}

/// Benchmarks one workspace size, printing table rows; returns a line about sizes.
fn bench(n: usize) -> String {
    let started = Instant::now();
    let mut ws = waymark_domain::fixtures::busy_workspace(n);
    let mut bytes = ws.save();
    let built = started.elapsed();
    // Fewer runs where each one takes long, to keep the whole benchmark short.
    let heavy = if n >= 10_000 { 5 } else { 15 };
    let light = 101;

    let t = measure(heavy, &mut bytes, |_| (), |bytes, ()| Workspace::load(bytes).unwrap().ideas().0.len());
    row(n, "open: Workspace::load + ideas()", heavy, t);
    let t = measure(heavy, &mut ws, |_| (), |ws, ()| ws.ideas().0.len());
    row(n, "  of which ideas() on an open workspace", heavy, t);
    // "New to you" on open: what came since this browser's last visit, on a document
    // just loaded (Automerge answers some questions faster once asked); nothing did.
    let mut seen = Workspace::load(&bytes).unwrap().heads();
    let t = measure(heavy, &mut seen, |seen| (Workspace::load(&bytes).unwrap(), seen.clone()), |_, (mut opened, seen)| waymark_domain::history::since(&mut opened, &seen).len());
    row(n, "open: what came since the last visit (history::since), nothing", heavy, t);
    // The Activity page's first read of a workspace made in one import (one change of
    // every artifact): every object the change makes is placed from the change itself.
    let t = measure(heavy, &mut bytes, |bytes| Workspace::load(bytes).unwrap(), |_, mut opened| {
        let mut history = waymark_domain::history::History::default();
        history.update(&mut opened);
        history.moments().len()
    });
    row(n, "history: first read of an imported workspace (History::update)", heavy, t);

    let ids = ws.idea_ids();
    let target: Id = ids[ids.len() / 2].clone();
    let mut k = 0u64;
    let mut next_title = move || {
        k += 1;
        format!("Schedule payment reminders by due date (v{k})")
    };
    let _ = ws.take_changes();

    // A local edit through to the view: edit, commit, patches, re-read the idea.
    let t = measure(light, &mut ws, |_| next_title(), |ws, title| {
        ws.set_idea_text(&target, IdeaText::Title, &title, 2).unwrap();
        ws.commit();
        let changed = ws.take_changes();
        changed.of(waymark_domain::schema::IDEAS).iter().filter(|id| ws.idea(id).is_some()).count()
    });
    row(n, "local edit: set_idea_text + commit + take_changes + idea()", light, t);
    // The app's path for its own edits: the view already shows them, so no patches.
    let t = measure(light, &mut ws, |_| next_title(), |ws, title| {
        ws.set_idea_text(&target, IdeaText::Title, &title, 2).unwrap();
        ws.commit();
        ws.mark_changes_seen();
        ws.idea(&target).is_some()
    });
    row(n, "  the same with mark_changes_seen instead of take_changes", light, t);

    // A remote edit through to the view: apply a teammate's one-edit chunk, re-read
    // what it changed. The teammate's edit is made outside the timed part.
    let mut pair = (ws.fork(), ws);
    let _ = pair.0.save_incremental();
    let mut take = 0u64;
    let t = measure(
        light,
        &mut pair,
        |(peer, _)| {
            take += 1;
            peer.set_idea_text(&target, IdeaText::Description, &format!("Edited by a teammate, take {take}."), 3).unwrap();
            peer.save_incremental()
        },
        |(_, ws), chunk| {
            let changed = ws.apply(&chunk).unwrap();
            changed.of(waymark_domain::schema::IDEAS).iter().filter(|id| ws.idea(id).is_some()).count()
        },
    );
    row(n, "remote edit: apply(one-edit chunk) + idea() per changed idea", light, t);
    let (mut peer, mut ws) = pair;
    peer.set_idea_text(&target, IdeaText::Description, "One more edit.", 3).unwrap();
    let chunk_size = peer.save_incremental().len();

    let t = measure(heavy, &mut ws, |ws| ws.set_idea_text(&target, IdeaText::Title, &next_title(), 4).unwrap(), |ws, ()| ws.save().len());
    row(n, "save() after one edit", heavy, t);

    let _ = ws.save_incremental();
    let t = measure(light, &mut ws, |ws| ws.set_idea_text(&target, IdeaText::Title, &next_title(), 5).unwrap(), |ws, ()| {
        ws.save_incremental().len()
    });
    row(n, "save_incremental() after one edit", light, t);

    // Another tab's snapshot at compaction: told held from its header, or loaded.
    let snapshot = ws.snapshot();
    let t = measure(light, &mut ws, |_| (), |ws, ()| ws.holds_all_of(&snapshot));
    row(n, "another tab's snapshot: holds_all_of (its header)", light, t);
    let runs = if n >= 10_000 { 3 } else { 5 };
    let t = measure(runs, &mut ws, |_| (), |ws, ()| ws.apply(&snapshot).map(|_| ()));
    row(n, "another tab's snapshot: apply (load it whole)", runs, t);

    // Bringing a workspace in from a JSON export (Home → Import), whole: parse, check,
    // write every artifact into a new document, commit, save.
    let json = waymark_domain::export::to_json(&ws, 1);
    let runs = if n >= 10_000 { 3 } else { 5 };
    let t = measure(runs, &mut (), |_| (), |_, ()| waymark_domain::export::from_json(&json, 2, "Bench").unwrap().save().len());
    row(n, "import a JSON export: from_json + save()", runs, t);
    bench_undo(n, &mut ws, &ids);

    format!(
        "{n:>6} ideas: document {} bytes ({} KB) from save(); a one-edit chunk is {chunk_size} bytes; built through the API in {}",
        bytes.len(),
        bytes.len() / 1024,
        show(built)
    )
}

/// History at `changes` changes (each one person's edit of one of 500 ideas, two
/// people taking turns): reading it from nothing, one more change, going back to the
/// middle of it and reading the past, comparing an idea then and now.
fn bench_history(changes: usize) -> String {
    use waymark_domain::history::History;
    use waymark_domain::then_and_now::compare;
    let started = Instant::now();
    let mut ws = Workspace::create("History", 0, "Ana");
    let ideas: Vec<Id> = (0..500).map(|i| ws.create_idea(&format!("Idea {i}"), 1, "Ana").unwrap()).collect();
    ws.commit_by("Ana", 1_000);
    for k in 1..changes {
        let id = &ideas[k % ideas.len()];
        ws.set_idea_text(id, IdeaText::Description, &format!("Take {k}: what customers asked for"), 2).unwrap();
        ws.commit_by(if k % 2 == 0 { "Ana" } else { "Ben" }, 1_000 + k as i64 * 1_000);
    }
    let built = started.elapsed();
    let heavy = 5;
    let t = measure(heavy, &mut ws, |_| (), |ws, ()| {
        let mut history = History::default();
        history.update(ws);
        history.moments().len()
    });
    row(changes, "history: read every change (History::update from nothing)", heavy, t);
    let t = measure(heavy, &mut ws, |_| (), |ws, ()| ws.changes_since(&[]));
    row(changes, "  of which listing the changes (Automerge get_changes)", heavy, t);
    let mut state = (History::default(), ws);
    state.0.update(&mut state.1);
    let mut k = 0;
    let t = measure(101, &mut state, |(_, ws)| {
        k += 1;
        ws.set_idea_text(&ideas[k % ideas.len()], IdeaText::Title, &format!("Renamed {k}"), 3).unwrap();
        ws.commit_by("Ana", 9_000_000);
    }, |(history, ws), ()| history.update(ws));
    row(changes, "  one more change (History::update, incremental)", 101, t);
    let (history, mut ws) = state;
    let visit = history.heads_after(history.moments().len() - 10);
    let t = measure(101, &mut ws, |_| (), |ws, ()| waymark_domain::history::since(ws, &visit).len());
    row(changes, "history: what came since a visit 10 changes ago (on open)", 101, t);
    let middle = history.moments().len() / 2;
    let heads = history.heads_after(middle);
    let t = measure(heavy, &mut ws, |_| (), |ws, ()| ws.at(&heads).unwrap().ideas().0.len());
    row(changes, "history: jump to the middle (Workspace::at) + ideas() of it", heavy, t);
    let mut past = ws.at(&heads).unwrap();
    let t = measure(101, &mut past, |_| (), |past, ()| compare(&past.artifact_text("ideas", &ideas[7]), &ws.artifact_text("ideas", &ideas[7])).len());
    row(changes, "  compare one idea then and now", 101, t);
    bench_undo(changes, &mut ws, &ideas);
    format!("{changes:>6} changes: built through the API in {}", show(built))
}

/// What undo costs on a big workspace or one with a long history: the bookkeeping every new step
/// of the person's edits adds (commit, the last step's own changes, where history
/// stands), and undoing and redoing one edit.
fn bench_undo(changes: usize, ws: &mut Workspace, ideas: &[Id]) {
    use waymark_domain::edit::Edit;
    use waymark_domain::undo::UndoLog;
    let mut state = (UndoLog::default(), 0usize);
    let edit = |ws: &mut Workspace, k: usize| {
        ws.apply_edit(Edit::IdeaText(ideas[k % ideas.len()].clone(), IdeaText::Title, format!("Undoable {k}")), 5, "Ana").unwrap();
    };
    let t = measure(101, &mut (&mut *ws, &mut state), |(ws, (_, k))| {
        *k += 1;
        edit(ws, *k);
    }, |(ws, (log, k)), ()| {
        ws.commit();
        log.begin(ws, None, *k as i64 * 10_000);
    });
    row(changes, "undo: a new step begins (commit, close the last, heads)", 101, t);
    let t = measure(51, &mut (&mut *ws, &mut state), |(ws, (log, k))| {
        *k += 1;
        ws.commit();
        log.begin(ws, None, *k as i64 * 10_000);
        edit(ws, *k);
        ws.commit();
    }, |(ws, (log, _)), ()| {
        let taken = log.take(ws, false, 9).unwrap().unwrap();
        ws.commit();
        log.made(ws, &taken);
    });
    row(changes, "undo: undo one edit (its inverse made and committed)", 51, t);
    let t = measure(21, &mut (&mut *ws, &mut state), |(ws, (log, k))| {
        *k += 1;
        ws.commit();
        log.begin(ws, None, *k as i64 * 10_000);
        edit(ws, *k);
        let taken = log.take(ws, false, 9).unwrap().unwrap();
        ws.commit();
        log.made(ws, &taken);
    }, |(ws, (log, _)), ()| {
        let taken = log.take(ws, true, 9).unwrap().unwrap();
        ws.commit();
        log.made(ws, &taken);
    });
    row(changes, "undo: redo it", 21, t);
}

fn main() {
    println!("| {:>6} | {:<62} | {:>4} | {:>11} | {:>11} |", "ideas", "operation", "runs", "median", "min");
    println!("|{}|{}|{}|{}|{}|", "-".repeat(8), "-".repeat(64), "-".repeat(6), "-".repeat(13), "-".repeat(13));
    // `-- history` runs only the history benchmark.
    let only_history = std::env::args().any(|a| a == "history");
    let ideas: &[usize] = if only_history { &[] } else { &[1_000, 10_000] };
    let mut sizes: Vec<String> = ideas.iter().copied().map(bench).collect();
    sizes.push(bench_history(10_000));
    println!();
    for line in sizes {
        println!("{line}");
    }
}
