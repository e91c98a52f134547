//! Costs against budget and the overview, through the real relay in two real headless
//! Chromiums: A writes the business case (benefit 250,000, budget 100,000), estimates
//! two features (40,000, done; 60,000) and records 50,000 of costs; both read the
//! forecast at completion (125,000 = 100,000 ÷ 0.80) and the ROI at planned and forecast
//! cost. Then the overview shows the north-star KPI, the next release and the top risk.

use waymark_e2e::{keys, Browser, Relay};

const EDITOR: &str = "aside.editor";
const BUDGET: &str = "section[aria-label='Spend against budget']";

/// A figure of the budget panel: its value and inputs.
async fn figure(b: &Browser, name: &str, text: &str) {
    b.wait_until(
        &format!(
            "[...document.querySelectorAll(\"{BUDGET} .figure\")].some(f => f.querySelector('dt').textContent === {name:?} && f.textContent.includes({text:?}))"
        ),
        &format!("{name} to read {text}"),
    )
    .await;
}

async fn feature(b: &Browser, title: &str, cost: &str, done: bool) {
    b.type_into("input[aria-label='New feature title']", &format!("{title}{}", keys::ENTER)).await;
    b.wait_for(&format!("{EDITOR} select[aria-label='Status']")).await;
    b.set_number(EDITOR, "Cost estimate", cost).await;
    if done {
        b.select(&format!("{EDITOR} select[aria-label='Status']"), "done").await;
    }
    b.wait_for_text("ul[aria-label='Features'] .item-title", title).await;
}

async fn cost(b: &Browser, title: &str, mmddyyyy: &str, amount: &str, category: &str) {
    b.type_into("input[aria-label='New cost what for']", &format!("{title}{}", keys::ENTER)).await;
    b.wait_for(&format!("{EDITOR} input[aria-label='Date']")).await;
    b.type_into(&format!("{EDITOR} input[aria-label='Date']"), &format!("{mmddyyyy}{}", keys::TAB)).await;
    b.set_number(EDITOR, "Amount", amount).await;
    b.select(&format!("{EDITOR} select[aria-label='Category']"), category).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn teammates_watch_spend_against_budget_and_the_overview() {
    let relay = Relay::start().await;
    let a = Browser::start().await;
    let b = Browser::start().await;
    a.create_workspace(&relay, "Payments").await;
    a.set_name("Ada Lovelace").await;
    let numbers = "input[type=number]";
    a.wait_for(numbers).await;
    let inputs = a.client.find_all(fantoccini::Locator::Css(numbers)).await.unwrap();
    inputs[0].send_keys(&format!("250000{}", keys::TAB)).await.unwrap();
    inputs[1].send_keys(&format!("100000{}", keys::TAB)).await.unwrap();
    a.wait_for_text(".roi-value", "150 %").await;

    a.click_text("a.nav-link", "Features").await;
    feature(&a, "Reminders", "40000", true).await;
    feature(&a, "Offline mode", "60000", false).await;

    // B follows the costs page from the start.
    let (edit_link, _) = a.share_links().await;
    b.join(&relay, &edit_link, "Grace Hopper").await;
    b.click_text("a.nav-link", "Costs").await;
    b.wait_for(BUDGET).await;

    a.click_text("a.nav-link", "Costs").await;
    a.wait_for_text("ul[aria-label='Costs'] .empty", "Record what the work really costs").await;
    figure(&a, "Budget", "100,000").await;
    figure(&a, "Planned", "cost estimates of 2 features").await;
    cost(&a, "Contractor, September", "09152026", "30000", "people").await;
    // It was spent on the reminders.
    a.type_into(&format!("{EDITOR} input[aria-label='Choose the feature or release it was spent on']"), "remind").await;
    a.click_text(&format!("{EDITOR} ul[aria-label='Features and releases'] button"), "+ Reminders").await;
    a.wait_for_text(&format!("{EDITOR} section[aria-label='Spent on'] li a"), "Reminders").await;
    cost(&a, "Licences", "10202026", "20000", "tooling").await;

    for browser in [&a, &b] {
        figure(browser, "Actual to date", "50,000").await;
        figure(browser, "Remaining", "budget − actual = 100,000 − 50,000").await;
        figure(browser, "Earned value", "EV = BAC × 40 % done").await;
        figure(browser, "CPI", "EV ÷ AC = 40,000 ÷ 50,000").await;
        figure(browser, "Forecast at completion", "125,000EAC = BAC ÷ CPI = 100,000 ÷ 0.80").await;
        figure(browser, "Variance at completion", "−25,000").await;
        figure(browser, "ROI as planned", "150 %").await;
        figure(browser, "ROI at forecast cost", "100 %(benefit − EAC) ÷ EAC = (250,000 − 125,000) ÷ 125,000").await;
        browser.wait_for_text(&format!("{BUDGET} .chart-drawing text"), "Budget 100,000").await;
    }
    b.wait_for_text(&format!("{BUDGET} p"), "By category: People 30,000 · Tooling 20,000.").await;
    a.screenshot("e2e-costs").await;

    // The overview: a north-star KPI, a release and a risk.
    a.click_text("a.nav-link", "Objectives & KPIs").await;
    a.type_into("input[aria-label='New objective or KPI name']", &format!("Invoices paid on time{}", keys::ENTER)).await;
    a.select(&format!("{EDITOR} select[aria-label='Level']"), "north_star").await;
    a.type_into(&format!("{EDITOR} input[placeholder='teams']"), "%").await;
    a.set_number(EDITOR, "Baseline", "60").await;
    a.set_number(EDITOR, "Target", "90").await;
    a.type_into(&format!("{EDITOR} input[aria-label='Value measured']"), &format!("75{}", keys::ENTER)).await;
    a.wait_for_text(&format!("{EDITOR} .standing-current"), "75 %").await;
    a.click_text("a.nav-link", "Releases").await;
    a.type_into("input[aria-label='New release name']", &format!("Winter{}", keys::ENTER)).await;
    a.wait_for(&format!("{EDITOR} select[aria-label='Status']")).await;
    a.click_text("a.nav-link", "Risks").await;
    a.type_into("input[aria-label='New risk title']", &format!("Bank API rate limits{}", keys::ENTER)).await;
    a.select(&format!("{EDITOR} select[aria-label='Likelihood']"), "4").await;
    a.select(&format!("{EDITOR} select[aria-label='Impact']"), "5").await;
    a.wait_for_text("ul[aria-label='Risks'] .badge", "Score 20").await;

    a.click_text("a.nav-link", "Brief").await;
    a.wait_for_text(".north-star-measure", "Measured by Invoices paid on time: 75 %").await;
    a.click_text("a.nav-link", "Overview").await;
    a.wait_for_text("h1.page-title", "Overview").await;
    a.wait_for_text("section[aria-label='North star']", "Invoices paid on time").await;
    a.wait_for_text("section[aria-label='North star'] .north-star-figure", "75 %").await;
    a.wait_for_text("section[aria-label='North star'] .badge", "50 % of the way to 90 %").await;
    a.wait_for_text("section[aria-label='Next release']", "Winter").await;
    a.wait_for_text("section[aria-label='Next release'] .badge", "No-go: 0 of 7 functions ready").await;
    a.wait_for_text("section[aria-label='Top risks'] li", "Bank API rate limits").await;
    a.wait_for_text("section[aria-label='Top ideas']", "No idea is scored yet.").await;
    b.click_text("a.nav-link", "Overview").await;
    b.wait_for_text("section[aria-label='Top risks'] .badge", "Score 20 · High").await;
    a.screenshot("e2e-overview").await;
    a.client.set_window_size(390, 844).await.unwrap();
    a.screenshot("e2e-overview-phone").await;
    a.client.set_window_size(1400, 1000).await.unwrap();
    a.click_text("a.nav-link", "Costs").await;
    a.wait_for(BUDGET).await;
    a.client.set_window_size(390, 844).await.unwrap();
    a.screenshot("e2e-costs-phone").await;

    a.close().await;
    b.close().await;
}
