//! Markdown to HTML that is safe to put in the page: documents come from teammates
//! and files, so nothing in them may run. Raw HTML is shown as text, and links keep
//! only http, https and mailto addresses (anything else, `javascript:` included,
//! becomes plain text). An image becomes a link to it, never an `<img>`: showing it
//! would make the reader's browser fetch it, telling its server who reads the document
//! and when, before anyone chose to.

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Whether a link target is allowed: http, https or mailto, or a same-page anchor.
pub fn is_safe_url(url: &str) -> bool {
    let url = url.trim();
    if url.starts_with('#') {
        return true;
    }
    // Browsers ignore tabs and newlines inside schemes ("java\tscript:"), so strip
    // them before looking.
    let compact: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect::<String>().to_ascii_lowercase();
    ["http://", "https://", "mailto:"].iter().any(|scheme| compact.starts_with(scheme))
}

/// Renders Markdown (CommonMark with tables, strikethrough and task lists) to HTML in
/// which no script, style, event handler or unsafe link can appear.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // Links whose target is unsafe are dropped (their text stays); depth counts
    // nested unsafe link starts so the matching ends are dropped too.
    let mut dropped_links = Vec::new();
    // Whether each open image became a link (a safe source) or plain text.
    let mut images = Vec::new();
    let events = Parser::new_ext(markdown, options).flat_map(|event| -> Vec<Event> { match event {
        // Raw HTML is shown as the text it is; a block of it as a code block, so it
        // keeps its lines and reads as source rather than running into the prose.
        Event::Html(raw) | Event::InlineHtml(raw) => vec![Event::Text(raw)],
        Event::Start(Tag::HtmlBlock) => vec![Event::Start(Tag::CodeBlock(CodeBlockKind::Indented))],
        Event::End(TagEnd::HtmlBlock) => vec![Event::End(TagEnd::CodeBlock)],
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            let safe = is_safe_url(&dest_url);
            dropped_links.push(!safe);
            if safe { vec![Event::Start(Tag::Link { link_type, dest_url, title, id })] } else { Vec::new() }
        }
        Event::End(TagEnd::Link) => {
            let dropped = dropped_links.pop().unwrap_or(false);
            if dropped { Vec::new() } else { vec![Event::End(TagEnd::Link)] }
        }
        // An image: a link to it, labelled with its description (plain text if its
        // source is unsafe).
        Event::Start(Tag::Image { dest_url, title, id, .. }) => {
            let safe = is_safe_url(&dest_url);
            images.push(safe);
            let mut out = Vec::new();
            if safe {
                out.push(Event::Start(Tag::Link { link_type: pulldown_cmark::LinkType::Inline, dest_url, title, id }));
            }
            out.push(Event::Text(CowStr::Borrowed("Image: ")));
            out
        }
        Event::End(TagEnd::Image) => {
            if images.pop().unwrap_or(false) { vec![Event::End(TagEnd::Link)] } else { Vec::new() }
        }
        other => vec![other],
    }});
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_markdown_renders() {
        let html = render("# Spec\n\nSome **bold** and a [link](https://example.com).\n\n- [x] done");
        assert!(html.contains("<h1>Spec</h1>"));
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains(r#"<a href="https://example.com">link</a>"#));
        assert!(html.contains("checkbox"));
    }

    #[test]
    fn raw_html_and_scripts_are_shown_as_text() {
        let html = render("<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)> there <b onclick=\"x()\">b</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(!html.contains("<b onclick"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn a_block_of_raw_html_is_shown_as_code_with_its_lines() {
        let html = render("Intro.\n\n<script>\nalert(1)\n</script>\n\n<img src=x onerror=\"alert(2)\">\n\nEnd.");
        assert!(!html.contains("<script") && !html.contains("<img"), "{html}");
        assert!(html.contains("<pre><code>&lt;script&gt;\nalert(1)\n&lt;/script&gt;\n</code></pre>"), "{html}");
        assert!(html.contains("<pre><code>&lt;img src=x onerror=\"alert(2)\"&gt;\n</code></pre>"), "{html}");
        assert!(html.contains("<p>Intro.</p>") && html.contains("<p>End.</p>"), "{html}");
    }

    #[test]
    fn only_http_https_and_mailto_links_survive() {
        for bad in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x", "file:///etc/passwd"] {
            let html = render(&format!("[click]({bad}) and ![pic]({bad})"));
            assert!(!html.contains("href="), "{bad}: {html}");
            assert!(!html.to_lowercase().contains("javascript"), "{bad}: {html}");
            assert!(html.contains("click"), "the link text stays: {html}");
        }
        assert!(render("<javascript:alert(1)>").contains("&lt;javascript:alert(1)&gt;") || !render("<javascript:alert(1)>").contains("href"));
        assert!(render("[mail](mailto:pm@example.com)").contains(r#"href="mailto:pm@example.com""#));
        assert!(render("[top](#intro)").contains("href=\"#intro\""));
    }

    #[test]
    fn nested_and_reference_links_are_filtered_too() {
        let html = render("[a][bad]\n\n[bad]: javascript:alert(1)\n\n[ok][good]\n\n[good]: https://ok.example");
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("https://ok.example"), "{html}");
    }

    #[test]
    fn an_image_is_a_link_to_it_never_fetched_on_its_own() {
        let html = render("See ![the flow](https://tracker.example/pixel.png \"Flow\") and ![x](javascript:alert(1)).");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains(r#"<a href="https://tracker.example/pixel.png" title="Flow">Image: the flow</a>"#), "{html}");
        assert!(html.contains("Image: x") && !html.contains("javascript"), "{html}");
    }
}
