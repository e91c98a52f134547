//! The Markdown export: a brief people can read and paste anywhere, then personas,
//! the ideas grouped by status, their ranking under the workspace's framework, user
//! stories, feedback with NPS and CSAT, and documents. Every piece of workspace text is
//! escaped, so a title like `# hi` or `[a](javascript:…)` shows as those characters and
//! adds no structure; only a document's body is Markdown, included as written.

use std::collections::HashMap;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag};

use super::oldest_first;
use crate::feedback::{satisfaction, Feedback, RatingScale};
use crate::format::group_thousands;
use crate::persona::{Persona, PersonaText};
use crate::priorities::Framework;
use crate::ranking::{formula, number, rank};
use crate::scoring::Score;
use crate::story::{Criterion, Story};
use crate::{Brief, BriefField, Document, Id, Idea, IdeaStatus, Workspace};

/// Escapes one line of text so Markdown shows it literally: line breaks become spaces,
/// the ends are trimmed (leading spaces would start a code block), every character
/// that can open inline structure is backslash-escaped, and so is a first character
/// (or numbered-list dot) that could start a block.
pub fn escape_markdown(text: &str) -> String {
    let line = text.replace(['\r', '\n'], " ");
    let line = line.trim();
    let mut out = String::with_capacity(line.len() + 8);
    // "1. " and "1) " start an ordered list: escape the dot after leading digits.
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    for (i, c) in line.char_indices() {
        let inline = matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '&' | '~' | '^' | '|' | '$' | '{' | '}');
        let block_start = i == 0 && matches!(c, '-' | '+' | '=' | ':');
        let list_number = i == digits && digits > 0 && matches!(c, '.' | ')');
        if inline || block_start || list_number {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Long text as Markdown: each line escaped and kept (a hard break), blank lines
/// between paragraphs kept once, every line prefixed with `indent`.
fn paragraphs(text: &str, indent: &str) -> String {
    let lines: Vec<String> = text.lines().map(escape_markdown).collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if line.is_empty() {
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            continue;
        }
        out.push_str(indent);
        out.push_str(line);
        let next_is_text = lines.get(i + 1).is_some_and(|l| !l.is_empty());
        out.push_str(if next_is_text { "  \n" } else { "\n" });
    }
    out.trim_end_matches('\n').to_owned()
}

/// A percentage, rounded to one decimal and shown without it when whole: "150 %",
/// "12.5 %", "−20 %".
fn percent(ratio: f64) -> String {
    let p = (ratio * 1000.0).round() / 10.0;
    let shown = if p.fract() == 0.0 { format!("{}", p.abs()) } else { format!("{:.1}", p.abs()) };
    if p < 0.0 {
        format!("−{shown} %")
    } else {
        format!("{shown} %")
    }
}

/// The business case's figures, with ROI shown beside the inputs it comes from.
fn business_case_figures(brief: &Brief) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(v) = brief.benefit_value {
        lines.push(format!("- Expected benefit: {}", group_thousands(v)));
    }
    if let Some(v) = brief.budget {
        lines.push(format!("- Budget: {}", group_thousands(v)));
    }
    if let (Some(b), Some(c), Some(roi)) = (brief.benefit_value, brief.budget, brief.roi()) {
        let (b, c) = (group_thousands(b), group_thousands(c));
        lines.push(format!("- ROI: {} (benefits {b} − budget {c}) ÷ {c}", percent(roi)));
    }
    lines
}

/// The brief's sections, each with the fields it shows.
const SECTIONS: [(&str, &[BriefField]); 3] = [
    ("Direction", &[BriefField::Vision, BriefField::Strategy, BriefField::NorthStar]),
    ("Product summary", &[BriefField::What, BriefField::Why, BriefField::Timeline]),
    ("Business case", &[BriefField::Benefits, BriefField::Resources]),
];

/// A labelled long text: the label in bold, the text on the lines below it.
pub(super) fn labelled(label: &str, text: &str) -> String {
    format!("**{label}**  \n{}", paragraphs(text, ""))
}

fn push_brief(md: &mut String, brief: &Brief) {
    for (title, fields) in SECTIONS {
        let mut body = Vec::new();
        for field in fields.iter().filter(|f| !brief.text(**f).trim().is_empty()) {
            body.push(labelled(field.label(), brief.text(*field)));
        }
        if title == "Business case" {
            let figures = business_case_figures(brief);
            if !figures.is_empty() {
                body.push(figures.join("\n"));
            }
        }
        if !body.is_empty() {
            md.push_str(&format!("\n## {title}\n\n{}\n", body.join("\n\n")));
        }
    }
}

/// One idea as a list item: title, votes and tags, then its text indented beneath.
fn idea_item(idea: &Idea) -> String {
    let title = if idea.title.trim().is_empty() { "Untitled idea".to_owned() } else { escape_markdown(&idea.title) };
    let votes = if idea.votes == 1 { "1 vote".to_owned() } else { format!("{} votes", idea.votes) };
    let mut item = format!("- **{title}** · {votes}");
    if !idea.tags.is_empty() {
        let tags: Vec<String> = idea.tags.iter().map(|t| escape_markdown(t)).collect();
        item.push_str(&format!(" · tags: {}", tags.join(", ")));
    }
    item.push('\n');
    if !idea.description.trim().is_empty() {
        item.push_str(&format!("\n{}\n", paragraphs(&idea.description, "  ")));
    }
    if !idea.status_reason.trim().is_empty() {
        item.push_str(&format!("\n  *Reason:* {}\n", escape_markdown(&idea.status_reason)));
    }
    item
}

/// What links name: ideas by title, then stories by goal, escaped, in that order.
struct Names<'a>(HashMap<&'a Id, (usize, String)>);

impl<'a> Names<'a> {
    fn new(ideas: &'a [Idea], stories: &'a [Story]) -> Names<'a> {
        let ideas = ideas.iter().filter_map(|i| Some((i.id.as_ref()?, shown(&i.title, "Untitled idea"))));
        let stories = stories.iter().filter_map(|s| Some((s.id.as_ref()?, format!("story “{}”", shown(&s.goal, "untitled")))));
        Names(ideas.chain(stories).enumerate().map(|(n, (id, name))| (id, (n, name))).collect())
    }

    fn get(&self, id: &Id) -> Option<&str> {
        self.0.get(id).map(|(_, name)| name.as_str())
    }

    /// The names of the linked artifacts that are live, in the export's order.
    fn of_all(&self, links: &[Id]) -> String {
        let mut named: Vec<&(usize, String)> = links.iter().filter_map(|l| self.0.get(l)).collect();
        named.sort();
        named.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// Text shown as itself, or `fallback` when it is blank.
fn shown(text: &str, fallback: &str) -> String {
    if text.trim().is_empty() {
        fallback.to_owned()
    } else {
        escape_markdown(text)
    }
}

/// "1 respondent", "4 respondents".
fn respondents(n: usize) -> String {
    if n == 1 {
        "1 respondent".to_owned()
    } else {
        format!("{n} respondents")
    }
}

fn push_personas(md: &mut String, personas: &[Persona]) {
    if personas.is_empty() {
        return;
    }
    md.push_str(&format!("\n## Personas ({})\n", personas.len()));
    for p in personas {
        let mut body: Vec<String> = PersonaText::ALL[1..]
            .iter()
            .filter(|f| !p.text(**f).trim().is_empty())
            .map(|f| labelled(f.label(), p.text(*f)))
            .collect();
        if let Some(size) = p.segment_size {
            body.push(format!("**Segment size**  \n{}", group_thousands(size)));
        }
        md.push_str(&format!("\n### {}\n", shown(&p.name, "Unnamed persona")));
        if !body.is_empty() {
            md.push_str(&format!("\n{}\n", body.join("\n\n")));
        }
    }
}

fn push_ideas(md: &mut String, ideas: &[Idea]) {
    md.push_str(&format!("\n## Ideas ({})\n", ideas.len()));
    for status in IdeaStatus::ALL {
        let mut group: Vec<&Idea> = ideas.iter().filter(|i| i.status == status).collect();
        if group.is_empty() {
            continue;
        }
        crate::sort::sort_by(&mut group, |a, b| b.votes.cmp(&a.votes).then(a.created_at.cmp(&b.created_at)).then_with(|| a.id.cmp(&b.id)));
        md.push_str(&format!("\n### {} ({})\n\n", status.label(), group.len()));
        for idea in group {
            md.push_str(&idea_item(idea));
        }
    }
}

/// The ideas ranked under the workspace's framework, each with its worked formula;
/// unscored and unscorable ones last, saying what is missing or wrong.
fn push_ranking(md: &mut String, ws: &Workspace, ideas: &[Idea], names: &Names) {
    if ideas.is_empty() {
        return;
    }
    let framework = ws.framework();
    let criteria = ws.weighted_criteria();
    md.push_str(&format!("\n## Ranking: {}\n\n", framework.label()));
    if framework == Framework::Weighted && !criteria.is_empty() {
        let weights: Vec<String> = criteria.iter().map(|c| format!("{} × {}", shown(&c.name, "Unnamed"), number(c.weight))).collect();
        md.push_str(&format!("Criteria: {}\n\n", weights.join(", ")));
    }
    let by_id: HashMap<&Id, &Idea> = ideas.iter().filter_map(|i| Some((i.id.as_ref()?, i))).collect();
    for row in rank(ideas, framework, &criteria) {
        let title = names.get(&row.id).unwrap_or_default();
        let line = match &row.score {
            Score::Value(_) => {
                let place = row.rank.map(|n| format!("#{n}{} ", if row.tied { " (tied)" } else { "" })).unwrap_or_default();
                format!("{place}**{title}** · {}", escape_markdown(&formula(framework, &by_id[&row.id].scores, &criteria)))
            }
            Score::Unscored { missing } => {
                let missing: Vec<String> = missing.iter().map(|m| escape_markdown(m)).collect();
                format!("**{title}** · unscored (needs {})", missing.join(", "))
            }
            Score::Invalid(why) => format!("**{title}** · can't score: {}", escape_markdown(why)),
        };
        md.push_str(&format!("- {line}\n"));
    }
}
/// One story in the standard form ([`Story::as_text`], its parts escaped), with its
/// status, estimate and idea, then its criteria as a numbered list.
fn story_item(story: &Story, persona: &str, idea: Option<&str>) -> String {
    let escaped = Story {
        goal: escape_markdown(&story.goal),
        benefit: escape_markdown(&story.benefit),
        criteria: story
            .criteria
            .iter()
            .map(|c| Criterion { given: escape_markdown(&c.given), when: escape_markdown(&c.when), then: escape_markdown(&c.then), ..c.clone() })
            .collect(),
        ..story.clone()
    };
    let text = escaped.as_text(&escape_markdown(persona));
    let mut lines = text.lines().filter(|l| !l.is_empty());
    let mut details = vec![story.status.label().to_owned()];
    if let Some(e) = story.estimate {
        details.push(format!("estimate {}", number(e)));
    }
    if let Some(title) = idea {
        details.push(format!("idea: {title}"));
    }
    let mut item = format!("- {}  \n  {}\n", lines.next().unwrap_or_default(), details.join(" · "));
    for line in lines {
        if line.starts_with(|c: char| c.is_ascii_digit()) {
            item.push_str(&format!("  {line}\n"));
        } else {
            // "Acceptance criteria:", then the numbered list.
            item.push_str(&format!("\n  *{line}*\n\n"));
        }
    }
    item
}

fn push_stories(md: &mut String, stories: &[Story], personas: &[Persona], names: &Names) {
    if stories.is_empty() {
        return;
    }
    md.push_str(&format!("\n## User stories ({})\n\n", stories.len()));
    for story in stories {
        let persona = personas.iter().find(|p| p.id.is_some() && p.id == story.persona).map_or("", |p| p.name.as_str());
        let idea = story.idea.as_ref().and_then(|id| names.get(id));
        md.push_str(&story_item(story, persona, idea));
    }
}

/// "NPS +25 from 4 respondents · CSAT 50 % from 2 respondents" (what there is).
fn satisfaction_line(feedback: &[Feedback]) -> Option<String> {
    let s = satisfaction(feedback);
    let mut parts = Vec::new();
    if let Some(n) = s.nps {
        let sign = if n.score > 0.0 { "+" } else { "" };
        parts.push(format!("NPS {sign}{} from {}", number(n.score), respondents(n.respondents)));
    }
    if let Some(c) = s.csat {
        parts.push(format!("CSAT {} from {}", percent(c.percent / 100.0), respondents(c.respondents)));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// One piece of feedback: who, where, the rating, and the ideas it supports, then
/// what was said, indented beneath.
fn feedback_item(f: &Feedback, names: &Names) -> String {
    let mut head = vec![format!("**{}**", shown(&f.customer, "Anonymous")), f.channel.label().to_owned()];
    if let (Some(r), Some(scale)) = (f.rating, f.scale) {
        head.push(format!("{} {r}", if scale == RatingScale::Nps { "NPS" } else { "CSAT" }));
    }
    if let Some(s) = f.sentiment {
        head.push(s.key().to_owned());
    }
    let date = f.date.map(|d| d.to_string()).unwrap_or_default();
    head.extend([&f.segment, &date].into_iter().filter(|t| !t.trim().is_empty()).map(|t| escape_markdown(t)));
    let ideas = names.of_all(&f.ideas);
    if !ideas.is_empty() {
        head.push(format!("ideas: {ideas}"));
    }
    let mut item = format!("- {}\n", head.join(" · "));
    if !f.text.trim().is_empty() {
        item.push_str(&format!("\n{}\n", paragraphs(&f.text, "  ")));
    }
    item
}

fn push_feedback(md: &mut String, feedback: &[Feedback], names: &Names) {
    if feedback.is_empty() {
        return;
    }
    md.push_str(&format!("\n## Feedback ({})\n\n", feedback.len()));
    if let Some(line) = satisfaction_line(feedback) {
        md.push_str(&format!("{line}\n\n"));
    }
    for f in feedback {
        md.push_str(&feedback_item(f, names));
    }
}

/// A document's body as written, unless it would swallow what follows it (an
/// unclosed code fence or HTML block): then its source, in a code block.
fn document_body(body: &str) -> String {
    let body = body.trim_end();
    let probe = format!("{body}\n\n# end\n");
    let events: Vec<Event> = Parser::new_ext(&probe, Options::all()).collect();
    let ends_cleanly = matches!(
        events.as_slice(),
        [.., Event::Start(Tag::Heading { level: HeadingLevel::H1, .. }), Event::Text(t), Event::End(_)] if t.as_ref() == "end"
    );
    if ends_cleanly {
        return body.to_owned();
    }
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}markdown\n{body}\n{fence}")
}

fn push_documents(md: &mut String, documents: &[Document], names: &Names) {
    if documents.is_empty() {
        return;
    }
    md.push_str(&format!("\n## Documents ({})\n", documents.len()));
    for d in documents {
        md.push_str(&format!("\n### {}\n\n", shown(&d.title, "Untitled document")));
        let mut about = vec![format!("*{}*", d.kind.label())];
        let links = names.of_all(&d.links.iter().map(|l| l.id.clone()).collect::<Vec<_>>());
        if !links.is_empty() {
            about.push(format!("about: {links}"));
        }
        if !d.tags.is_empty() {
            about.push(format!("tags: {}", d.tags.iter().map(|t| escape_markdown(t)).collect::<Vec<_>>().join(", ")));
        }
        md.push_str(&format!("{}\n", about.join(" · ")));
        if !d.body.trim().is_empty() {
            md.push_str(&format!("\n{}\n", document_body(&d.body)));
        }
    }
}

/// A readable report of the workspace: the brief (empty fields left out, ROI beside
/// its inputs), personas, the live ideas grouped by status (most votes first), their
/// ranking, user stories, feedback with NPS and CSAT, a section per kind described
/// through [`crate::Kind`] (competitors, trends), then documents. Sections with
/// nothing in them are left out (but for the ideas).
pub fn to_markdown(ws: &Workspace) -> String {
    let (brief, _) = ws.brief();
    let name = shown(&brief.name, "Untitled workspace");
    let mut md = format!("# {name}\n");
    push_brief(&mut md, &brief);
    let ideas = oldest_first(ws.ideas().0, |i| (i.deleted, i.created_at, i.id.as_ref()));
    let personas = oldest_first(ws.personas().0, |p| (p.deleted, p.created_at, p.id.as_ref()));
    let stories = oldest_first(ws.stories().0, |s| (s.deleted, s.created_at, s.id.as_ref()));
    let feedback = oldest_first(ws.all_feedback().0, |f| (f.deleted, f.created_at, f.id.as_ref()));
    let documents = oldest_first(ws.documents().0, |d| (d.deleted, d.created_at, d.id.as_ref()));
    let names = Names::new(&ideas, &stories);
    push_personas(&mut md, &personas);
    push_ideas(&mut md, &ideas);
    push_ranking(&mut md, ws, &ideas, &names);
    push_stories(&mut md, &stories, &personas, &names);
    push_feedback(&mut md, &feedback, &names);
    // Documents last: their bodies are Markdown with headings of their own.
    super::kinds::push_markdown(&mut md, ws);
    push_documents(&mut md, &documents, &names);
    md
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    use super::*;
    use crate::priorities::Framework;
    use crate::{BriefNumber, IdeaText};

    fn sample() -> Workspace {
        let mut ws = Workspace::create("Payments", 1, "Ana");
        ws.set_brief_text(BriefField::Vision, "Get paid on time").unwrap();
        ws.set_brief_text(BriefField::Timeline, "Q3: beta\nQ4: everyone").unwrap();
        ws.set_brief_number(BriefNumber::BenefitValue, Some(300_000.0)).unwrap();
        ws.set_brief_number(BriefNumber::Budget, Some(120_000.0)).unwrap();
        let a = ws.create_idea("Offline mode", 10, "Ana").unwrap();
        ws.add_idea_tag(&a, "mobile", 11).unwrap();
        ws.add_idea_tag(&a, "sync", 11).unwrap();
        ws.vote_idea(&a, 3, 12).unwrap();
        ws.set_idea_status(&a, IdeaStatus::Accepted, 13).unwrap();
        ws.set_idea_text(&a, IdeaText::Description, "Field sales lose signal.\n\nThey retype orders.", 14).unwrap();
        let b = ws.create_idea("Dark mode", 20, "Bo").unwrap();
        ws.vote_idea(&b, 1, 21).unwrap();
        ws.set_idea_status(&b, IdeaStatus::Parked, 22).unwrap();
        ws.set_idea_text(&b, IdeaText::StatusReason, "Not this year", 22).unwrap();
        ws.create_idea("Quick capture", 30, "Bo").unwrap();
        let gone = ws.create_idea("Deleted one", 40, "Ana").unwrap();
        ws.delete_idea(&gone, 41).unwrap();
        ws
    }

    /// Parses Markdown with every extension a reader's renderer might have on.
    fn events(md: &str) -> Vec<Event<'_>> {
        Parser::new_ext(md, Options::all() - Options::ENABLE_SMART_PUNCTUATION).collect()
    }

    /// The text of a run of events, with breaks as newlines.
    fn text_of(events: &[Event]) -> String {
        events
            .iter()
            .map(|e| match e {
                Event::Text(t) => t.to_string(),
                Event::SoftBreak | Event::HardBreak => "\n".to_owned(),
                other => panic!("structure where only text belongs: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn the_brief_shows_roi_beside_its_inputs() {
        let md = to_markdown(&sample());
        assert!(md.starts_with("# Payments\n"), "{md}");
        assert!(md.contains("- ROI: 150 % (benefits 300,000 − budget 120,000) ÷ 120,000\n"), "{md}");
        assert!(md.contains("- Expected benefit: 300,000\n- Budget: 120,000\n"), "{md}");
        assert!(md.contains("## Direction\n\n**Product vision**  \nGet paid on time\n"), "{md}");
        assert!(md.contains("**Timeline**  \nQ3: beta  \nQ4: everyone\n"), "line breaks are kept: {md}");
    }

    #[test]
    fn empty_fields_and_sections_are_left_out() {
        let mut ws = Workspace::create("", 1, "Ana");
        ws.set_brief_number(BriefNumber::Budget, Some(50_000.0)).unwrap();
        let md = to_markdown(&ws);
        assert_eq!(md, "# Untitled workspace\n\n## Business case\n\n- Budget: 50,000\n\n## Ideas (0)\n");
    }

    #[test]
    fn ideas_are_grouped_by_status_most_votes_first() {
        let md = to_markdown(&sample());
        let ideas = &md[md.find("## Ideas (3)").expect(&md)..md.find("## Ranking").expect(&md)];
        assert_eq!(
            ideas.lines().filter(|l| l.starts_with("### ") || l.starts_with("- ")).collect::<Vec<_>>(),
            [
                "### New (1)",
                "- **Quick capture** · 0 votes",
                "### Accepted (1)",
                "- **Offline mode** · 3 votes · tags: mobile, sync",
                "### Parked (1)",
                "- **Dark mode** · 1 vote",
            ]
        );
        assert!(ideas.contains("  Field sales lose signal.\n\n  They retype orders.\n"), "{ideas}");
        assert!(ideas.contains("  *Reason:* Not this year\n"), "{ideas}");
        assert!(!md.contains("Deleted one"));
    }

    #[test]
    fn percentages_round_to_a_decimal_with_a_real_minus() {
        assert_eq!(percent(1.5), "150 %");
        assert_eq!(percent(0.125), "12.5 %");
        assert_eq!(percent(-0.2), "−20 %");
        assert_eq!(percent(1.0 / 3.0), "33.3 %");
        assert_eq!(percent(0.0), "0 %");
    }

    #[test]
    fn hostile_titles_show_as_the_characters_they_are() {
        for title in ["# hi", "*x*", "[a](javascript:alert(1))", "<img src=x onerror=alert(1)>", "1. one", "- item", "a\n===", "`code`", "&lt;b&gt;", "x {#id .cls}"] {
            let md = format!("# {}\n", escape_markdown(title));
            let evs = events(&md);
            assert!(matches!(evs.first(), Some(Event::Start(Tag::Heading { id: None, classes, .. })) if classes.is_empty()), "{title}: {evs:?}");
            assert_eq!(text_of(&evs[1..evs.len() - 1]), title.replace('\n', " "), "{title}");
        }
    }

    #[test]
    fn a_hostile_workspace_adds_no_links_html_or_headings() {
        use crate::document::DocKind;
        use crate::feedback::{Channel, FeedbackLabel};
        use crate::persona::PersonaText;
        use crate::story::Step;
        let attack = "# Owned [x](javascript:alert(1)) <img src=x onerror=alert(1)> `code`";
        let mut ws = Workspace::create(attack, 1, "Ana");
        ws.set_brief_text(BriefField::Vision, "<script>alert(1)</script>\n# not a heading\n    not code").unwrap();
        let id = ws.create_idea(attack, 2, "Ana").unwrap();
        ws.set_idea_text(&id, IdeaText::Description, "---\n> quote\n| a | b |\n|---|---|", 3).unwrap();
        ws.set_framework(Framework::Weighted).unwrap();
        ws.put_weighted_criterion(None, attack, 1.0).unwrap();
        let p = ws.create_persona(attack, 4, "Ana").unwrap();
        ws.set_persona_text(&p, PersonaText::Quote, "> quoted\n1. listed\n```", 4).unwrap();
        let s = ws.create_story(attack, 5, "Ana").unwrap();
        ws.set_story_persona(&s, Some(&p), 5).unwrap();
        ws.set_story_idea(&s, Some(&id), 5).unwrap();
        let c = ws.add_criterion(&s, 5).unwrap();
        ws.set_criterion_step(&s, &c, Step::Given, "```\n<b>", 5).unwrap();
        let f = ws.create_feedback(attack, Channel::Review, 6, "Ana").unwrap();
        ws.set_feedback_label(&f, FeedbackLabel::Customer, attack, 6).unwrap();
        ws.link_feedback_to_idea(&f, &id, true, 6).unwrap();
        let d = ws.create_document(attack, DocKind::Spec, 7, "Ana").unwrap();
        ws.set_document_text(&d, true, "Plain words only.", 7).unwrap();
        ws.link_document(&d, &crate::Ref::new(crate::schema::IDEAS, id.clone()), true, 7).unwrap();
        ws.link_document(&d, &crate::Ref::new(crate::schema::STORIES, s.clone()), true, 7).unwrap();
        let md = to_markdown(&ws);
        for event in events(&md) {
            match event {
                Event::Start(Tag::Heading { .. }) | Event::End(TagEnd::Heading(_)) => {}
                Event::Start(Tag::Link { .. } | Tag::Image { .. } | Tag::BlockQuote(_) | Tag::CodeBlock(_) | Tag::Table(_)) => {
                    panic!("{event:?} in {md}")
                }
                Event::Html(_) | Event::InlineHtml(_) | Event::Rule | Event::Code(_) => panic!("{event:?} in {md}"),
                _ => {}
            }
        }
        let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).map(|l| l.split(' ').next().unwrap_or_default()).collect();
        assert_eq!(headings.len(), 11, "the name, Direction, Personas and one, Ideas, New, Ranking, User stories, Feedback, Documents and one: {md}");
        assert_eq!(md.matches(&escape_markdown(attack)).count(), 15, "shown escaped everywhere it appears: {md}");
    }

    #[test]
    fn every_kind_of_artifact_has_its_section() {
        let md = to_markdown(&crate::fixtures::one_of_everything());
        let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).collect();
        assert_eq!(
            headings,
            [
                "# Payments",
                "## Direction",
                "## Business case",
                "## Personas (1)",
                "### Fiona, finance admin",
                "## Ideas (2)",
                "### Accepted (1)",
                "### Parked (1)",
                "## Ranking: Weighted scoring",
                "## User stories (1)",
                "## Feedback (2)",
                "## Features (1)",
                "### Offline mode",
                "## Objectives & KPIs (2)",
                "### Teams \\<rely\\> on us",
                "### Weekly active teams",
                "## Risks (1)",
                "### Processor \\<outage\\>",
                "## Experiments (1)",
                "### One-page checkout",
                "## Costs (1)",
                "### Contractor, \\<October\\>",
                "## Competitors (1)",
                "### Acme \\<b\\>Analytics\\</b\\>",
                "## Trends (1)",
                "### Usage-based pricing",
                "## Documents (1)",
                "### Reminder spec",
                "# Goal",
            ],
            "{md}"
        );
        let section = |from: &str| {
            let start = md.find(from).expect(from);
            let end = md[start + 1..].find("\n## ").map_or(md.len(), |e| start + 1 + e);
            md[start..end].to_owned()
        };
        assert!(section("## Personas").contains("**Pain points**  \nPain points of Fiona  \nsecond line\n"), "{md}");
        assert!(section("## Personas").contains("**Segment size**  \n12,000\n"), "{md}");
        assert_eq!(
            section("## Competitors"),
            "## Competitors (1)\n\n### Acme \\<b\\>Analytics\\</b\\>\n\n**Threat level**: High\n\n\
             **Positioning**  \nSelf-serve BI  \nfor SMBs\n\n**Feature comparison**\n\n\
             - \\# Dashboards: They lead\n- Offline mode: They lack it\n"
        );
        assert!(section("## Objectives").contains("**Measurements**\n\n- 2026-10-01: 300\n- 2026-11-01: 420.5\n"), "{md}");
        assert!(section("## Costs").contains("**12,500.5**\n\n**Date**: 2026-10-31"), "{md}");
        assert!(section("## Trends").contains("**Date**: 2026-03-31\n\n**Impact level**: Medium\n\n**Expected impact**  \nSeat pricing looks dated\n"), "{md}");
        assert_eq!(
            section("## Ranking"),
            "## Ranking: Weighted scoring\n\n\
             Criteria: Customer value × 2, Effort × −1.5\n\n\
             - #1 **Invoice reminders** · 2 × 8 + (−1.5) × 4 = 10\n\
             - **\\# Owned \\[x\\](javascript:alert(1)) \\<script\\>** · unscored (needs Effort)\n"
        );
        assert_eq!(
            section("## User stories"),
            "## User stories (1)\n\n\
             - As a Fiona, finance admin, I want automatic reminders, so that I get paid on time.  \n  \
             Ready · estimate 5 · idea: Invoice reminders\n\n  \
             *Acceptance criteria:*\n\n  \
             1. Given a disputed invoice, when a day passes, then the owner is told.\n  \
             2. Given an overdue invoice, when a day passes, then a reminder is sent.\n  \
             3. Given a paid invoice, when a day passes, then nothing is sent.\n"
        );
        let feedback = section("## Feedback");
        assert!(feedback.starts_with("## Feedback (2)\n\nNPS +100 from 1 respondent · CSAT 0 % from 1 respondent\n\n"), "{feedback}");
        assert!(
            feedback.contains(
                "- **Acme** · Survey · NPS 9 · positive · SMB · 2025-06-03 · ideas: Invoice reminders, \\# Owned \\[x\\](javascript:alert(1)) \\<script\\>\n\n  Reminders would save me an hour a week\n"
            ),
            "{feedback}"
        );
        assert!(feedback.contains("- **Anonymous** · Support · CSAT 2\n"), "{feedback}");
        assert_eq!(
            section("## Documents"),
            "## Documents (1)\n\n### Reminder spec\n\n\
             *Spec* · about: Invoice reminders, story “automatic reminders” · tags: billing\n\n\
             # Goal\n\nSend **reminders**.\n\n```\ncode\n```\n",
            "the body as written"
        );
        assert!(!md.contains("Deleted"), "{md}");
    }

    #[test]
    fn a_document_that_would_swallow_the_rest_is_shown_as_its_source() {
        assert_eq!(document_body("# Goal\n\n```rust\nfn main() {}\n```\n"), "# Goal\n\n```rust\nfn main() {}\n```");
        for body in ["```\nnever closed", "<!-- a comment never closed", "<script>\nalert(1)", "~~~\nopen"] {
            let shown = document_body(body);
            let md = format!("{shown}\n\n# next\n");
            let evs = events(&md);
            assert!(matches!(evs[0], Event::Start(Tag::CodeBlock(_))), "{body:?}: {evs:?}");
            assert!(matches!(evs[evs.len() - 3], Event::Start(Tag::Heading { .. })), "what follows is still a heading: {body:?}: {evs:?}");
        }
        assert_eq!(document_body("````\n```\n"), "`````markdown\n````\n```\n`````", "a fence longer than any inside");
    }

    proptest! {
        /// Whatever a line holds, Markdown shows exactly it: one paragraph of text.
        #[test]
        fn escaped_text_renders_as_exactly_itself(text in "[-+=:.)#*_`\\[\\]()<>!&|~$^{}\\\\ a1\n]{0,24}") {
            let md = escape_markdown(&text);
            let evs = events(&md);
            let expected = text.replace('\n', " ").trim().to_owned();
            if expected.is_empty() {
                prop_assert!(evs.is_empty(), "{:?}", evs);
            } else {
                prop_assert_eq!(&evs[0], &Event::Start(Tag::Paragraph), "{}", md);
                prop_assert_eq!(&evs[evs.len() - 1], &Event::End(TagEnd::Paragraph), "{}", md);
                prop_assert_eq!(text_of(&evs[1..evs.len() - 1]), expected);
            }
        }

        /// Long text keeps its lines and paragraphs, and nothing else.
        #[test]
        fn paragraphs_render_as_plain_paragraphs(text in "[-+=:.)#*_`\\[\\]<>&|~ a1\n]{0,40}") {
            let md = format!("- item\n\n{}\n", paragraphs(&text, "  "));
            for event in events(&md) {
                let plain = matches!(
                    event,
                    Event::Text(_) | Event::SoftBreak | Event::HardBreak
                        | Event::Start(Tag::List(_) | Tag::Item | Tag::Paragraph)
                        | Event::End(TagEnd::List(_) | TagEnd::Item | TagEnd::Paragraph)
                );
                prop_assert!(plain, "{:?} in {:?}", event, md);
            }
            // Escapes split text events, so join them, and compare word by word.
            let shown: String = events(&md)
                .iter()
                .map(|e| match e {
                    Event::Text(t) => t.to_string(),
                    _ => " ".to_owned(),
                })
                .collect();
            let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
            prop_assert_eq!(words(&shown), words(&format!("item {text}")));
        }
    }
}
