//! Colours and text styles of every screen, gathered in one place. Three themes (dark, light,
//! high contrast); with `NO_COLOR` set no colour is used at all, only bold, reverse and underline.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The themes a user can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum ThemeName {
    /// Light text on a dark terminal (the default).
    #[default]
    Dark,
    /// Dark text on a light terminal.
    Light,
    /// Strong contrast for projectors and low vision.
    HighContrast,
}

impl ThemeName {
    /// The theme after this one, for the switch key.
    pub fn next(self) -> ThemeName {
        match self {
            ThemeName::Dark => ThemeName::Light,
            ThemeName::Light => ThemeName::HighContrast,
            ThemeName::HighContrast => ThemeName::Dark,
        }
    }

    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            ThemeName::Dark => "dark",
            ThemeName::Light => "light",
            ThemeName::HighContrast => "high contrast",
        }
    }

    /// Parses a name as written in config or the environment.
    pub fn parse(text: &str) -> Option<ThemeName> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_', ' '], "")
            .as_str()
        {
            "dark" => Some(ThemeName::Dark),
            "light" => Some(ThemeName::Light),
            "highcontrast" | "contrast" => Some(ThemeName::HighContrast),
            _ => None,
        }
    }
}

/// The styles a view draws with. Views never name a colour themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Which theme this is.
    pub name: ThemeName,
    /// Whether colours are off (`NO_COLOR`).
    pub no_color: bool,
    /// Ordinary text.
    pub text: Style,
    /// Secondary text: labels, hints.
    pub dim: Style,
    /// Titles and headings.
    pub title: Style,
    /// Frames around panes.
    pub border: Style,
    /// The selected row or current item.
    pub selected: Style,
    /// Keys in the footer and help.
    pub key: Style,
    /// Something that needs attention: disagreement, time over, read-only.
    pub warn: Style,
    /// Failures: a save that did not work.
    pub error: Style,
    /// Good news: saved, ready.
    pub ok: Style,
    /// The chosen answer on the scale.
    pub chosen: Style,
    /// The status line and header bar.
    pub bar: Style,
}

impl Theme {
    /// The theme by name; `no_color` strips every colour.
    pub fn new(name: ThemeName, no_color: bool) -> Theme {
        let theme = match name {
            ThemeName::Dark => Theme {
                name,
                no_color,
                text: Style::new().fg(Color::Gray),
                dim: Style::new().fg(Color::DarkGray),
                title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                border: Style::new().fg(Color::DarkGray),
                selected: Style::new().fg(Color::Black).bg(Color::Cyan),
                key: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                warn: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                error: Style::new()
                    .fg(Color::White)
                    .bg(Color::Red)
                    .add_modifier(Modifier::BOLD),
                ok: Style::new().fg(Color::Green),
                chosen: Style::new()
                    .fg(Color::Black)
                    .bg(Color::Green)
                    .add_modifier(Modifier::BOLD),
                bar: Style::new().fg(Color::White).bg(Color::Rgb(40, 44, 52)),
            },
            ThemeName::Light => Theme {
                name,
                no_color,
                // The background is painted: dark text on a dark terminal would be unreadable.
                text: Style::new().fg(Color::Black).bg(Color::Rgb(250, 250, 248)),
                dim: Style::new().fg(Color::Rgb(100, 100, 100)),
                title: Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
                border: Style::new().fg(Color::Rgb(150, 150, 150)),
                selected: Style::new().fg(Color::White).bg(Color::Blue),
                key: Style::new()
                    .fg(Color::Rgb(160, 60, 0))
                    .add_modifier(Modifier::BOLD),
                warn: Style::new()
                    .fg(Color::Rgb(170, 80, 0))
                    .add_modifier(Modifier::BOLD),
                error: Style::new()
                    .fg(Color::White)
                    .bg(Color::Red)
                    .add_modifier(Modifier::BOLD),
                ok: Style::new().fg(Color::Rgb(0, 120, 0)),
                chosen: Style::new()
                    .fg(Color::White)
                    .bg(Color::Rgb(0, 120, 0))
                    .add_modifier(Modifier::BOLD),
                bar: Style::new().fg(Color::Black).bg(Color::Rgb(220, 220, 225)),
            },
            ThemeName::HighContrast => Theme {
                name,
                no_color,
                text: Style::new().fg(Color::White).bg(Color::Black),
                dim: Style::new().fg(Color::White),
                title: Style::new()
                    .fg(Color::White)
                    .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                border: Style::new().fg(Color::White),
                selected: Style::new()
                    .fg(Color::Black)
                    .bg(Color::White)
                    .add_modifier(Modifier::BOLD),
                key: Style::new()
                    .fg(Color::LightYellow)
                    .add_modifier(Modifier::BOLD),
                warn: Style::new()
                    .fg(Color::Black)
                    .bg(Color::LightYellow)
                    .add_modifier(Modifier::BOLD),
                error: Style::new()
                    .fg(Color::White)
                    .bg(Color::Red)
                    .add_modifier(Modifier::BOLD),
                ok: Style::new()
                    .fg(Color::LightGreen)
                    .add_modifier(Modifier::BOLD),
                chosen: Style::new()
                    .fg(Color::Black)
                    .bg(Color::LightGreen)
                    .add_modifier(Modifier::BOLD),
                bar: Style::new().fg(Color::Black).bg(Color::White),
            },
        };
        if no_color {
            theme.without_colour()
        } else {
            theme
        }
    }

    /// The default theme, honouring `NO_COLOR` from the environment.
    pub fn from_env(name: ThemeName) -> Theme {
        Theme::new(name, no_color_requested())
    }

    /// The same theme with every colour removed; emphasis stays so that the selection, the
    /// chosen answer and warnings still stand out.
    fn without_colour(self) -> Theme {
        let plain = Style::new();
        Theme {
            text: plain,
            dim: plain,
            title: plain.add_modifier(Modifier::BOLD),
            border: plain,
            selected: plain.add_modifier(Modifier::REVERSED),
            key: plain.add_modifier(Modifier::BOLD),
            warn: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            error: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            ok: plain,
            chosen: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            bar: plain.add_modifier(Modifier::REVERSED),
            ..self
        }
    }

    /// The style of a score from 0 to 100 in bars and the heatmap; without colour, plain text
    /// (every cell carries its number).
    pub fn score(&self, score: Option<f64>) -> Style {
        if self.no_color {
            return Style::new();
        }
        let Some(score) = score else {
            return self.dim;
        };
        let colour = match (self.name, score) {
            (ThemeName::Light, s) if s >= 85.0 => Color::Rgb(0, 110, 0),
            (ThemeName::Light, s) if s >= 70.0 => Color::Rgb(90, 120, 0),
            (ThemeName::Light, s) if s >= 40.0 => Color::Rgb(170, 90, 0),
            (ThemeName::Light, _) => Color::Rgb(180, 0, 0),
            (_, s) if s >= 85.0 => Color::LightGreen,
            (_, s) if s >= 70.0 => Color::Green,
            (_, s) if s >= 40.0 => Color::Yellow,
            _ => Color::LightRed,
        };
        Style::new().fg(colour)
    }

    /// The style of a heatmap cell: the score colour as background, so the number reads on it.
    pub fn heat(&self, score: Option<f64>) -> Style {
        if self.no_color {
            return Style::new();
        }
        match score {
            None => self.dim,
            Some(_) => {
                let fg = self.score(score).fg.unwrap_or(Color::Reset);
                Style::new().bg(fg).fg(Color::Black)
            }
        }
    }
}

/// Whether the environment asks for no colour (`NO_COLOR` set to anything non-empty).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_leaves_no_colour_anywhere() {
        for name in [ThemeName::Dark, ThemeName::Light, ThemeName::HighContrast] {
            let t = Theme::new(name, true);
            for style in [
                t.text,
                t.dim,
                t.title,
                t.border,
                t.selected,
                t.key,
                t.warn,
                t.error,
                t.ok,
                t.chosen,
                t.bar,
                t.score(Some(10.0)),
                t.heat(Some(90.0)),
            ] {
                assert_eq!(style.fg, None, "{name:?}");
                assert_eq!(style.bg, None, "{name:?}");
            }
        }
    }

    #[test]
    fn light_and_high_contrast_paint_their_background() {
        for name in [ThemeName::Light, ThemeName::HighContrast] {
            assert!(Theme::new(name, false).text.bg.is_some(), "{name:?}");
        }
    }

    #[test]
    fn themes_cycle_and_parse() {
        assert_eq!(ThemeName::Dark.next().next().next(), ThemeName::Dark);
        assert_eq!(
            ThemeName::parse("High-Contrast"),
            Some(ThemeName::HighContrast)
        );
        assert_eq!(ThemeName::parse("neon"), None);
    }
}
