//! The HTML report: one self-contained page (inline CSS, no script, no external resources) with
//! the sections of the Markdown report and a print stylesheet, rendered with minijinja from
//! `assets/report.html.j2` or a user's template.
//!
//! Every value a template prints is escaped for HTML (control characters dropped) unless it is
//! marked safe. The `rich` filter is the only way text people typed becomes markup: its line
//! breaks become `<br>`, and `http://`, `https://` and `mailto:` addresses become links. No other
//! scheme (`javascript:`, `data:`) is ever linked.

use super::markdown::{TemplateKind, base_environment, render_with, with_builtin};
use super::{ReportContext, ReportError, Template, escape};
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment};
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::OnceLock;

/// The file name of a user's HTML template in the config directory.
pub const TEMPLATE_FILE: &str = "report.html.j2";

/// The built-in template.
pub const BUILTIN_TEMPLATE: &str = include_str!("../../assets/report.html.j2");

const HTML: TemplateKind = TemplateKind {
    format: super::Format::Html,
    file: TEMPLATE_FILE,
    builtin_name: "built-in report.html.j2",
    builtin_source: BUILTIN_TEMPLATE,
    builtin,
    environment,
};

/// Renders the context with a template, the built-in one when `template` is None.
pub fn render(context: &ReportContext, template: Option<&Template>) -> Result<String, ReportError> {
    render_with(&HTML, context, template)
}

/// The environment with the built-in template, or why it cannot be used.
fn builtin() -> Result<&'static Environment<'static>, &'static String> {
    static BUILTIN: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    BUILTIN
        .get_or_init(|| with_builtin(environment, TEMPLATE_FILE, BUILTIN_TEMPLATE))
        .as_ref()
}

/// An environment that prints every value escaped for HTML, without a template yet, with the
/// same budget as the Markdown report's.
fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = base_environment()?;
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_formatter(|out, _state, value| {
        if value.is_none() || value.is_undefined() {
            return Ok(());
        }
        let result = match value.as_str() {
            Some(s) if value.is_safe() => out.write_str(s),
            Some(s) => out.write_str(&text(s)),
            None if value.is_integer()
                && let Some(n) = value.as_usize() =>
            {
                write!(out, "{n}")
            }
            None => out.write_str(&text(&value.to_string())),
        };
        result.map_err(minijinja::Error::from)
    });
    env.add_filter("rich", rich);
    Ok(env)
}

/// Text escaped for HTML content and attribute values: `&`, `<`, `>`, `"` and `'` become
/// entities, tabs spaces, and other control characters are dropped (a browser has no use for
/// them, a terminal showing the file would act on them).
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    push_text(s, &mut out);
    out
}

fn push_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push(' '),
            '\n' => out.push('\n'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// `{{ text | rich }}`: text people typed, escaped, with its line breaks as `<br>` and its
/// web and mail addresses as links that show the address itself.
fn rich(s: &str) -> Value {
    let mut out = String::with_capacity(s.len() + 16);
    let mut first = true;
    for line in s.split(['\n', '\u{2028}', '\u{2029}', '\u{85}']) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !first {
            out.push_str("<br>\n");
        }
        first = false;
        let mut at = 0;
        for range in links(line) {
            push_text(&line[at..range.start], &mut out);
            let address = text(&line[range.clone()]);
            let _ = write!(out, "<a class=\"url\" href=\"{address}\">{address}</a>");
            at = range.end;
        }
        push_text(&line[at..], &mut out);
    }
    Value::from_safe_string(out)
}

/// The byte ranges of the addresses in a line that may become links: web addresses (see
/// [`escape::web_addresses`]) and `mailto:` addresses with an `@`, in order.
pub fn links(line: &str) -> Vec<Range<usize>> {
    let mut found = escape::web_addresses(line);
    let lower = line.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("mailto:").map(|p| p + from) {
        from = pos + "mailto:".len();
        let boundary = line[..pos]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let mut end = line[from..]
            .find(|c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
            .map_or(line.len(), |e| from + e);
        while line[from..end].ends_with(['.', ',', ';', ':', '!', '?', ')', '\'']) {
            end -= 1;
        }
        let address = &line[from..end];
        let inside_web = found.iter().any(|r| r.contains(&pos));
        if boundary && !inside_web && address.contains('@') && !address.starts_with('@') {
            found.push(pos..end);
            from = end;
        }
    }
    found.sort_by_key(|r| r.start);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped_and_controls_dropped() {
        assert_eq!(
            text("<script>\"x\" & 'y'</script>\u{1b}[31m\t."),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;[31m ."
        );
    }

    #[test]
    fn only_web_and_mail_addresses_become_links() {
        let out = rich("see https://a.example/x?q=1&r=\"2\" and mailto:ana@acme.example.\nnext");
        assert_eq!(
            out.as_str().unwrap_or_default(),
            "see <a class=\"url\" href=\"https://a.example/x?q=1&amp;r=\">https://a.example/x?q=1&amp;r=</a>&quot;2&quot; and \
             <a class=\"url\" href=\"mailto:ana@acme.example\">mailto:ana@acme.example</a>.<br>\nnext"
        );
        for inert in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<b>x</b>",
            "xhttps://a.example",
            "mailto:nobody",
            "vbscript:x",
        ] {
            let out = rich(inert);
            assert!(!out.as_str().unwrap_or_default().contains("<a"), "{inert}");
        }
    }
}
