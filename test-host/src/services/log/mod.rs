//! `momento:log` (and the older generation's `momento:host/logging`): the function's log lines and where it
//! asks Momento to send them.
//!
//! On Momento nothing is sent anywhere until the function calls `configure-logging`; the test host keeps
//! every line in the invocation's records either way (`Response::logs`), records each configuration
//! ([`LoggingCall`]), and sends the lines where production would ([`routing`]): a topic destination
//! publishes them to the topic, and every line sent to a destination is recorded ([`LogDelivery`]). A
//! CloudWatch destination whose role the AWS credentials policy refuses answers `auth`, as Momento
//! answers a role it cannot assume.

mod routing;

use std::sync::Mutex;

use wasmtime::component::Linker;

use super::record::CallLog;
use super::{Interface, Service, View, ViewOf, view};
use crate::bindings::momento::host::logging as older;
use crate::bindings::momento::log::logging as current;
use crate::logs::{Level, LogRecord, LogSource};
use crate::state::{HostState, Services};

pub use routing::{LineKind, LogDelivery};
pub(crate) use routing::{Routing, system_lines};

pub(crate) const SERVICE: Service = Service {
    interfaces: &[
        Interface::implemented("momento:log/logging@1.0.0"),
        Interface::implemented("momento:host/logging@1.0.0"),
    ],
    link,
};

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    current::add_to_linker::<HostState, ViewOf<Services>>(linker, |s| view(s, |s| s))?;
    older::add_to_linker::<HostState, ViewOf<Services>>(linker, |s| view(s, |s| s))
}

/// Log lines longer than this are truncated.
const MAX_MESSAGE_BYTES: usize = 64 << 10;

/// Where a configuration sends log lines.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogDestination {
    /// A topic of the function's cache.
    Topic {
        /// The topic's name.
        topic_name: String,
    },
    /// A CloudWatch log group, through a role Momento assumes.
    CloudWatch {
        /// The role.
        iam_role_arn: String,
        /// The log group.
        log_group_name: String,
    },
}

/// One destination of a `configure-logging` call with its two levels (`None`: off).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogConfiguration {
    /// Where the lines go.
    pub destination: LogDestination,
    /// Least severe level of the function's own lines sent there.
    pub log_level: Option<Level>,
    /// Least severe level of the platform's lines about the invocation sent there.
    pub system_logs_level: Option<Level>,
}

/// One `configure-logging` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoggingCall {
    /// The invocation that made it.
    pub invocation_id: String,
    /// The destinations it asked for, in order.
    pub configurations: Vec<LogConfiguration>,
    /// `Err` with the message when it was refused.
    pub result: Result<(), String>,
}

/// The logging service's shared state: every `configure-logging` call, and every line sent to a
/// destination.
#[derive(Debug, Default)]
pub(crate) struct LogService {
    pub(crate) calls: Mutex<CallLog<LoggingCall>>,
    pub(crate) deliveries: Mutex<CallLog<LogDelivery>>,
}

impl LogService {
    pub(crate) fn new(record_calls: bool) -> LogService {
        LogService {
            calls: Mutex::new(CallLog::new(record_calls)),
            deliveries: Mutex::new(CallLog::new(record_calls)),
        }
    }

    pub(crate) fn calls(&self) -> Vec<LoggingCall> {
        crate::services::aws::lock(&self.calls).snapshot()
    }

    pub(crate) fn deliveries(&self) -> Vec<LogDelivery> {
        crate::services::aws::lock(&self.deliveries).snapshot()
    }
}

/// Split `"<target>: <message>"` (how this project's SDK sends a `log` record) into target and message.
/// The target must look like a Rust module path (letters, digits, `_` and `::`, at most 256 bytes); any
/// other line — e.g. the published SDK's `"INFO <time> <module> <file>:<line> <message>"` — is all message.
fn split_target(line: String) -> (String, String) {
    let target_len = line.find(": ").filter(|&end| {
        end > 0
            && end <= 256
            && line[..end]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
    });
    match target_len {
        Some(end) => {
            let message = line[end + 2..].to_owned();
            let mut target = line;
            target.truncate(end);
            (target, message)
        }
        None => (String::new(), line),
    }
}

fn truncate(mut message: String) -> String {
    if message.len() > MAX_MESSAGE_BYTES {
        let mut end = MAX_MESSAGE_BYTES;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push_str("… (truncated)");
    }
    message
}

impl View<'_, Services> {
    fn line(&mut self, input: String, level: Option<Level>) -> wasmtime::Result<()> {
        self.inv.host_call("momento:log")?;
        let Some(level) = level else {
            return Ok(());
        };
        let input = truncate(input);
        routing::function_line(
            self.service,
            &self.inv.log_routing,
            &self.inv.id,
            level,
            &input,
        );
        if level > self.service.log_level {
            return Ok(());
        }
        let (target, message) = split_target(input);
        self.inv.push_log(LogRecord {
            level,
            target,
            message,
            source: LogSource::Log,
            invocation_id: self.inv.id.clone(),
        });
        Ok(())
    }

    fn configure(
        &mut self,
        configurations: Vec<LogConfiguration>,
    ) -> wasmtime::Result<Result<(), String>> {
        self.inv.host_call("momento:log")?;
        let refused = configurations.iter().find_map(|c| match &c.destination {
            LogDestination::CloudWatch { iam_role_arn, .. }
                if !self.service.aws.role_allowed(iam_role_arn) =>
            {
                Some(format!(
                    "Momento could not assume role {iam_role_arn} to publish to CloudWatch (the test host's \
                     AWS policy does not allow it)"
                ))
            }
            _ => None,
        });
        let result = match refused {
            Some(message) => Err(message),
            None => Ok(()),
        };
        if result.is_ok() {
            let (stdout_at, stderr_at) = self
                .inv
                .stdio
                .as_ref()
                .map_or((0, 0), crate::stdio::StdioCapture::written);
            self.inv
                .log_routing
                .configured(configurations.clone(), stdout_at, stderr_at);
        }
        let id = self.inv.id.clone();
        let recorded = result.clone();
        crate::services::aws::lock(&self.service.logging.calls).record(|| LoggingCall {
            invocation_id: id,
            configurations,
            result: recorded,
        });
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::split_target;

    #[test]
    fn targets_are_split_off_module_path_prefixes_only() {
        let split = |line: &str| split_target(line.to_owned());
        assert_eq!(
            split("example_greeter::get: hi: there"),
            ("example_greeter::get".into(), "hi: there".into())
        );
        assert_eq!(
            split("no target here"),
            (String::new(), "no target here".into())
        );
        assert_eq!(
            split("INFO 2026-11-30T12:00:00Z my_fn src/lib.rs:5 said: hi"),
            (
                String::new(),
                "INFO 2026-11-30T12:00:00Z my_fn src/lib.rs:5 said: hi".into()
            )
        );
        assert_eq!(
            split(": empty target"),
            (String::new(), ": empty target".into())
        );
    }
}

macro_rules! generation {
    ($wit:ident) => {
        fn level(level: $wit::LogLevel) -> Option<Level> {
            match level {
                $wit::LogLevel::Off => None,
                $wit::LogLevel::Debug => Some(Level::Debug),
                $wit::LogLevel::Info => Some(Level::Info),
                $wit::LogLevel::Warn => Some(Level::Warn),
                $wit::LogLevel::Error => Some(Level::Error),
            }
        }

        fn configuration(input: $wit::ConfigureLoggingInput) -> LogConfiguration {
            LogConfiguration {
                destination: match input.destination {
                    $wit::Destination::Topic(topic) => LogDestination::Topic {
                        topic_name: topic.topic_name,
                    },
                    $wit::Destination::Cloudwatch(cloudwatch) => LogDestination::CloudWatch {
                        iam_role_arn: cloudwatch.iam_role_arn,
                        log_group_name: cloudwatch.log_group_name,
                    },
                },
                log_level: level(input.log_level),
                system_logs_level: level(input.system_logs_level),
            }
        }

        impl $wit::Host for View<'_, Services> {
            fn configure_logging(
                &mut self,
                inputs: Vec<$wit::ConfigureLoggingInput>,
            ) -> wasmtime::Result<Result<(), $wit::LogConfigurationError>> {
                let configurations = inputs.into_iter().map(configuration).collect();
                Ok(self
                    .configure(configurations)?
                    .map_err($wit::LogConfigurationError::Auth))
            }

            fn log(&mut self, input: String, level_: $wit::LogLevel) -> wasmtime::Result<()> {
                self.line(input, level(level_))
            }
        }
    };
}

mod current_generation {
    use super::*;
    generation!(current);
}

mod older_generation {
    use super::*;
    generation!(older);
}
