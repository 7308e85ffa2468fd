//! The Markdown report, rendered with minijinja from `assets/report.md.j2` or a user's template.
//!
//! Every value a template prints is escaped for Markdown unless it is marked safe, so a custom
//! template gets the same protection against text people typed as the built-in one.

use super::{ReportContext, ReportError, Template, escape};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use std::sync::OnceLock;

/// The file name of a user's template in the config directory.
pub const TEMPLATE_FILE: &str = "report.md.j2";

/// The built-in template.
pub const BUILTIN_TEMPLATE: &str = include_str!("../../assets/report.md.j2");

/// The name shown for the built-in template in messages.
const BUILTIN_NAME: &str = "built-in report.md.j2";

/// The work a template may do for one report, in minijinja's steps ("fuel"). The built-in
/// template uses about 0.8 million for a 5,000-question session (a 3.7 MB report); a template
/// that loops far beyond any report is stopped within a second or two instead of running for
/// ever.
pub const FUEL: u64 = 20_000_000;

/// The largest report a template may write, in bytes. The built-in report of a 5,000-question
/// session is about 4 MB.
pub const MAX_OUTPUT: usize = 64 * 1024 * 1024;

/// Renders the context with a template, the built-in one when `template` is None.
pub fn render(context: &ReportContext, template: Option<&Template>) -> Result<String, ReportError> {
    render_with(&MARKDOWN, context, template)
}

/// A kind of template report: where its built-in template is and how its environment is made.
pub(super) struct TemplateKind {
    /// The report format, for messages.
    pub format: super::Format,
    /// The file name templates are added under (and looked for in the config directory).
    pub file: &'static str,
    /// The name shown for the built-in template in messages.
    pub builtin_name: &'static str,
    /// The built-in template's source.
    pub builtin_source: &'static str,
    /// The environment with the built-in template, parsed once per process, or why it cannot
    /// be used.
    pub builtin: fn() -> Result<&'static Environment<'static>, &'static String>,
    /// A new environment without a template, for a user's template.
    pub environment: fn() -> Result<Environment<'static>, minijinja::Error>,
}

const MARKDOWN: TemplateKind = TemplateKind {
    format: super::Format::Markdown,
    file: TEMPLATE_FILE,
    builtin_name: BUILTIN_NAME,
    builtin_source: BUILTIN_TEMPLATE,
    builtin,
    environment,
};

/// Renders the context with a template of a kind, its built-in one when `template` is None,
/// within the template budget (fuel and output size).
pub(super) fn render_with(
    kind: &TemplateKind,
    context: &ReportContext,
    template: Option<&Template>,
) -> Result<String, ReportError> {
    let (name, source) = match template {
        Some(t) => (t.name.as_str(), t.source.as_str()),
        None => (kind.builtin_name, kind.builtin_source),
    };
    let template_err = |e: minijinja::Error| ReportError::Template {
        name: name.to_string(),
        message: describe(&e, source),
    };
    let user_env;
    let env = match template {
        // The built-in template is parsed once per process; exports from the TUI reuse it.
        None => (kind.builtin)().map_err(|message| ReportError::Template {
            name: name.to_string(),
            message: message.clone(),
        })?,
        Some(_) => {
            let mut env = (kind.environment)().map_err(template_err)?;
            env.add_template_owned(kind.file, source.to_string())
                .map_err(template_err)?;
            user_env = env;
            &user_env
        }
    };
    let tmpl = env.get_template(kind.file).map_err(template_err)?;
    let mut out = CappedOutput {
        bytes: Vec::new(),
        limit: MAX_OUTPUT,
        full: false,
    };
    match tmpl.render_captured_to(Serde(context), &mut out) {
        Ok(_) => {}
        Err(_) if out.full => {
            return Err(ReportError::Template {
                name: name.to_string(),
                message: format!(
                    "the report grew past {} MB, the most a report may have; a loop in the template runs too often",
                    MAX_OUTPUT / (1024 * 1024)
                ),
            });
        }
        Err(e) => return Err(template_err(e)),
    }
    String::from_utf8(out.bytes).map_err(|e| ReportError::Encode {
        format: kind.format,
        reason: e.to_string(),
    })
}

/// The report as the template writes it, refusing to grow past a limit.
struct CappedOutput {
    bytes: Vec<u8>,
    limit: usize,
    /// Whether the limit was reached (so that the error can say so).
    full: bool,
}

impl std::io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.limit {
            self.full = true;
            return Err(std::io::Error::other("the report is too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The environment with the built-in template, or why it cannot be used.
fn builtin() -> Result<&'static Environment<'static>, &'static String> {
    static BUILTIN: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    BUILTIN
        .get_or_init(|| with_builtin(environment, TEMPLATE_FILE, BUILTIN_TEMPLATE))
        .as_ref()
}

/// An environment of `make` with a built-in template added, or why it cannot be used.
pub(super) fn with_builtin(
    make: fn() -> Result<Environment<'static>, minijinja::Error>,
    file: &'static str,
    source: &'static str,
) -> Result<Environment<'static>, String> {
    let mut env = make().map_err(|e| describe(&e, source))?;
    env.add_template(file, source)
        .map_err(|e| describe(&e, source))?;
    Ok(env)
}

/// What every report template gets: the template budget, errors with their place, blocks
/// that leave no blank lines, and an error for a misspelt field.
pub(super) fn base_environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    // Errors carry the span of the failing expression (for the column and the undefined name).
    env.set_debug(true);
    env.set_fuel(Some(FUEL));
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()?;
    env.set_syntax(syntax);
    // A misspelt field in a template is an error the author sees, not a silent blank.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    Ok(env)
}

/// An environment that prints every value escaped for Markdown, without a template yet.
fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = base_environment()?;
    env.set_auto_escape_callback(|_| AutoEscape::Custom("markdown".into()));
    env.set_formatter(|out, _state, value| {
        if value.is_safe()
            && let Some(s) = value.as_str()
        {
            return out.write_str(s).map_err(minijinja::Error::from);
        }
        if value.is_none() || value.is_undefined() {
            return Ok(());
        }
        let result = match value.as_str() {
            Some(s) if escape::is_plain(s) => out.write_str(s),
            Some(s) => out.write_str(&escape::inline(s)),
            // Counts, ranks and levels: written without an intermediate string.
            None if value.is_integer()
                && let Some(n) = value.as_usize() =>
            {
                write!(out, "{n}")
            }
            None => {
                // Other numbers and booleans print as plain text; only their rare odd forms
                // (a negative number at the start of a line) need the escape.
                let text = value.to_string();
                if escape::is_plain(&text) {
                    out.write_str(&text)
                } else {
                    out.write_str(&escape::inline(&text))
                }
            }
        };
        result.map_err(minijinja::Error::from)
    });
    env.add_filter("md_block", md_block);
    env.add_filter("yaml", yaml);
    Ok(env)
}

/// `{{ text | yaml }}`: a value for the metadata block at the top, as a single-quoted YAML
/// string. pandoc reads metadata values as Markdown, so the text is escaped for Markdown
/// first; inside single quotes YAML only needs the quote itself doubled.
fn yaml(text: &str) -> Value {
    let escaped = escape::inline(text).replace('\'', "''");
    Value::from_safe_string(format!("'{escaped}'"))
}

/// `{{ text | md_block(indent) }}`: multi-line text with hard breaks, continuation lines
/// indented by `indent` spaces so that they stay in a list item.
fn md_block(text: &str, indent: Option<usize>) -> Value {
    Value::from_safe_string(escape::block_indented(text, indent.unwrap_or(0)))
}

/// A template error in words: line and column in the template, what went wrong, and for an
/// undefined value the expression that named it. minijinja's own message would name the
/// template by its internal name; the caller names the file.
pub(super) fn describe(e: &minijinja::Error, source: &str) -> String {
    use minijinja::ErrorKind;
    let span = e
        .range()
        .and_then(|r| source.get(r.clone()).map(|text| (r.start, text)));
    let mut message = String::new();
    if let Some(line) = e.line() {
        message.push_str(&format!("line {line}"));
        if let Some((start, _)) = span {
            let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
            let column = source[line_start..start].chars().count() + 1;
            message.push_str(&format!(", column {column}"));
        }
        message.push_str(": ");
    }
    match e.kind() {
        ErrorKind::UndefinedError => match span {
            Some((_, expression)) => message.push_str(&format!(
                "`{}` is undefined; check its spelling against the fields the built-in template uses",
                crate::text::value(expression.trim())
            )),
            None => message.push_str("a value is undefined"),
        },
        ErrorKind::OutOfFuel => message.push_str(&format!(
            "the template ran out of its work budget ({FUEL} steps) before the report was done; a loop in it runs too often"
        )),
        kind => {
            message.push_str(&e.detail().map_or_else(|| kind.to_string(), str::to_string));
            if let Some((_, expression)) = span
                && kind != ErrorKind::SyntaxError
            {
                message.push_str(&format!(" (in `{}`)", crate::text::value(expression.trim())));
            }
        }
    }
    let mut source_err = std::error::Error::source(e);
    while let Some(inner) = source_err {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source_err = inner.source();
    }
    message
}
