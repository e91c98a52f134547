//! Two teammates on two relays that share one PostgreSQL (a throwaway cluster this
//! test starts), as behind a load balancer: each browser talks to its own relay, and
//! they co-edit live, presence included.

use waymark_e2e::{keys, Browser, Relay};

const ROWS: &str = ".idea-row .idea-title";

async fn add_idea(b: &Browser, title: &str) {
    b.type_into("input[aria-label='New idea']", &format!("{title}{}", keys::ENTER)).await;
    b.wait_for_text(ROWS, title).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn teammates_on_two_relays_sharing_one_database_co_edit_live() {
    let pg = pg_scratch::Cluster::start().expect("a throwaway PostgreSQL cluster");
    let one = Relay::start_on_store(&pg.url()).await;
    let two = Relay::start_on_store(&pg.url()).await;
    let a = Browser::start().await;
    let b = Browser::start().await;

    // Ada, on relay one, starts a workspace with an idea and shares it.
    a.goto(&one.url("/")).await;
    a.set_name("Ada Lovelace").await;
    a.create_workspace(&one, "Shared roadmap").await;
    a.click("a.nav-link[href$='/ideas']").await;
    add_idea(&a, "Offline mode").await;
    let link = a.share_links().await.0;

    // Grace opens the same link on relay two: everything is there.
    let on_two = link.replace(&one.url(""), &two.url(""));
    assert_ne!(on_two, link, "the link names relay one's address: {link}");
    b.join(&two, &on_two, "Grace Hopper").await;
    b.click("a.nav-link[href$='/ideas']").await;
    b.wait_for_text(ROWS, "Offline mode").await;

    // Live both ways, across the relays.
    add_idea(&b, "Dark mode").await;
    a.wait_for_text(ROWS, "Dark mode").await;
    add_idea(&a, "Keyboard shortcuts").await;
    b.wait_for_text(ROWS, "Keyboard shortcuts").await;

    // Presence crosses too: each sees the other in the header.
    a.wait_until("document.querySelector('.peers .peer[data-name=\"Grace Hopper\"]')", "Grace's avatar in Ada's header").await;
    b.wait_until("document.querySelector('.peers .peer[data-name=\"Ada Lovelace\"]')", "Ada's avatar in Grace's header").await;
    a.screenshot("e2e-scale-out-ada").await;
    b.screenshot("e2e-scale-out-grace").await;
    a.close().await;
    b.close().await;
}
