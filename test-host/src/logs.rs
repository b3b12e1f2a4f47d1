//! Log records captured from functions.

use std::fmt;

/// Severity of a log record (most severe first, so `Level::Warn < Level::Info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Level {
    /// `log::error!`
    Error,
    /// `log::warn!`
    Warn,
    /// `log::info!`
    Info,
    /// `log::debug!`
    Debug,
    /// `log::trace!`
    #[default]
    Trace,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
            Level::Trace => "TRACE",
        })
    }
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Ok(Level::Error),
            "warn" | "warning" => Ok(Level::Warn),
            "info" => Ok(Level::Info),
            "debug" => Ok(Level::Debug),
            "trace" => Ok(Level::Trace),
            other => Err(format!(
                "unknown log level `{other}`: use error, warn, info, debug or trace"
            )),
        }
    }
}

/// Where a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogSource {
    /// The `log` facade (the host `logging` interface).
    Log,
    /// A line the function wrote to stdout (`println!`).
    Stdout,
    /// A line the function wrote to stderr (`eprintln!`, panic messages).
    Stderr,
    /// A record the host added about the invocation (e.g. a limit crossed in warn-only mode).
    Host,
}

/// One log record of one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// Severity (stdout lines are `Info`, stderr lines `Warn`).
    pub level: Level,
    /// The `log` target (the module path by default; `stdout`/`stderr` for captured output).
    pub target: String,
    /// The message.
    pub message: String,
    /// Where it came from.
    pub source: LogSource,
    /// The invocation that emitted it.
    pub invocation_id: String,
}

/// `LEVEL target: message`, on one line: control characters in the target and the message (CR, LF, the
/// ESC of ANSI sequences, C1 controls) and Unicode direction overrides are written escaped (`\n`,
/// `\u{1b}`), so that what a function logs cannot forge further lines or drive the terminal. The fields
/// themselves hold what the function sent.
impl fmt::Display for LogRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<5} {}: {}",
            self.level,
            Escaped(&self.target),
            Escaped(&self.message)
        )
    }
}

/// Text shown with its control characters escaped (see [`LogRecord`]'s `Display`).
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(needs_escape) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            match c {
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                other => write!(f, "\\u{{{:x}}}", u32::from(other))?,
            }
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_escapes_control_characters() {
        let record = LogRecord {
            level: Level::Info,
            target: "t\r\nFAKE".to_owned(),
            message: "a\nb \x1b[31mred\u{9b}2J\ttab \u{202e}rtl é".to_owned(),
            source: LogSource::Log,
            invocation_id: String::new(),
        };
        assert_eq!(
            record.to_string(),
            "INFO  t\\r\\nFAKE: a\\nb \\u{1b}[31mred\\u{9b}2J\ttab \\u{202e}rtl é"
        );
        assert_eq!(Escaped("plain").to_string(), "plain");
    }
}
