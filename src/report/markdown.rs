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

/// Renders the context with a template, the built-in one when `template` is None.
pub fn render(context: &ReportContext, template: Option<&Template>) -> Result<String, ReportError> {
    render_with(&MARKDOWN, context, template)
}

/// A kind of template report: where its built-in template is and how its environment is made.
pub(super) struct TemplateKind {
    /// The file name templates are added under (and looked for in the config directory).
    pub file: &'static str,
    /// The name shown for the built-in template in messages.
    pub builtin_name: &'static str,
    /// The environment with the built-in template, parsed once per process, or why it cannot
    /// be used.
    pub builtin: fn() -> Result<&'static Environment<'static>, &'static String>,
    /// A new environment without a template, for a user's template.
    pub environment: fn() -> Result<Environment<'static>, minijinja::Error>,
}

const MARKDOWN: TemplateKind = TemplateKind {
    file: TEMPLATE_FILE,
    builtin_name: BUILTIN_NAME,
    builtin,
    environment,
};

/// Renders the context with a template of a kind, its built-in one when `template` is None.
pub(super) fn render_with(
    kind: &TemplateKind,
    context: &ReportContext,
    template: Option<&Template>,
) -> Result<String, ReportError> {
    let name = template.map_or(kind.builtin_name, |t| t.name.as_str());
    let template_err = |e: minijinja::Error| ReportError::Template {
        name: name.to_string(),
        message: describe(&e),
    };
    let user_env;
    let env = match template {
        // The built-in template is parsed once per process; exports from the TUI reuse it.
        None => (kind.builtin)().map_err(|message| ReportError::Template {
            name: name.to_string(),
            message: message.clone(),
        })?,
        Some(t) => {
            let mut env = (kind.environment)().map_err(template_err)?;
            env.add_template_owned(kind.file, t.source.clone())
                .map_err(template_err)?;
            user_env = env;
            &user_env
        }
    };
    let tmpl = env.get_template(kind.file).map_err(template_err)?;
    tmpl.render(Serde(context)).map_err(template_err)
}

/// The environment with the built-in template, or why it cannot be used.
fn builtin() -> Result<&'static Environment<'static>, &'static String> {
    static BUILTIN: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    BUILTIN
        .get_or_init(|| {
            let mut env = environment().map_err(|e| describe(&e))?;
            env.add_template(TEMPLATE_FILE, BUILTIN_TEMPLATE)
                .map_err(|e| describe(&e))?;
            Ok(env)
        })
        .as_ref()
}

/// An environment that prints every value escaped for Markdown, without a template yet.
fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    let syntax = SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build()?;
    env.set_syntax(syntax);
    // A misspelt field in a template is an error the author sees, not a silent blank.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
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

/// A template error with where it happened.
pub(super) fn describe(e: &minijinja::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    message
}
