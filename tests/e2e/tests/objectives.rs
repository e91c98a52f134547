//! A KPI measured together through the real relay, in two real headless Chromiums: A
//! sets its baseline and target and adds three measurements; each one appears as a
//! point on both screens, with the target line. A imports two more from a CSV file
//! (a bad line is named and nothing is written before the preview is confirmed),
//! exports the chart, makes the KPI a key result of an objective, which takes its
//! grade, and judges a shipped feature by it.

use waymark_e2e::{keys, Browser, Relay};

const EDITOR: &str = "aside.editor";
const POINTS: &str = "aside.editor .chart-drawing circle[data-point]";

/// Types a day (as Chromium's date input takes it, month first) into a cleared date input.
async fn type_day(b: &Browser, css: &str, mmddyyyy: &str) {
    b.wait_for(css).await.clear().await.unwrap_or_else(|e| panic!("clear {css}: {e}"));
    b.type_into(css, mmddyyyy).await;
}

/// Adds a measurement through the editor's form.
async fn measure(b: &Browser, mmddyyyy: &str, value: &str) {
    type_day(b, &format!("{EDITOR} input[aria-label='Day measured']"), mmddyyyy).await;
    b.type_into(&format!("{EDITOR} input[aria-label='Value measured']"), &format!("{value}{}", keys::ENTER)).await;
}

async fn wait_points(b: &Browser, n: usize, who: &str) {
    b.wait_until(&format!("document.querySelectorAll(\"{POINTS}\").length === {n}"), &format!("{who} to see {n} points")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn teammates_watch_a_kpi_move() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    let b = Browser::start().await;
    a.create_workspace(&relay, "Payments").await;
    a.set_name("Ada Lovelace").await;
    a.click_text("a.nav-link", "Objectives & KPIs").await;
    a.wait_for_text("ul[aria-label='Objectives & KPIs'] .empty", "Say what success looks like").await;
    a.type_into("input[aria-label='New objective or KPI name']", &format!("Weekly active teams{}", keys::ENTER)).await;
    a.wait_for(&format!("{EDITOR} select[aria-label='Level']")).await;
    a.select(&format!("{EDITOR} select[aria-label='Level']"), "kpi").await;
    a.type_into(&format!("{EDITOR} input[placeholder='teams']"), "teams").await;
    a.set_number(EDITOR, "Baseline", "300").await;
    a.set_number(EDITOR, "Target", "500").await;
    type_day(&a, &format!("{EDITOR} input[aria-label='Start']"), "10012026").await;
    type_day(&a, &format!("{EDITOR} input[aria-label='Due']"), "01012027").await;
    a.wait_for_text(&format!("{EDITOR} section[aria-label='Standing']"), "Set a baseline and a different target, and add a measurement").await;
    a.wait_for(&format!("{EDITOR} .chart-drawing line[data-line='target']")).await;

    // B opens the same KPI before it is measured.
    let (edit_link, _) = a.share_links().await;
    b.join(&relay, &edit_link, "Grace Hopper").await;
    b.click_text("a.nav-link", "Objectives & KPIs").await;
    b.click_text(".item-list .item-title", "Weekly active teams").await;
    b.wait_for_text(&format!("{EDITOR} .series-field"), "No measurements yet.").await;
    b.wait_for(&format!("{EDITOR} .chart-drawing line[data-line='target']")).await;
    wait_points(&b, 0, "B").await;

    // Three measurements: each is a point on A's chart and, live, on B's.
    a.click_text(".item-list .item-title", "Weekly active teams").await;
    for (n, (day, value)) in [("10012026", "300"), ("10152026", "350"), ("11012026", "420")].into_iter().enumerate() {
        measure(&a, day, value).await;
        wait_points(&a, n + 1, "A").await;
        wait_points(&b, n + 1, "B").await;
    }
    for browser in [&a, &b] {
        browser.wait_for_text(&format!("{EDITOR} .chart-drawing text"), "Target 500 teams").await;
        browser.wait_for_text(&format!("{EDITOR} .standing-current"), "420 teams").await;
        browser.wait_for_text(&format!("{EDITOR} section[aria-label='Standing']"), "60 % of the way = (420 − 300) ÷ (500 − 300)").await;
        browser.wait_for_text(&format!("{EDITOR} section[aria-label='Standing'] .badge"), "Grade 0.60 · Amber").await;
        browser.wait_for_text(&format!("{EDITOR} figcaption"), "Weekly active teams: 3 measurements from 1 Oct 2026 to 1 Nov 2026, latest 420 teams; target 500 teams").await;
    }
    a.eval(&format!("document.querySelector('{EDITOR} .standing').scrollIntoView()")).await;
    a.screenshot("e2e-kpi-chart").await;

    // The table view reads the same figures.
    a.click_text(&format!("{EDITOR} .chart-tools button"), "Table").await;
    a.wait_for_text(&format!("{EDITOR} table.chart-table"), "1 Nov 2026").await;
    assert_eq!(a.texts(&format!("{EDITOR} table.chart-table tbody td")).await, ["300 teams", "350 teams", "420 teams", "500 teams", "300 teams"]);
    a.click_text(&format!("{EDITOR} .chart-tools button"), "Table").await;
    a.wait_for(POINTS).await;

    // A CSV from the analytics tool: a bad line is named, nothing is written until
    // the preview is confirmed.
    let csv = std::env::temp_dir().join(format!("waymark-kpi-{}.csv", std::process::id()));
    std::fs::write(&csv, "Week,Active teams\n20261108,440\n20261115,\"4,60\"\n20261122,466\n").unwrap();
    a.wait_for(&format!("{EDITOR} input[type=file][aria-label='Import measurements from a CSV file']")).await.send_keys(&csv.to_string_lossy()).await.unwrap();
    let preview = format!("{EDITOR} [aria-label='Import preview']");
    a.wait_for_text(&preview, "2 measurements from 8 Nov 2026 to 22 Nov 2026, days from “Week” and values from “Active teams”.").await;
    a.wait_for_text(&preview, "Line 3: “4,60” is ambiguous: write decimals with a point").await;
    assert_eq!(a.texts(POINTS).await.len(), 3, "nothing is written before the preview is confirmed");
    a.eval(&format!("document.querySelector(\"{preview}\").scrollIntoView()")).await;
    a.screenshot("e2e-kpi-import-preview").await;
    a.click_text(&format!("{preview} button"), "Import 2 measurements").await;
    wait_points(&a, 5, "A").await;
    wait_points(&b, 5, "B").await;
    b.wait_for_text(&format!("{EDITOR} .standing-current"), "466 teams").await;
    std::fs::remove_file(&csv).ok();

    // The chart as it is seen, exported.
    a.click_text(&format!("{EDITOR} .chart-tools button"), "Export SVG").await;
    let svg = std::fs::read_to_string(a.wait_for_download(".svg").await).unwrap();
    assert_eq!(svg.matches("<circle data-point=").count(), 5);
    assert!(svg.contains(r#"data-line="target""#) && svg.contains("Target 500 teams"), "{svg}");

    // An objective made of it grades as it does.
    a.type_into("input[aria-label='New objective or KPI name']", &format!("Teams rely on us weekly{}", keys::ENTER)).await;
    a.wait_for(&format!("{EDITOR} select[aria-label='Level']")).await;
    a.select(&format!("{EDITOR} select[aria-label='Level']"), "objective").await;
    a.wait_for(&format!("{EDITOR} section[aria-label='Key results']")).await;
    assert!(a.texts(&format!("{EDITOR} .series-field")).await.is_empty(), "an objective has no measurements of its own");
    a.click_text(&format!("{EDITOR} select[aria-label='Add a key result'] option"), "Weekly active teams").await;
    a.wait_for_text(&format!("{EDITOR} section[aria-label='Key results'] li"), "Weekly active teams").await;
    a.wait_for_text(&format!("{EDITOR} section[aria-label='Key results'] [role='status']"), "Grade 0.83 · Green the mean of 1 graded key result").await;
    b.click_text(".item-list .item-title", "Teams rely on us weekly").await;
    b.wait_for_text(&format!("{EDITOR} section[aria-label='Key results'] [role='status']"), "Grade 0.83 · Green").await;
    a.screenshot("e2e-objective").await;

    // A shipped feature judged by the KPI: reached once a measurement since shipping
    // got to its target.
    a.click_text("a.nav-link", "Features").await;
    a.type_into("input[aria-label='New feature title']", &format!("Team invites{}", keys::ENTER)).await;
    a.wait_for(&format!("{EDITOR} select[aria-label='Judged by']")).await;
    a.wait_for_text(&format!("{EDITOR} section[aria-label='Success']"), "Choose the KPI that judges it and set its success target.").await;
    a.click_text(&format!("{EDITOR} select[aria-label='Judged by'] option"), "Weekly active teams").await;
    a.set_number(EDITOR, "Success target (in its KPI's unit)", "450").await;
    a.wait_for_text(&format!("{EDITOR} section[aria-label='Success']"), "Judged once it ships: Weekly active teams should reach 450 teams.").await;
    type_day(&a, &format!("{EDITOR} input[aria-label='Target']"), "11012026").await;
    a.select(&format!("{EDITOR} select[aria-label='Status']"), "done").await;
    a.wait_for_text(&format!("{EDITOR} section[aria-label='Success'] .badge"), "Reached: 466 teams on 22 Nov 2026 (target 450 teams), after shipping 1 Nov 2026.").await;
    a.click_text("a.nav-link", "Objectives & KPIs").await;

    a.client.set_window_size(390, 844).await.unwrap();
    a.click_text(".item-list .item-title", "Weekly active teams").await;
    a.eval(&format!("document.querySelector('{EDITOR} .standing').scrollIntoView()")).await;
    a.screenshot("e2e-kpi-phone").await;
    a.eval(&format!("document.querySelector('{EDITOR} .series-field').scrollIntoView()")).await;
    a.screenshot("e2e-kpi-measurements-phone").await;

    a.close().await;
    b.close().await;
}
