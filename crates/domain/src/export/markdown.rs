//! The Markdown export: a brief people can read and paste anywhere, then the ideas
//! grouped by status. Every piece of workspace text is escaped, so a title like
//! `# hi` or `[a](javascript:…)` shows as those characters and adds no structure.

use crate::format::group_thousands;
use crate::{Brief, BriefField, Idea, IdeaStatus, Workspace};

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

fn push_brief(md: &mut String, brief: &Brief) {
    for (title, fields) in SECTIONS {
        let mut body = Vec::new();
        for field in fields.iter().filter(|f| !brief.text(**f).trim().is_empty()) {
            body.push(format!("**{}**  \n{}", field.label(), paragraphs(brief.text(*field), "")));
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

/// A readable brief (empty fields left out, ROI beside its inputs) plus the live
/// ideas grouped by status, most votes first.
pub fn to_markdown(ws: &Workspace) -> String {
    let (brief, _) = ws.brief();
    let name = if brief.name.trim().is_empty() { "Untitled workspace".to_owned() } else { escape_markdown(&brief.name) };
    let mut md = format!("# {name}\n");
    push_brief(&mut md, &brief);
    let (mut ideas, _) = ws.ideas();
    ideas.retain(|i| !i.deleted);
    md.push_str(&format!("\n## Ideas ({})\n", ideas.len()));
    for status in IdeaStatus::ALL {
        let mut group: Vec<&Idea> = ideas.iter().filter(|i| i.status == status).collect();
        if group.is_empty() {
            continue;
        }
        group.sort_by(|a, b| b.votes.cmp(&a.votes).then(a.created_at.cmp(&b.created_at)).then_with(|| a.id.cmp(&b.id)));
        md.push_str(&format!("\n### {} ({})\n\n", status.label(), group.len()));
        for idea in group {
            md.push_str(&idea_item(idea));
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    use super::*;
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
        let ideas = &md[md.find("## Ideas (3)").expect(&md)..];
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
        let mut ws = Workspace::create("# Owned [x](javascript:alert(1))", 1, "Ana");
        ws.set_brief_text(BriefField::Vision, "<script>alert(1)</script>\n# not a heading\n    not code").unwrap();
        let id = ws.create_idea("[a](javascript:alert(1))", 2, "Ana").unwrap();
        ws.set_idea_text(&id, IdeaText::Description, "---\n> quote\n| a | b |\n|---|---|", 3).unwrap();
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
        let headings = md.lines().filter(|l| l.starts_with('#')).count();
        assert_eq!(headings, 4, "the name, Direction, Ideas and New: {md}");
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
