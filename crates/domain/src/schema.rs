//! The workspace document, schema version 1.
//!
//! A workspace is one Automerge document. This module names every key in it; the
//! typed readers and writers in [`crate::brief`] and [`crate::idea`] are the only code
//! that touches the document, always through these names.
//!
//! # Layout
//!
//! ```text
//! ROOT (map)
//! ├─ schema        uint    schema version this document was created with (1)
//! ├─ workspace_id  str     random id; stable across copies, so an import can tell
//! │                        "same workspace, merge" from "another workspace, add"
//! ├─ created_at    int     ms since the Unix epoch
//! ├─ created_by    str     display name of the creator
//! ├─ brief         map     see BRIEF below
//! ├─ settings      map     framework: str (rice|ice|wsjf|moscow|kano|value_effort|
//! │                        opportunity|weighted); criteria: map id -> {name: str,
//! │                        weight: f64}
//! ├─ external      map     what each imported row became: `<source>:<key>` ("jira:PAY-101")
//! │                        -> `<collection>/<id>`, so a re-import updates it
//! │                        ([`crate::backlog_import`])
//! ├─ links         map     every link between artifacts (see [`crate::link`]):
//! │                        `<from>><relation>><to>` (or `<from>><relation>` for a
//! │                        relation of one target) -> `<to>`, each end written
//! │                        `<collection>/<id>`
//! └─ <collection>  map     artifact id -> artifact map, one per collection below
//! ```
//!
//! Artifacts live in maps keyed by random ids (never list positions), so two people
//! creating items at once never collide. Every artifact map carries the common fields
//! `created_at` (int ms), `created_by` (str), `updated_at` (int ms), `deleted` (bool,
//! soft delete: a deleted artifact keeps its content so that undo, and a concurrent
//! edit, lose nothing), `tags` (map tag -> true, a set that merges adds and removes)
//! and `comments` (map id -> {author: str, at: int, text: Text}).
//! Long text is Automerge `Text`, so concurrent typing merges character by character;
//! short labels are `str` (last writer wins); counts people add to are `Counter`.
//! Links live in the root `links` map, one key per link, so two people linking at
//! once keep both; the per-artifact link fields below marked *(old form)* are what
//! builds before it wrote: still read, cleared when the link is written again. Every date is
//! a calendar day stored as `YYYY-MM-DD` ([`crate::date::Date`]); a day that does not
//! parse is reported and read as unset. Features, releases, iterations and phases,
//! beta programs, objectives and KPIs, experiments, risks, costs, competitors and trends are described through [`crate::kind::Kind`] (their fields are in their
//! modules' `FIELDS`).
//!
//! | collection    | fields (besides the common ones) |
//! |---------------|-----------------------------------|
//! | `ideas`       | title Text, description Text, status str (new, under_review, accepted, parked, rejected, done), status_reason Text, source str, submitter str, votes Counter, scores map `<framework>.<input>` -> f64 (created with the idea; see `priorities`) |
//! | `feedback`    | text Text, channel str (survey, poll, interview, focus_group, review, support, usability_test, beta, churn), customer str, segment str, date str (YYYY-MM-DD), rating int (NPS 0–10 or CSAT 1–5), rating_scale str (nps, csat), sentiment str (positive, neutral, negative); *(old form)* ideas map, persona str |
//! | `personas`    | name str, role str, goals Text, pain_points Text, motivations Text, behaviours Text, quote Text, segment_size f64 |
//! | `stories`     | goal Text, benefit Text, criteria map id -> {given Text, when Text, then Text, position f64} (ordered by position, so a move never drops a concurrent edit), estimate f64, status str (draft, ready, in_progress, done); *(old form)* persona str, idea str |
//! | `features`    | title Text, description Text, theme Text, status str (planned, in_progress, at_risk, done, dropped), horizon str (now, next, later), start str, target str (dates), owner Text, success_metrics Text, moscow str (must, should, could, wont), effort f64 (person-months), cost f64, visibility str (internal, executive, public), position str (fractional key, [`crate::position`]); release, blockers, ideas and stories are links |
//! | `releases`    | name Text, target str (date), status str (planned, in_progress, released, cancelled), process str (agile, waterfall), readiness map `<function>/state` -> str (not_started, in_progress, ready, blocked, not_needed), `<function>/owner` -> str, `<function>/note` -> str, notes Text |
//! | `stages`      | name Text, kind str (iteration, phase), start str, end str (dates), goal Text, exit_criteria Text; its release is a link |
//! | `betas`       | name Text, status str (planned, running, closed), start str, end str (dates), participants map "company — contact" -> str (invited, active, left), exit_criteria Text, notes Text; its release is a link |
//! | `objectives`  | name Text, level str (objective, key_result, kpi, north_star; unset reads as kpi), description Text, owner Text, unit Text, baseline f64, target f64, start str, due str (dates), measurements map `YYYY-MM-DD` -> f64 (one value a day); the objective a key result is part of is a link |
//! | `experiments` | title Text, status str (planned, running, analysing, decided), hypothesis Text, success_signal Text, metric Text, start str, end str (dates), variants map `<row>/name` -> str, `<row>/at` -> int (when added: the first is the control), `<row>/visitors` -> uint, `<row>/conversions` -> uint, baseline f64 (%), mde f64 (points), power str (80, 90), significance str (0.05, 0.01, 0.1), decision str (ship, iterate, stop), reason Text; what it tests is a link |
//! | `risks`       | title Text, description Text, category str (technical, schedule, cost, market, security, compliance), likelihood str "1"–"5", impact str "1"–"5", owner str, response str (avoid, mitigate, transfer, accept), mitigation Text, trigger Text, status str (open, watching, occurred, mitigated, closed); what it threatens is a link |
//! | `costs`       | title Text, date str (YYYY-MM-DD), amount f64, category str (people, tooling, vendor, other), note Text; the feature or release it was spent on is a link |
//! | `competitors` | name Text, positioning Text, strengths Text, weaknesses Text, threat str (low, medium, high), comparison map feature name -> str (they_lead, parity, we_lead, they_lack), notes Text |
//! | `trends`      | title Text, date str (YYYY-MM-DD), impact_level str (low, medium, high), impact Text, notes Text |
//! | `documents`   | title Text, kind str (spec, decision, note, training, release_note), body Text; *(old form)* links map (ids of ideas or stories) |
//!
//! Derived numbers (scores, ROI, NPS, risk score) are never stored: they are computed
//! from their inputs when read, so they can never disagree with them.
//!
//! # Compatibility
//!
//! Readers never panic: a field of the wrong type or an unknown enum value falls back
//! to its default and is reported as a [`crate::Problem`]. Writers only touch the keys
//! they change, so fields written by a newer version are preserved.

/// The schema version this build writes.
pub const SCHEMA_VERSION: u64 = 1;

pub const SCHEMA: &str = "schema";
pub const WORKSPACE_ID: &str = "workspace_id";
pub const BRIEF: &str = "brief";
pub const SETTINGS: &str = "settings";
pub const IDEAS: &str = "ideas";
pub const FEEDBACK: &str = "feedback";
pub const PERSONAS: &str = "personas";
pub const STORIES: &str = "stories";
pub const DOCUMENTS: &str = "documents";
pub const FEATURES: &str = "features";
pub const RELEASES: &str = "releases";
pub const OBJECTIVES: &str = "objectives";
pub const EXPERIMENTS: &str = "experiments";
pub const RISKS: &str = "risks";
pub const COMPETITORS: &str = "competitors";
pub const TRENDS: &str = "trends";
pub const BETAS: &str = "betas";
pub const STAGES: &str = "stages";
pub const COSTS: &str = "costs";

/// Every artifact collection schema v1 defines, created empty with each workspace.
pub const COLLECTIONS: &[&str] = &[
    IDEAS,
    FEEDBACK,
    PERSONAS,
    STORIES,
    FEATURES,
    RELEASES,
    BETAS,
    STAGES,
    OBJECTIVES,
    EXPERIMENTS,
    RISKS,
    COSTS,
    COMPETITORS,
    TRENDS,
    DOCUMENTS,
];

pub const CREATED_AT: &str = "created_at";
pub const CREATED_BY: &str = "created_by";
pub const UPDATED_AT: &str = "updated_at";
pub const DELETED: &str = "deleted";
pub const TAGS: &str = "tags";
pub const COMMENTS: &str = "comments";
