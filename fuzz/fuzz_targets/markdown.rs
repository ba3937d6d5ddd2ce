//! Markdown: the hub's renderer (crates/web/src/routes/content/markdown.rs, compiled in by
//! path) never panics, and `to_html` keeps the module's two promises: raw HTML is never
//! passed through (every tag in the output is one pulldown-cmark writes for Markdown, with
//! only its own attributes, so no `<script>`, no `on…=` handler), and every `href` and
//! `src` is on the module's list of safe schemes (no `javascript:`, `data:`, …).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/web/src/routes/content/markdown.rs"]
#[allow(dead_code)]
mod markdown;

/// Tags pulldown-cmark's HTML writer emits for CommonMark plus tables and strikethrough,
/// the extensions `to_html` enables.
const TAGS: &[&str] = &[
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "ol", "ul", "li", "em",
    "strong", "del", "a", "img", "hr", "br", "table", "thead", "tbody", "tr", "th", "td",
];

/// Attributes it writes on them: links and images, titles and alt text, an ordered list's
/// start, a code block's language class, a table cell's alignment.
const ATTRIBUTES: &[&str] = &["href", "src", "title", "alt", "start", "class", "style"];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let html = markdown::to_html(text);
    check_html(text, &html);
    let _ = markdown::to_text(text);
});

fn check_html(input: &str, html: &str) {
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let tag_text = &rest[open + 1..];
        let close = tag_text
            .find('>')
            .unwrap_or_else(|| panic!("a '<' that starts no tag in {html:?}\nfrom {input:?}"));
        check_tag(&tag_text[..close], input, html);
        rest = &tag_text[close + 1..];
    }
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "a script tag in {html:?}\nfrom {input:?}");
}

/// One tag's text between `<` and `>`: `a href="…" title="…"`, `/p`, `br /`.
fn check_tag(tag: &str, input: &str, html: &str) {
    let tag = tag.strip_prefix('/').unwrap_or(tag);
    let tag = tag.strip_suffix('/').unwrap_or(tag).trim_end();
    let name_end = tag.find(|c: char| c.is_ascii_whitespace()).unwrap_or(tag.len());
    let (name, mut attrs) = tag.split_at(name_end);
    assert!(TAGS.contains(&name), "tag <{name}> in {html:?}\nfrom {input:?}");
    loop {
        attrs = attrs.trim_start();
        if attrs.is_empty() {
            break;
        }
        let eq = attrs
            .find('=')
            .unwrap_or_else(|| panic!("attribute without a value in <{tag}>\nfrom {input:?}"));
        let attr = &attrs[..eq];
        assert!(
            ATTRIBUTES.contains(&attr),
            "attribute {attr:?} in <{tag}> in {html:?}\nfrom {input:?}"
        );
        let value_text = attrs[eq + 1..]
            .strip_prefix('"')
            .unwrap_or_else(|| panic!("unquoted attribute in <{tag}>\nfrom {input:?}"));
        let end = value_text
            .find('"')
            .unwrap_or_else(|| panic!("unclosed attribute in <{tag}>\nfrom {input:?}"));
        let value = unescape(&value_text[..end]);
        if attr == "href" || attr == "src" {
            assert!(safe_url(&value), "unsafe {attr} {value:?} in {html:?}\nfrom {input:?}");
        }
        attrs = &value_text[end + 1..];
    }
}

/// The entities pulldown-cmark's escapers write, decoded as a browser would.
fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// What a browser would run or load from an address: it drops ASCII tab and line breaks
/// anywhere and leading C0 controls and spaces, then reads a scheme up to the first ':'
/// unless a '/', '?' or '#' comes first. Safe means no scheme, or http, https or mailto.
fn safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let cleaned = cleaned.trim_start_matches(|c: char| c <= ' ');
    let Some(colon) = cleaned.find(':') else { return true };
    if cleaned[..colon].contains(['/', '?', '#']) {
        return true;
    }
    let scheme = cleaned[..colon].to_ascii_lowercase();
    matches!(scheme.as_str(), "http" | "https" | "mailto")
}
