//! The [`log`] facade, routed to the host's `logging` interface.
//!
//! The `momento-functions` handler macros install the logger at the start of every invocation, so
//! `log::info!` and friends just work inside a handler:
//!
//! ```no_run
//! log::info!(target: "orders", "created order {}", 42);
//! ```
//!
//! The host decides what to keep: the test host captures every record (tests can assert on them) and its
//! command line prints them to stderr.

use crate::wit::momento::functions::logging as host;

/// A [`log::Log`] implementation that forwards records to the host.
#[derive(Debug, Clone, Copy, Default)]
pub struct HostLogger;

static LOGGER: HostLogger = HostLogger;

/// Install [`HostLogger`] as the global logger (idempotent and cheap: no host call).
///
/// Called by the handler macros; call it yourself only if you export a handler by hand.
pub fn init() {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
    }
}

fn level(level: log::Level) -> host::Level {
    match level {
        log::Level::Error => host::Level::Error,
        log::Level::Warn => host::Level::Warn,
        log::Level::Info => host::Level::Info,
        log::Level::Debug => host::Level::Debug,
        log::Level::Trace => host::Level::Trace,
    }
}

impl log::Log for HostLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        host::enabled(level(metadata.level()), metadata.target())
    }

    fn log(&self, record: &log::Record<'_>) {
        let message = match record.args().as_str() {
            Some(s) => s.to_owned(),
            None => record.args().to_string(),
        };
        host::log(level(record.level()), record.target(), &message);
    }

    fn flush(&self) {}
}
