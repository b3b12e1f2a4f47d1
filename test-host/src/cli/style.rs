//! Color on the command line: only when the stream is a terminal and `NO_COLOR` is unset (or
//! `CLICOLOR_FORCE` is set), so that pipes, files and CI logs get plain text.

use std::io::IsTerminal;

/// Should text written to stderr (`stderr == true`) or stdout be colored?
pub(crate) fn enabled(stderr: bool) -> bool {
    let forced = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
    let disabled = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if forced {
        return true;
    }
    if disabled {
        return false;
    }
    if stderr {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    }
}

/// `text` in bold red, green or yellow when `on`.
pub(crate) fn paint(text: &str, color: Color, on: bool) -> String {
    if !on {
        return text.to_owned();
    }
    let code = match color {
        Color::Red => "1;31",
        Color::Green => "1;32",
        Color::Yellow => "1;33",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// A color of [`paint`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Color {
    Red,
    Green,
    Yellow,
}

/// Print `error: message` to stderr (`error:` in red on a terminal).
pub(crate) fn error(message: impl std::fmt::Display) {
    eprintln!("{} {message}", paint("error:", Color::Red, enabled(true)));
}

/// Print `warning: message` to stderr (`warning:` in yellow on a terminal).
pub(crate) fn warning(message: impl std::fmt::Display) {
    eprintln!(
        "{} {message}",
        paint("warning:", Color::Yellow, enabled(true))
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paint_only_when_on() {
        assert_eq!(paint("error:", Color::Red, false), "error:");
        assert_eq!(paint("ok", Color::Green, true), "\x1b[1;32mok\x1b[0m");
    }
}
