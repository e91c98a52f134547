//! Sharing a workspace: the Share button and dialog, the sync indicator, and who else
//! is here.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::{display_name, use_profile};
use crate::components::{Dialog, Toasts};
use crate::session::use_session;
use crate::sync::presence::Presence;
use crate::sync::{link, SyncStatus};

/// My presence as the profile says, before a page sets what I am looking at.
pub fn my_presence() -> Presence {
    let profile = use_profile().get_untracked();
    Presence { name: display_name(&profile), colour: profile.colour.clone(), ..Presence::default() }
}

/// The header's Share button; opens the dialog with both links.
#[component]
pub fn ShareButton() -> impl IntoView {
    let open = RwSignal::new(false);
    crate::components::palette::offer_action("Share this workspace…", move || open.set(true));
    view! {
        <button class="btn share-button" on:click=move |_| open.set(true)>"Share"</button>
        <Dialog open=open title="Share this workspace">
            <ShareDialogBody/>
            <div class="dialog-actions">
                <button class="btn" on:click=move |_| open.set(false)>"Done"</button>
            </div>
        </Dialog>
    }
}

#[component]
fn ShareDialogBody() -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let engine = session.get().engine;
    let starting = RwSignal::new(false);
    let start = move |_| {
        starting.set(true);
        let s = session.get();
        let me = my_presence();
        spawn_local(async move {
            if let Err(e) = s.share(me).await {
                toasts.error(e);
            }
            starting.set(false);
        });
    };
    // A memo, so the links are not re-rendered at every change of status.
    let closed = Memo::new(move |_| engine.get().is_some_and(|e| e.status.get() == SyncStatus::Closed));
    move || match engine.get() {
        None => view! {
            <p>
                "Sharing puts an encrypted copy of this workspace on this server, so teammates can edit it with you live. "
                "The server stores only ciphertext: the key travels inside the link, after the #, which browsers never send to a server."
            </p>
            <p class="muted">"Anyone with a link can open the workspace. Send links only to people who should see it."</p>
            <div class="dialog-actions">
                <button class="btn btn-primary" disabled=move || starting.get() on:click=start>
                    {move || if starting.get() { "Creating links…" } else { "Create share links" }}
                </button>
            </div>
        }
        .into_any(),
        Some(_) if closed.get() => view! {
            <p>"These links were replaced by an editor and no longer sync. Ask a teammate for the new link and open it: this workspace, with anything you changed since, switches to it."</p>
        }
        .into_any(),
        Some(engine) => {
            let cap = engine.capability().clone();
            let origin = engine.origin();
            let view_link = link(&origin, &cap.view_fragment());
            let edit_link = cap.edit_fragment().map(|f| link(&origin, &f));
            let can_replace = cap.can_write();
            view! {
                {edit_link.map(|edit| view! {
                    <LinkRow
                        label="Edit link"
                        class="edit-link"
                        explain="Whoever opens it can read and change everything here, live with you. Send it only to teammates you trust to edit."
                        link=edit
                    />
                })}
                <LinkRow
                    label="View link"
                    class="view-link"
                    explain="Whoever opens it can read the workspace and follow changes as they happen, but cannot change anything. Good for stakeholders."
                    link=view_link
                />
                <p class="muted">
                    "The server stores only encrypted data and cannot read this workspace. Keep links private: anyone who has one keeps it until the links are replaced."
                </p>
                {can_replace.then(|| view! { <crate::components::invite::InviteDirectly engine=Rc::clone(&engine)/> })}
                <DirectConnections open=RwSignal::from(engine.direct.open.clone())/>
                {can_replace.then(|| view! { <ReplaceLinks/> })}
            }
            .into_any()
        }
    }
}

/// Teammates connected directly, and the STUN or TURN servers that let them connect
/// across networks (none unless added: see `crate::sync::direct::ice`).
#[component]
fn DirectConnections(open: RwSignal<usize>) -> impl IntoView {
    use crate::sync::direct::ice;
    let text = RwSignal::new(ice::saved_text());
    let said = RwSignal::new(None::<Result<String, String>>);
    let save = move |_| {
        said.set(Some(match ice::save(&text.get_untracked()) {
            Ok(0) => Ok("Saved: no server; direct connections stay within one network.".into()),
            Ok(n) => Ok(format!("Saved {n} server{}; new direct connections use {}.", if n == 1 { "" } else { "s" }, if n == 1 { "it" } else { "them" })),
            Err(e) => Err(e),
        }));
    };
    view! {
        <section class="share-link direct-connections">
            <h3>"Direct connections"</h3>
            <p>
                {move || match open.get() {
                    0 => "No teammate is connected directly right now.".to_owned(),
                    1 => "Connected directly with 1 teammate.".to_owned(),
                    n => format!("Connected directly with {n} teammates."),
                }}
                " Teammates on the same network connect to each other directly, so changes keep flowing if this server stops. "
                "Across the internet that needs a STUN or TURN server your team runs; none is contacted unless you add it here (this browser only)."
            </p>
            <label class="field">
                <span class="field-label">"STUN or TURN servers, one per line"</span>
                <textarea
                    class="field-input field-textarea ice-servers"
                    rows="2"
                    placeholder="stun:stun.example.org:3478\nturn:turn.example.org:3478 user credential"
                    prop:value=move || text.get()
                    on:input:target=move |ev| {
                        text.set(ev.target().value());
                        said.set(None);
                    }
                ></textarea>
            </label>
            <div class="ice-save">
                <button class="btn" on:click=save>"Save servers"</button>
                {move || said.get().map(|r| match r {
                    Ok(m) => view! { <p role="status">{m}</p> }.into_any(),
                    Err(e) => view! { <p class="ice-error" role="alert">{e}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}

/// Removing someone's access: new links for everyone who stays; the old ones stop.
#[component]
fn ReplaceLinks() -> impl IntoView {
    let session = use_session();
    let toasts = Toasts::get();
    let asking = RwSignal::new(false);
    let replacing = RwSignal::new(false);
    let replace = move |_| {
        replacing.set(true);
        let s = session.get();
        let me = my_presence();
        spawn_local(async move {
            match s.replace_links(me).await {
                Ok(()) => toasts.info("New links are ready. Send them to the people who should keep access; the old links no longer sync."),
                Err(e) => toasts.error(e),
            }
            replacing.set(false);
            asking.set(false);
        });
    };
    view! {
        <section class="share-link replace-links">
            <h3>"Remove someone's access"</h3>
            <p>"A link can't be taken back from one person. Replace the links instead: both links above stop working for everyone (no new changes reach them, and they can't change anything), and you get new ones to send to the people who stay."</p>
            {move || if asking.get() {
                view! {
                    <div class="replace-confirm" role="group" aria-label="Replace the links?">
                        <p><strong>"Replace both links now?"</strong>" Everyone using them will need a new link from you. What they already have stays with them."</p>
                        <div class="row end wrap">
                            <button class="btn" disabled=move || replacing.get() on:click=move |_| asking.set(false)>"Keep the links"</button>
                            <button class="btn btn-danger" disabled=move || replacing.get() on:click=replace>
                                {move || if replacing.get() { "Replacing…" } else { "Replace links" }}
                            </button>
                        </div>
                    </div>
                }
                .into_any()
            } else {
                view! { <button class="btn" on:click=move |_| asking.set(true)>"Replace links…"</button> }.into_any()
            }}
        </section>
    }
}

#[component]
fn LinkRow(label: &'static str, class: &'static str, explain: &'static str, link: String) -> impl IntoView {
    let text = link.clone();
    view! {
        <section class=format!("share-link {class}")>
            <h3>{label}</h3>
            <p>{explain}</p>
            <div class="share-link-row">
                <input type="text" readonly aria-label=label prop:value=link on:focus=|ev| {
                    let input: web_sys::HtmlInputElement = event_target(&ev);
                    input.select();
                }/>
                <CopyButton text=text label="Copy"/>
            </div>
        </section>
    }
}

/// Copies `text` to the clipboard; says “Copied” once it did.
#[component]
pub fn CopyButton(text: String, label: &'static str) -> impl IntoView {
    let toasts = Toasts::get();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let text = text.clone();
        spawn_local(async move {
            let clipboard = window().navigator().clipboard();
            match wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text)).await {
                Ok(_) => copied.set(true),
                Err(_) => toasts.error("Could not copy: select the text and copy it by hand."),
            }
        });
    };
    view! { <button type="button" class="btn" on:click=copy>{move || if copied.get() { "Copied" } else { label }}</button> }
}

/// Says whether a shared workspace is in step with the relay.
#[component]
pub fn SyncIndicator() -> impl IntoView {
    let session = use_session();
    let engine = session.get().engine;
    move || {
        engine.get().map(|engine| {
            let status = engine.status;
            let last = engine.last_synced;
            // Teammates connected directly, without the relay.
            let direct = RwSignal::from(engine.direct.open.clone());
            let with_direct = move |text: String| match direct.get() {
                0 => text,
                1 => format!("{text} · direct with 1"),
                n => format!("{text} · direct with {n}"),
            };
            let state = move || match status.get() {
                SyncStatus::Offline { .. } => "offline",
                SyncStatus::Connecting => "connecting",
                SyncStatus::Syncing => "syncing",
                SyncStatus::UpToDate => "up-to-date",
                SyncStatus::Refused(_) => "refused",
                SyncStatus::Closed => "closed",
            };
            let text = move || match status.get() {
                SyncStatus::Offline { .. } if direct.get() > 0 => with_direct("Relay offline".to_owned()),
                SyncStatus::Offline { .. } => "Offline · edits kept here".to_owned(),
                SyncStatus::Connecting => "Connecting…".to_owned(),
                SyncStatus::Syncing => "Syncing…".to_owned(),
                SyncStatus::UpToDate => with_direct(format!("Up to date · {}", clock(last.get()))),
                SyncStatus::Refused(_) => "Sync problem".to_owned(),
                SyncStatus::Closed => "Link replaced".to_owned(),
            };
            let title = move || match status.get() {
                SyncStatus::Offline { .. } if direct.get() > 0 => {
                    "The relay cannot be reached: you are syncing directly with teammates on this network, and the relay gets your changes when it is back.".to_owned()
                }
                SyncStatus::Offline { retry_in_s, reason } => {
                    let since = if last.get() > 0.0 { format!(" Last synced {}.", clock(last.get())) } else { String::new() };
                    format!("Not connected ({reason}). Trying again in about {retry_in_s} s. Your edits are saved on this device and will be sent when the connection is back.{since}")
                }
                SyncStatus::Refused(message) => message,
                SyncStatus::Closed => "An editor replaced this workspace's links, so this one no longer syncs. Ask a teammate for the new link and open it: your copy, and anything you changed since, comes along.".to_owned(),
                SyncStatus::UpToDate => format!("Everything is synced with your teammates (last confirmed {}).", clock(last.get())),
                _ => "Sending your changes and receiving your teammates'.".to_owned(),
            };
            view! {
                <span class="sync-state" data-state=state title=title role="status" aria-live="polite">
                    <span class="dot" aria-hidden="true"></span>
                    {text}
                </span>
            }
        })
    }
}

/// The people here now, as coloured initials; hovering says what each is viewing.
#[component]
pub fn PeerAvatars() -> impl IntoView {
    let session = use_session();
    let engine = session.get().engine;
    move || {
        engine.get().map(|engine| {
            let peers = engine.peers;
            let each = move || {
                let list: Vec<(u64, Presence)> = peers.get().into_iter().map(|(from, p)| (from, p.presence)).collect();
                list
            };
            let key = |(from, p): &(u64, Presence)| (*from, p.clone());
            // Said to screen readers: who arrives and who leaves (not what they look at).
            let here = Memo::new(move |_| peers.with(|p| p.iter().map(|(from, peer)| (*from, peer.presence.name.clone())).collect::<Vec<_>>()));
            let said = RwSignal::new(String::new());
            Effect::new(move |before: Option<Vec<(u64, String)>>| {
                let now = here.get();
                if let Some(before) = before {
                    let came = now.iter().filter(|p| !before.iter().any(|b| b.0 == p.0)).map(|p| format!("{} joined.", p.1));
                    let went = before.iter().filter(|b| !now.iter().any(|p| p.0 == b.0)).map(|b| format!("{} left.", b.1));
                    let news: Vec<String> = came.chain(went).collect();
                    if !news.is_empty() {
                        said.set(news.join(" "));
                    }
                }
                now
            });
            view! {
                <p class="visually-hidden peers-announce" role="status" aria-live="polite">{move || said.get()}</p>
                <ul class="peers" aria-label="Who else is here">
                    <For each=each key=key let:((_, p))>
                        <li
                            class="peer"
                            style=format!("--peer: {}", p.colour)
                            title=describe(&p)
                            data-name=p.name.clone()
                        >
                            {p.initials()}
                        </li>
                    </For>
                </ul>
            }
        })
    }
}

/// People viewing the item `id`, for a "… is here" note in editors.
pub fn peers_on(id: &waymark_domain::Id) -> Vec<Presence> {
    let session = use_session();
    let Some(engine) = session.get().engine.get() else { return Vec::new() };
    engine.peers.with(|p| p.values().filter(|peer| peer.presence.item.as_ref() == Some(id)).map(|peer| peer.presence.clone()).collect())
}

/// A note naming who else has this item open.
#[component]
pub fn PeersHere(id: waymark_domain::Id) -> impl IntoView {
    move || {
        let here = peers_on(&id);
        (!here.is_empty()).then(|| {
            let verb = if here.iter().all(|p| p.viewer) { "viewing" } else { "here" };
            view! {
                <p class="peers-here" role="status">
                    {small_avatars(&here)}
                    {format!("{} {} too", join_names(&here), if here.len() == 1 { format!("is {verb}") } else { format!("are {verb}") })}
                </p>
            }
        })
    }
}

/// Teammates on the item `id`, on its row in a list: a mark if one changed it since
/// this browser's last visit, and the initials of those who have it open, so that two
/// people don't rework the same idea unawares.
#[component]
pub fn PeersOn(id: waymark_domain::Id) -> impl IntoView {
    let fresh = use_context::<crate::session::SessionCtx>().map(|s| s.get().new_since_visit);
    let mine = id.clone();
    let changed = move || fresh.is_some_and(|f| f.with(|set| set.iter().any(|(_, i)| *i == mine)));
    let mark = move || changed().then(|| view! { <span class="badge new-mark" title="Changed by a teammate since your last visit">"New to you"</span> });
    let open = move || {
        let here = peers_on(&id);
        (!here.is_empty()).then(|| {
            let label = format!("{} {} this open", join_names(&here), if here.len() == 1 { "has" } else { "have" });
            view! {
                <span class="peers-on" title=label.clone() aria-label=label>
                    {small_avatars(&here)}
                </span>
            }
        })
    };
    view! { {mark}{open} }
}

/// Each person's initials on their colour, small.
fn small_avatars(people: &[Presence]) -> impl IntoView {
    people.iter().map(|p| view! { <span class="peer small" style=format!("--peer: {}", p.colour)>{p.initials()}</span> }).collect_view()
}

fn describe(p: &Presence) -> String {
    let role = if p.viewer { " (view only)" } else { "" };
    let page = if p.page.is_empty() { "this workspace".to_owned() } else { format!("{}", p.page) };
    let item = if p.item.is_some() { ", with an item open" } else { "" };
    format!("{}{role} is on {page}{item}", p.name)
}

/// "Ana", "Ana and Ben", "Ana, Ben and Chloé".
fn join_names(people: &[Presence]) -> String {
    match people {
        [] => String::new(),
        [one] => one.name.clone(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(|p| p.name.as_str()).collect();
            format!("{} and {}", init.join(", "), last.name)
        }
    }
}

/// `HH:MM` local time, or "never".
fn clock(ms: f64) -> String {
    if ms <= 0.0 {
        return "never".into();
    }
    let d = js_sys::Date::new(&ms.into());
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}
