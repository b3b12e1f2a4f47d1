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

impl fmt::Display for LogRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<5} {}: {}", self.level, self.target, self.message)
    }
}
