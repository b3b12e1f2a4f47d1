//! The [`log`] facade, routed to the host's `momento:log` interface, and [`configure_logging`].
//!
//! The `momento-functions` handler macros install the logger at the start of every invocation, so
//! `log::info!` and friends just work inside a handler. Each record is one host call carrying the line
//! `"<target>: <message>"` and its level (`trace` is sent as `debug`: the platform has no trace level).
//!
//! **On Momento nothing is logged until the function has called [`configure_logging`]**: the platform
//! needs to know where the lines go (a topic of the function's cache, or a CloudWatch log group through an
//! IAM role) and at which levels. Call it at the start of the handler, in every invocation (each
//! invocation starts afresh). The test host shows every record either way (tests can assert on them, and
//! its command line prints them to stderr), filtered by the levels once configured.
//!
//! ```no_run
//! use momento_functions_host::logging::{LogConfig, LogDestination, configure_logging};
//!
//! # fn f() -> Result<(), momento_functions_host::logging::Error> {
//! configure_logging([
//!     LogConfig::new(LogDestination::topic("function-logs")).log_level(log::LevelFilter::Debug),
//!     LogConfig::new(LogDestination::cloudwatch(
//!         "arn:aws:iam::123456789012:role/function-logs",
//!         "/momento/functions/orders",
//!     ))
//!     .log_level(log::LevelFilter::Warn)
//!     .system_log_level(log::LevelFilter::Error),
//! ])?;
//! log::info!(target: "orders", "created order {}", 42);
//! # Ok(()) }
//! ```

use crate::wit::momento::log::logging as host;

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

fn level(level: log::Level) -> host::LogLevel {
    match level {
        log::Level::Error => host::LogLevel::Error,
        log::Level::Warn => host::LogLevel::Warn,
        log::Level::Info => host::LogLevel::Info,
        log::Level::Debug | log::Level::Trace => host::LogLevel::Debug,
    }
}

fn level_filter(filter: log::LevelFilter) -> host::LogLevel {
    match filter.to_level() {
        None => host::LogLevel::Off,
        Some(l) => level(l),
    }
}

/// The line sent for a record.
fn line(record: &log::Record<'_>) -> String {
    match record.args().as_str() {
        Some(message) => format!("{}: {message}", record.target()),
        None => format!("{}: {}", record.target(), record.args()),
    }
}

impl log::Log for HostLogger {
    fn enabled(&self, _metadata: &log::Metadata<'_>) -> bool {
        // The host filters by the configured levels; `configure_logging` also lowers `log`'s max level.
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        host::log(&line(record), level(record.level()));
    }

    fn flush(&self) {}
}

/// Where log lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogDestination(Destination);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Destination {
    Topic(String),
    CloudWatch {
        iam_role_arn: String,
        log_group_name: String,
    },
}

impl LogDestination {
    /// Publish each line to the topic `topic_name` of the function's cache.
    pub fn topic(topic_name: impl Into<String>) -> Self {
        LogDestination(Destination::Topic(topic_name.into()))
    }

    /// Send lines to the CloudWatch log group `log_group_name`, through the IAM role `iam_role_arn` that
    /// the platform assumes.
    pub fn cloudwatch(iam_role_arn: impl Into<String>, log_group_name: impl Into<String>) -> Self {
        LogDestination(Destination::CloudWatch {
            iam_role_arn: iam_role_arn.into(),
            log_group_name: log_group_name.into(),
        })
    }

    fn into_wit(self) -> host::Destination {
        match self.0 {
            Destination::Topic(topic_name) => {
                host::Destination::Topic(host::TopicDestination { topic_name })
            }
            Destination::CloudWatch {
                iam_role_arn,
                log_group_name,
            } => host::Destination::Cloudwatch(host::CloudwatchDestination {
                iam_role_arn,
                log_group_name,
            }),
        }
    }
}

/// One destination with the least severe level it receives of the function's own records and of the
/// platform's system logs about the invocation. Both levels default to `Info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    destination: LogDestination,
    log_level: log::LevelFilter,
    system_log_level: log::LevelFilter,
}

impl LogConfig {
    /// `destination` at `Info` for both the function's records and system logs.
    pub fn new(destination: LogDestination) -> Self {
        LogConfig {
            destination,
            log_level: log::LevelFilter::Info,
            system_log_level: log::LevelFilter::Info,
        }
    }

    /// The least severe level of the function's own records sent here (`Off` for none; `Trace` is
    /// `Debug`).
    pub fn log_level(mut self, level: log::LevelFilter) -> Self {
        self.log_level = level;
        self
    }

    /// The least severe level of the platform's system logs sent here.
    pub fn system_log_level(mut self, level: log::LevelFilter) -> Self {
        self.system_log_level = level;
        self
    }

    fn into_wit(self) -> host::ConfigureLoggingInput {
        host::ConfigureLoggingInput {
            log_level: level_filter(self.log_level),
            system_logs_level: level_filter(self.system_log_level),
            destination: self.destination.into_wit(),
        }
    }
}

impl From<LogDestination> for LogConfig {
    fn from(destination: LogDestination) -> Self {
        LogConfig::new(destination)
    }
}

/// Why logging could not be configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The platform could not get the access a destination needs (e.g. the role cannot be assumed).
    #[error("cannot configure logging: {0}")]
    Auth(String),
}

/// Send the function's log records to `configs` (replacing any earlier configuration), and install the
/// logger. Records less severe than every destination's level are no longer sent at all.
///
/// Until this is called, Momento keeps none of the function's records; system logs from before the call
/// reach only the first destination. The test host shows records either way.
///
/// # Errors
/// [`Error::Auth`] when the platform cannot get the access a destination needs.
pub fn configure_logging<C: Into<LogConfig>>(
    configs: impl IntoIterator<Item = C>,
) -> Result<(), Error> {
    init();
    let configs: Vec<LogConfig> = configs.into_iter().map(Into::into).collect();
    let most_verbose = configs
        .iter()
        .map(|c| c.log_level)
        .max()
        .unwrap_or(log::LevelFilter::Off);
    let inputs: Vec<_> = configs.into_iter().map(LogConfig::into_wit).collect();
    match host::configure_logging(&inputs) {
        Ok(()) => {
            log::set_max_level(most_verbose);
            Ok(())
        }
        Err(host::LogConfigurationError::Auth(message)) => Err(Error::Auth(message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_goes_as_debug_and_off_is_off() {
        assert!(matches!(level(log::Level::Trace), host::LogLevel::Debug));
        assert!(matches!(
            level_filter(log::LevelFilter::Off),
            host::LogLevel::Off
        ));
        assert!(matches!(
            level_filter(log::LevelFilter::Warn),
            host::LogLevel::Warn
        ));
    }

    #[test]
    fn lines_carry_the_target() {
        let args = format_args!("hello {}", 7);
        let record = log::Record::builder()
            .args(args)
            .target("orders")
            .level(log::Level::Info)
            .build();
        assert_eq!(line(&record), "orders: hello 7");
    }

    #[test]
    fn configs_become_wit_inputs() {
        let input = LogConfig::new(LogDestination::cloudwatch("arn:role", "group"))
            .log_level(log::LevelFilter::Trace)
            .system_log_level(log::LevelFilter::Off)
            .into_wit();
        assert!(matches!(input.log_level, host::LogLevel::Debug));
        assert!(matches!(input.system_logs_level, host::LogLevel::Off));
        match input.destination {
            host::Destination::Cloudwatch(c) => {
                assert_eq!(
                    (c.iam_role_arn.as_str(), c.log_group_name.as_str()),
                    ("arn:role", "group")
                );
            }
            host::Destination::Topic(_) => panic!("a CloudWatch destination"),
        }
        let topic = LogConfig::from(LogDestination::topic("t")).into_wit();
        assert!(matches!(topic.destination, host::Destination::Topic(t) if t.topic_name == "t"));
    }
}
