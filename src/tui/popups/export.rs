//! The export popup: choose a format, a file and whether names are replaced, then write the
//! report. It can be opened over the list of sessions, the workshop and the results.

use crate::domain::session::Session;
use crate::report::{self, Format};
use crate::tui::action::Action;
use crate::tui::keymap::{Command, Context};
use crate::tui::layer::{Effect, Outcome};
use crate::tui::view::View;
use crate::tui::widgets::{self, text_input};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use ratatui_textarea::{Input, TextArea};
use std::path::{Path, PathBuf};

/// Where reports go and where a replacement report template is looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPlaces {
    /// The folder a relative file name is taken from: the current directory.
    pub dir: PathBuf,
    /// The user's home, for file names starting with `~/`.
    pub home: Option<PathBuf>,
    /// The config directory, where `report.md.j2` replaces the built-in template.
    pub config_dir: Option<PathBuf>,
}

impl Default for ExportPlaces {
    fn default() -> Self {
        ExportPlaces {
            dir: PathBuf::from("."),
            home: None,
            config_dir: None,
        }
    }
}

impl ExportPlaces {
    /// The current directory, the home directory and the given config directory.
    pub fn from_env(config_dir: &Path) -> ExportPlaces {
        ExportPlaces {
            // Without a readable current directory, "." still names it for the write attempt.
            dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            home: directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()),
            config_dir: Some(config_dir.to_path_buf()),
        }
    }

    /// The file a typed name stands for: `~/` is the home folder, a relative name is taken
    /// from [`ExportPlaces::dir`]. None when nothing is typed.
    pub fn resolve(&self, typed: &str) -> Option<PathBuf> {
        let typed = typed.trim();
        if typed.is_empty() {
            return None;
        }
        let path = match (typed.strip_prefix("~/"), &self.home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ if typed == "~" => self.home.clone().unwrap_or_else(|| PathBuf::from(typed)),
            _ => PathBuf::from(typed),
        };
        Some(if path.is_absolute() {
            path
        } else {
            self.dir.join(path)
        })
    }
}

/// The file to write for what was typed: a folder (an existing one, or a name ending in `/`)
/// gets `default_name` inside it. Fails, saying why, when nothing is typed or the folder does
/// not exist.
pub fn target_file(
    places: &ExportPlaces,
    typed: &str,
    default_name: &str,
) -> Result<PathBuf, String> {
    let mut path = places
        .resolve(typed)
        .ok_or_else(|| "Type a file name for the report.".to_string())?;
    let folder_named = typed.trim_end().ends_with(std::path::is_separator);
    if folder_named || path.is_dir() {
        path.push(default_name);
    }
    match path.parent() {
        Some(folder) if folder.exists() && !folder.is_dir() => Err(format!(
            "{} is a file, not a folder; choose another place. Nothing was written.",
            folder.display()
        )),
        Some(folder) if !folder.is_dir() => Err(format!(
            "The folder {} does not exist; create it or choose another. Nothing was written.",
            folder.display()
        )),
        _ => Ok(path),
    }
}

/// The parts of the popup that take the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportField {
    /// The report format.
    Format,
    /// The file to write.
    Path,
    /// Whether names are replaced by roles.
    Anonymize,
}

impl ExportField {
    const ALL: [ExportField; 3] = [
        ExportField::Format,
        ExportField::Path,
        ExportField::Anonymize,
    ];
}

/// A rendered report waiting for the answer to "overwrite?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingWrite {
    /// The file that exists.
    pub path: PathBuf,
    /// The report to write there.
    pub bytes: Vec<u8>,
}

/// A report to render and write, as the popup asked for it.
#[derive(Debug, Clone)]
pub struct ExportJob {
    /// The session, as it was when the popup opened.
    pub session: Box<Session>,
    /// The format.
    pub format: Format,
    /// Whether names are replaced.
    pub anonymize: bool,
    /// The file to write.
    pub path: PathBuf,
}

/// The export popup's state.
#[derive(Debug, Clone)]
pub struct ExportState {
    /// The session to export, as it was when the popup opened.
    pub session: Box<Session>,
    /// The chosen format.
    pub format: Format,
    /// The file name being typed.
    pub path: TextArea<'static>,
    /// Whether the user changed the file name (then a new format leaves it alone).
    pub path_edited: bool,
    /// Whether names and e-mail addresses are replaced by pseudonyms (roles are kept).
    pub anonymize: bool,
    /// The focused field.
    pub focus: ExportField,
    /// A report waiting for permission to replace an existing file.
    pub overwrite: Option<PendingWrite>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// The report is being written in the background.
    pub busy: bool,
}

impl ExportState {
    /// The popup for a session: Markdown, the default file name, names kept.
    pub fn new(session: Session) -> ExportState {
        let format = Format::default();
        let path = text_input(&report::default_file_name(&session, format));
        ExportState {
            session: Box::new(session),
            format,
            path,
            path_edited: false,
            anonymize: false,
            focus: ExportField::Format,
            overwrite: None,
            error: None,
            busy: false,
        }
    }

    /// The file name as typed.
    pub fn path_text(&self) -> String {
        self.path.lines().join("")
    }

    /// The key context and whether keys type text.
    pub fn context(&self) -> (Context, bool) {
        if self.overwrite.is_some() {
            (Context::Confirm, false)
        } else if self.focus == ExportField::Path && !self.busy {
            // The file name is a text field: arrows move in it, as in every other form. While
            // the report is written nothing is typed, so that `q` quits as the popup says.
            (Context::Form, true)
        } else {
            (Context::Export, false)
        }
    }

    /// Chooses a format; an untouched file name follows it.
    pub fn set_format(&mut self, format: Format) {
        self.format = format;
        self.error = None;
        if !self.path_edited {
            self.path = text_input(&report::default_file_name(&self.session, format));
        }
    }

    /// The next format, wrapping around.
    pub fn next_format(&mut self) {
        let at = Format::ALL
            .iter()
            .position(|f| *f == self.format)
            .unwrap_or(0);
        self.set_format(Format::ALL[(at + 1) % Format::ALL.len()]);
    }

    /// Changes the focused choice.
    pub fn toggle(&mut self) {
        match self.focus {
            ExportField::Format => self.next_format(),
            ExportField::Anonymize => self.anonymize = !self.anonymize,
            ExportField::Path => {}
        }
    }

    /// Moves the focus, wrapping around.
    pub fn move_focus(&mut self, delta: isize) {
        let len = ExportField::ALL.len() as isize;
        let at = ExportField::ALL
            .iter()
            .position(|f| *f == self.focus)
            .unwrap_or(0) as isize;
        self.focus = ExportField::ALL[(at + delta).rem_euclid(len) as usize];
    }

    /// Types into the file name, when it has the focus.
    pub fn input(&mut self, input: Input) {
        if self.focus == ExportField::Path && widgets::type_into(&mut self.path, input) {
            self.path_edited = true;
            self.error = None;
        }
    }

    /// Shows why writing failed; every choice stays as it was.
    pub fn failed(&mut self, problem: String) {
        self.error = Some(problem);
    }

    /// Handles an action: the choices, writing, and the answer to "overwrite?".
    pub fn update(&mut self, view: &View, action: Action) -> Outcome {
        if self.busy {
            return match action {
                Action::Back => Outcome::stay().and(Effect::CancelExport),
                _ => Outcome::stay(),
            };
        }
        if let Some(pending) = self.overwrite.take() {
            match action {
                Action::Confirm => return Outcome::stay().and(Effect::Overwrite(pending)),
                Action::Back => {
                    self.focus = ExportField::Path;
                    return Outcome::stay().info("Nothing was written; the existing file is unchanged. Change the file name, or press Enter again to replace it.");
                }
                _ => self.overwrite = Some(pending),
            }
            return Outcome::stay();
        }
        match action {
            Action::Back => return Outcome::close(),
            Action::NextField => self.move_focus(1),
            Action::PrevField => self.move_focus(-1),
            Action::Toggle => self.toggle(),
            Action::ExportFormat(format) => self.set_format(format),
            Action::Input(input) => self.input(input),
            Action::Confirm => return self.submit(view),
            _ => {}
        }
        Outcome::stay()
    }

    /// Asks the app to write the report to the file typed (a folder gets the default name).
    fn submit(&mut self, view: &View) -> Outcome {
        self.error = None;
        let default_name = report::default_file_name(&self.session, self.format);
        match target_file(view.export_places, &self.path_text(), &default_name) {
            Ok(path) => Outcome::stay().and(Effect::Export(ExportJob {
                session: self.session.clone(),
                format: self.format,
                anonymize: self.anonymize,
                path,
            })),
            Err(problem) => {
                self.failed(problem.clone());
                Outcome::stay().error(problem)
            }
        }
    }

    /// Draws the popup over `area`.
    pub fn render(&self, view: &View, area: Rect, buf: &mut Buffer) {
        render(view, self, area, buf);
    }
}

/// Draws the popup over `area`.
fn render(view: &View, state: &ExportState, area: Rect, buf: &mut Buffer) {
    let theme = view.theme;
    let popup = widgets::centered(area, area.width.saturating_sub(6).min(92), 12);
    let inner = widgets::popup(popup, buf, theme, "Export a report");
    let width = usize::from(inner.width);
    // Label column, then a focus marker, then the value.
    const LABEL: usize = 11;
    const INDENT: usize = LABEL + 2;
    let asking = state.overwrite.is_some();
    let field = |text: &str, field: ExportField| {
        let focused = state.focus == field && !asking;
        let style = if focused { theme.selected } else { theme.title };
        vec![
            Span::styled(format!(" {text:<width$}", width = LABEL - 1), style),
            Span::styled(if focused { "> " } else { "  " }, theme.selected),
        ]
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!(" {:<width$}", "Session", width = INDENT - 1),
            theme.dim,
        ),
        Span::styled(
            widgets::truncate(&state.session.name, width.saturating_sub(INDENT)),
            theme.text,
        ),
    ])];
    lines.push(Line::default());

    // The formats wrap onto as many lines as the width needs, the keys after them.
    let mut items: Vec<(String, Style)> = Format::ALL
        .iter()
        .map(|f| {
            if *f == state.format {
                (format!("[{}]", f.title()), theme.chosen)
            } else {
                (format!(" {} ", f.title()), theme.text)
            }
        })
        .collect();
    let keys: Vec<String> = [
        Command::FormatMarkdown,
        Command::FormatJson,
        Command::FormatCsv,
        Command::FormatHtml,
        Command::FormatXlsx,
        Command::FormatOscalAr,
        Command::FormatOscalPoam,
    ]
    .iter()
    .map(|c| view.key(Context::Export, *c))
    .collect();
    items.push((format!(" keys {}", keys.join(" ")), theme.dim));
    let mut format = field("Format", ExportField::Format);
    let mut used = INDENT;
    for (text, style) in items {
        let len = text.chars().count() + 1;
        if used + len > width && used > INDENT {
            lines.push(Line::from(std::mem::take(&mut format)));
            format.push(Span::raw(" ".repeat(INDENT)));
            used = INDENT;
        }
        format.push(Span::styled(text, style));
        format.push(Span::raw(" "));
        used += len;
    }
    lines.push(Line::from(format));

    let room = width.saturating_sub(INDENT + 1);
    let typed = state.path_text();
    let editing = state.focus == ExportField::Path && !asking;
    let mut file = field("File", ExportField::Path);
    file.push(Span::styled(
        format!(
            "{}{}",
            widgets::tail(&typed, room.saturating_sub(1)),
            if editing { "_" } else { "" }
        ),
        if editing { theme.selected } else { theme.text },
    ));
    lines.push(Line::from(file));
    // While asking to overwrite, the file that exists (a typed folder gets the default name).
    let target = match &state.overwrite {
        Some(pending) => Some(pending.path.clone()),
        None => view.export_places.resolve(&typed),
    }
    .map(|p| p.display().to_string())
    .unwrap_or_else(|| "(type a file name)".to_string());
    lines.push(Line::from(vec![
        Span::raw(" ".repeat(INDENT)),
        Span::styled(widgets::tail(&target, room), theme.dim),
    ]));

    let mut anonymize = field("Anonymize", ExportField::Anonymize);
    anonymize.push(Span::styled(
        if state.anonymize { "[x] " } else { "[ ] " },
        theme.text,
    ));
    anonymize.push(Span::styled(
        "names and e-mails become pseudonyms; roles kept",
        theme.dim,
    ));
    lines.push(Line::from(anonymize));
    lines.push(Line::default());

    if state.overwrite.is_some() {
        let yes = view.key(Context::Confirm, Command::Confirm);
        let no = view.key(Context::Confirm, Command::Back);
        lines.push(Line::styled(
            " That file exists already. Overwrite it?",
            theme.warn,
        ));
        lines.push(Line::from(vec![
            Span::styled(format!(" {yes}"), theme.key),
            Span::styled(" yes, replace it   ", theme.text),
            Span::styled(no, theme.key),
            Span::styled(" no, keep it", theme.text),
        ]));
    } else if state.busy {
        let cancel = view.key(Context::Export, Command::Back);
        let quit = view.key(Context::Global, Command::Quit);
        lines.push(Line::styled(
            format!(" Writing the report… {cancel} stops waiting (it is not written then); {quit} quits."),
            theme.warn,
        ));
    } else if let Some(problem) = &state.error {
        lines.push(Line::styled(format!(" {problem}"), theme.error));
    } else {
        let write = view.key(Context::Export, Command::Confirm);
        let next = view.key(Context::Export, Command::NextField);
        let cancel = view.key(Context::Export, Command::Back);
        lines.push(Line::from(vec![
            Span::styled(format!(" {write}"), theme.key),
            Span::styled(" writes the report   ", theme.text),
            Span::styled(next, theme.key),
            Span::styled(" next field   ", theme.text),
            Span::styled(cancel, theme.key),
            Span::styled(" cancel", theme.text),
        ]));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> ExportPlaces {
        ExportPlaces {
            dir: PathBuf::from("/work/here"),
            home: Some(PathBuf::from("/home/dana")),
            config_dir: None,
        }
    }

    #[test]
    fn typed_names_resolve_against_the_current_folder_and_home() {
        let p = places();
        assert_eq!(p.resolve("r.md"), Some(PathBuf::from("/work/here/r.md")));
        assert_eq!(
            p.resolve(" sub/r.md "),
            Some(PathBuf::from("/work/here/sub/r.md"))
        );
        assert_eq!(p.resolve("/tmp/r.md"), Some(PathBuf::from("/tmp/r.md")));
        assert_eq!(p.resolve("~/r.md"), Some(PathBuf::from("/home/dana/r.md")));
        assert_eq!(p.resolve("  "), None);
    }

    #[test]
    fn a_folder_gets_the_default_name_and_a_missing_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let places = ExportPlaces {
            dir: dir.path().to_path_buf(),
            ..ExportPlaces::default()
        };
        assert_eq!(
            target_file(&places, "r.md", "d.md"),
            Ok(dir.path().join("r.md"))
        );
        assert_eq!(
            target_file(&places, ".", "d.md"),
            Ok(dir.path().join(".").join("d.md"))
        );
        let missing = target_file(&places, "out/", "d.md").unwrap_err();
        assert!(missing.contains("out does not exist"), "{missing}");
        let missing = target_file(&places, "out/r.md", "d.md").unwrap_err();
        assert!(missing.contains("out does not exist"), "{missing}");
        std::fs::create_dir(dir.path().join("out")).unwrap();
        assert_eq!(
            target_file(&places, "out/", "d.md"),
            Ok(dir.path().join("out").join("d.md"))
        );
        assert_eq!(
            target_file(&places, "out", "d.md"),
            Ok(dir.path().join("out").join("d.md"))
        );
        assert!(target_file(&places, " ", "d.md").is_err());
        std::fs::write(dir.path().join("file"), "").unwrap();
        let not_folder = target_file(&places, "file/r.md", "d.md").unwrap_err();
        assert!(
            not_folder.contains("is a file, not a folder"),
            "{not_folder}"
        );
    }
}
