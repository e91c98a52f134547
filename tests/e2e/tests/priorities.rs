//! A product manager ranks ideas in a real Chromium against the real server: RICE and
//! ICE inputs typed and picked in the table, the ranking and worked scores checked,
//! switching frameworks keeps every input, cutting with a reason, the MoSCoW warning,
//! Kano answers, and dragging a dot in the value/effort matrix.

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use waymark_e2e::{keys, Browser, Relay};

const REMINDERS: &str = "Invoice reminders by email";
const DARK: &str = "Dark mode";
const AUDIT: &str = "Audit log";

async fn titles(b: &Browser) -> Vec<String> {
    b.texts(".rank-row .rank-link").await
}

/// Waits until the ranked titles are exactly `expected`, in order.
async fn wait_for_order(b: &Browser, expected: &[&str]) {
    let js = serde_json::to_string(expected).unwrap();
    b.wait_until(
        &format!("JSON.stringify([...document.querySelectorAll('.rank-row .rank-link')].map(e => e.textContent)) === JSON.stringify({js})"),
        &format!("the ranking {expected:?}"),
    )
    .await;
}

/// The text of `part` (a CSS selector inside the row) in the row of the idea `title`.
async fn cell(b: &Browser, title: &str, part: &str) -> String {
    let js = format!(
        "const row = [...document.querySelectorAll('.rank-row')].find(r => r.querySelector('.rank-link').textContent === {t}); \
         return row ? row.querySelector('{part}').textContent : null;",
        t = serde_json::to_string(title).unwrap()
    );
    b.eval(&js).await.as_str().unwrap_or_default().to_owned()
}

/// Waits until `part` in the row of the idea `title` reads `text`: for a value the
/// ranking's order does not show.
async fn wait_for_cell(b: &Browser, title: &str, part: &str, text: &str) {
    let js = format!(
        "[...document.querySelectorAll('.rank-row')].find(r => r.querySelector('.rank-link').textContent === {t})?.querySelector('{part}')?.textContent === {x}",
        t = serde_json::to_string(title).unwrap(),
        x = serde_json::to_string(text).unwrap()
    );
    b.wait_until(&js, &format!("{title}'s {part} to read {text:?}")).await;
}

async fn pick(b: &Browser, input: &str, title: &str, value: &str) {
    b.select(&format!("select[aria-label='{input} for {title}']"), value).await;
}

async fn type_number(b: &Browser, input: &str, title: &str, value: &str) {
    b.type_into(&format!("input[aria-label='{input} for {title}']"), &format!("{value}{}", keys::TAB)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pm_scores_ideas_under_two_frameworks_cuts_one_and_uses_the_matrix() {
    let relay = Relay::start().await;
    let b = Browser::start().await;
    b.create_workspace(&relay, "Payments").await;
    b.click("a.nav-link[href$='/ideas']").await;
    for title in [REMINDERS, DARK, AUDIT] {
        b.type_into("input[aria-label='New idea']", &format!("{title}{}", keys::ENTER)).await;
        b.wait_for_text(".idea-row .idea-title", title).await;
    }

    // Nothing scored yet: every idea is "Unscored", none is ranked as zero.
    b.click("a.nav-link[href$='/priorities']").await;
    b.wait_for_text("h1.page-title", "Prioritize").await;
    b.wait_for_text("[role=status]", "0 ranked · 3 not scored yet").await;
    assert_eq!(b.texts(".rank-row .score-value").await, ["Unscored"; 3]);
    assert!(b.texts(".rank-row .rank-n").await.iter().all(|n| n == "–"));

    // RICE: 500 × 2 × 80 % ÷ 2 = 400 and 100 × 1 × 100 % ÷ 4 = 25; Audit log only has reach.
    type_number(&b, "Reach", REMINDERS, "500").await;
    pick(&b, "Impact", REMINDERS, "2").await;
    pick(&b, "Confidence", REMINDERS, "0.8").await;
    type_number(&b, "Effort", REMINDERS, "2").await;
    type_number(&b, "Reach", DARK, "100").await;
    pick(&b, "Impact", DARK, "1").await;
    pick(&b, "Confidence", DARK, "1").await;
    type_number(&b, "Effort", DARK, "4").await;
    type_number(&b, "Reach", AUDIT, "900").await;
    wait_for_order(&b, &[REMINDERS, DARK, AUDIT]).await;
    assert_eq!(b.texts(".rank-row .rank-n").await, ["1", "2", "–"]);
    assert_eq!(cell(&b, REMINDERS, ".score-value").await, "400");
    assert_eq!(cell(&b, REMINDERS, ".score-formula").await, "500 × 2 × 80 % ÷ 2 = 400");
    assert_eq!(cell(&b, DARK, ".score-formula").await, "100 × 1 × 100 % ÷ 4 = 25");
    // (Audit log is last whether or not its reach has arrived: wait for what it says.)
    wait_for_cell(&b, AUDIT, ".score-formula", "Unscored: needs impact, confidence, effort").await;
    assert_eq!(cell(&b, AUDIT, ".score-value").await, "Unscored");
    b.screenshot("e2e-priorities-rice").await;

    // ICE ranks the other way round; the RICE inputs stay.
    b.click(".framework-bar button[data-framework=ice]").await;
    b.wait_for_text(".formula-line", "ICE = Impact × Confidence × Ease").await;
    for (title, v) in [(DARK, "8"), (REMINDERS, "5")] {
        for input in ["Impact", "Confidence", "Ease"] {
            pick(&b, input, title, v).await;
        }
    }
    wait_for_order(&b, &[DARK, REMINDERS, AUDIT]).await;
    assert_eq!(cell(&b, DARK, ".score-value").await, "512");
    assert_eq!(cell(&b, DARK, ".score-formula").await, "8 × 8 × 8 = 512 (average 8)");
    assert_eq!(cell(&b, REMINDERS, ".score-value").await, "125");
    b.click(".framework-bar button[data-framework=rice]").await;
    wait_for_order(&b, &[REMINDERS, DARK, AUDIT]).await;
    assert_eq!(cell(&b, REMINDERS, ".score-value").await, "400");

    // Cut: reject the audit log with a reason; it leaves the open ranking and the idea
    // records the decision.
    b.click(&format!("button[aria-label='Reject {AUDIT}']")).await;
    b.wait_for_text(".dialog", "Reject “Audit log”").await;
    b.click(".dialog button[type=submit]").await;
    b.wait_for_text(".toast", "Say why").await;
    b.type_into(".dialog textarea[aria-label='Reason']", "Only one enterprise prospect asked; revisit in Q3").await;
    b.click(".dialog button[type=submit]").await;
    wait_for_order(&b, &[REMINDERS, DARK]).await;
    b.wait_for_text(".toast", "Rejected “Audit log”").await;
    b.select("select[aria-label='Filter by status']", "rejected").await;
    wait_for_order(&b, &[AUDIT]).await;
    b.click_text(".rank-link", AUDIT).await;
    b.wait_for("aside.editor").await;
    assert_eq!(b.value("aside.editor .status-select").await, "rejected");
    b.wait_until(
        "[...document.querySelectorAll('aside.editor textarea')].some(t => t.value === 'Only one enterprise prospect asked; revisit in Q3')",
        "the reason recorded on the idea",
    )
    .await;
    b.click("a.nav-link[href$='/priorities']").await;
    wait_for_order(&b, &[REMINDERS, DARK]).await;

    // MoSCoW: must-haves above 60 % of the effort get a warning.
    b.click(".framework-bar button[data-framework=moscow]").await;
    pick(&b, "Priority", REMINDERS, "0").await;
    type_number(&b, "Effort", REMINDERS, "8").await;
    pick(&b, "Priority", DARK, "2").await;
    type_number(&b, "Effort", DARK, "2").await;
    b.wait_for_text(".moscow-warning", "Must-haves are 80 % of the estimated effort").await;
    wait_for_order(&b, &[REMINDERS, DARK]).await;
    assert_eq!(cell(&b, REMINDERS, ".score-value").await, "Must");
    pick(&b, "Priority", REMINDERS, "1").await;
    b.wait_for_text(".moscow-ok", "Must-haves are 0 %").await;

    // Kano: two respondents find dark mode attractive, one indifferent.
    b.click(".framework-bar button[data-framework=kano]").await;
    b.click(&format!("button[aria-label='Record Kano answers for {DARK}']")).await;
    b.wait_for_text(".dialog", "Kano survey answers").await;
    b.select(".dialog select[aria-label='If it were there']", "like").await;
    b.select(".dialog select[aria-label='If it were not there']", "neutral").await;
    b.click_text(".dialog button", "Record answer").await;
    b.click_text(".dialog button", "Record answer").await;
    b.select(".dialog select[aria-label='If it were there']", "neutral").await;
    b.click_text(".dialog button", "Record answer").await;
    b.wait_for_text(".kano-result", "3 answers").await;
    b.wait_for_text(".kano-category", "Attractive").await;
    b.wait_for_text(".kano-coefficients", "Satisfaction (A+O)/(A+O+M+I) = 0.67 · Dissatisfaction −(O+M)/(A+O+M+I) = 0.00").await;
    b.screenshot("e2e-priorities-kano").await;
    b.click_text(".dialog button", "Done").await;
    wait_for_order(&b, &[DARK, REMINDERS]).await;
    assert_eq!(cell(&b, DARK, ".score-value").await, "Attractive");
    assert_eq!(cell(&b, REMINDERS, ".score-value").await, "Unscored");

    // Value vs effort: drag dark mode from the tray into the quick-win corner.
    b.click(".framework-bar button[data-framework=value_effort]").await;
    b.wait_for(".matrix-svg").await;
    b.wait_for_text(".tray-label", "Not placed yet (2)").await;
    let dot = b.wait_for(&format!(".dot[aria-label='{DARK}: not placed yet'] circle")).await;
    // Value 8, effort 2: a point 20 % across and 20 % down the plot.
    let target = b
        .eval(
            "const r = document.querySelector('rect.q-quick').getBoundingClientRect(); \
             return [r.left + r.width * 0.4, r.top + r.height * 0.4];",
        )
        .await;
    let (x, y) = (target[0].as_f64().unwrap(), target[1].as_f64().unwrap());
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element: dot, duration: None, x: 0.0, y: 0.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveTo { duration: Some(std::time::Duration::from_millis(200)), x: x.round(), y: y.round() })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    b.client.perform_actions(drag).await.unwrap();
    b.wait_for_text(".tray-label", "Not placed yet (1)").await;
    b.wait_for(&format!(".dot[aria-label='{DARK}: value 8, effort 2']")).await;
    assert_eq!(cell(&b, DARK, ".score-formula").await, "Quick win: value 8 − effort 2 = 6");
    assert_eq!(b.value(&format!("select[aria-label='Value for {DARK}']")).await, "8");
    b.screenshot("e2e-priorities-matrix").await;

    // Everything survives a reload: the framework, the inputs, the ranking.
    b.reload().await;
    b.wait_for_text(".framework-bar button[aria-pressed=true]", "Value vs effort").await;
    b.wait_for(&format!(".dot[aria-label='{DARK}: value 8, effort 2']")).await;
    b.click(".framework-bar button[data-framework=rice]").await;
    wait_for_order(&b, &[REMINDERS, DARK]).await;
    assert_eq!(cell(&b, REMINDERS, ".score-formula").await, "500 × 2 × 80 % ÷ 2 = 400");
    assert_eq!(titles(&b).await.len(), 2);
    b.close().await;
}
