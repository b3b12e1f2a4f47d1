//! Where an invocation's log lines go once it has called `configure-logging`: each destination gets the
//! function's lines at or above its `log-level` and the system lines (stdout, stderr, the host's notes)
//! at or above its `system-logs-level`; `off` sends nothing. Lines logged before the first
//! `configure-logging` are sent nowhere, except system lines, which reach the first destination (the
//! published contract: "System logs from before this call reach only the first destination").
//!
//! A topic destination publishes each line to the topic (its subscribers receive it, see
//! [`TopicsMock`](crate::TopicsMock)); every line sent anywhere is recorded as a [`LogDelivery`] (for
//! CloudWatch destinations that record is all there is: the test host sends nothing to AWS).

use super::{LogConfiguration, LogDestination};
use crate::logs::{Level, LogRecord, LogSource};
use crate::services::topic::MessageOrigin;
use crate::state::{MAX_MESSAGE_BYTES, Services};

/// Whether a delivered line is the function's own or the platform's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LineKind {
    /// A line the function logged through `momento:log`.
    Function,
    /// A system line about the invocation: what it wrote to stdout (as `Info`) or stderr (as `Warn`),
    /// and the test host's own notes (e.g. a limit crossed in warn-only mode).
    System,
}

/// One log line sent to one destination of `configure-logging`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogDelivery {
    /// The invocation whose line it is.
    pub invocation_id: String,
    /// Where it went.
    pub destination: LogDestination,
    /// Its level.
    pub level: Level,
    /// The function's line, or a system line.
    pub kind: LineKind,
    /// The line as sent (a function's line exactly as it passed it to `log`).
    pub line: String,
}

/// The configurations of one invocation, each with where stdout and stderr stood when it was made.
#[derive(Debug, Default)]
pub(crate) struct Routing {
    segments: Vec<Segment>,
}

#[derive(Debug)]
struct Segment {
    stdout_at: usize,
    stderr_at: usize,
    configurations: Vec<LogConfiguration>,
}

impl Routing {
    /// A `configure-logging` call took effect, with stdout and stderr at these lengths.
    pub(crate) fn configured(
        &mut self,
        configurations: Vec<LogConfiguration>,
        stdout_at: usize,
        stderr_at: usize,
    ) {
        self.segments.push(Segment {
            stdout_at,
            stderr_at,
            configurations,
        });
    }

    /// The configurations in force now (`None`: never configured).
    fn current(&self) -> Option<&[LogConfiguration]> {
        self.segments.last().map(|s| s.configurations.as_slice())
    }
}

/// Does a line at `level` pass `threshold` (`None`: off)?
fn passes(level: Level, threshold: Option<Level>) -> bool {
    threshold.is_some_and(|threshold| level <= threshold)
}

/// Send one line to `destination` (publish it to a topic) and record it.
fn deliver(
    services: &Services,
    invocation_id: &str,
    destination: &LogDestination,
    level: Level,
    kind: LineKind,
    line: &str,
) {
    if let LogDestination::Topic { topic_name } = destination {
        let origin = match kind {
            LineKind::Function => MessageOrigin::FunctionLog,
            LineKind::System => MessageOrigin::SystemLog,
        };
        services
            .topics
            .deliver_log_line(invocation_id, topic_name, line, origin);
    }
    crate::services::aws::lock(&services.logging.deliveries).record(|| LogDelivery {
        invocation_id: invocation_id.to_owned(),
        destination: destination.clone(),
        level,
        kind,
        line: line.to_owned(),
    });
}

/// Route one line the function logged, at the moment it logs it.
pub(crate) fn function_line(
    services: &Services,
    routing: &Routing,
    invocation_id: &str,
    level: Level,
    line: &str,
) {
    let Some(configurations) = routing.current() else {
        return;
    };
    for configuration in configurations {
        if passes(level, configuration.log_level) {
            deliver(
                services,
                invocation_id,
                &configuration.destination,
                level,
                LineKind::Function,
                line,
            );
        }
    }
}

/// Send a system line to the destinations of `segment` (all of them), or — for a line from before the
/// first configuration — to the first destination of the first configuration only.
fn system_line(
    services: &Services,
    routing: &Routing,
    invocation_id: &str,
    segment: Option<usize>,
    level: Level,
    line: &str,
) {
    let configurations = match segment {
        Some(index) => &routing.segments[index].configurations[..],
        None => match routing.segments.first() {
            Some(first) => &first.configurations[..first.configurations.len().min(1)],
            None => return,
        },
    };
    for configuration in configurations {
        if passes(level, configuration.system_logs_level) {
            deliver(
                services,
                invocation_id,
                &configuration.destination,
                level,
                LineKind::System,
                line,
            );
        }
    }
}

/// After the invocation: route its system lines — stdout and stderr line by line (each to the
/// configuration in force when it was written), then the host's notes — at most `max_lines` of them.
pub(crate) fn system_lines(
    services: &Services,
    routing: &Routing,
    invocation_id: &str,
    stdout: &[u8],
    stderr: &[u8],
    host_records: &[LogRecord],
    max_lines: usize,
) {
    if routing.segments.is_empty() {
        return;
    }
    let mut budget = max_lines;
    for (bytes, level, at) in [
        (
            stdout,
            Level::Info,
            (|s: &Segment| s.stdout_at) as fn(&Segment) -> usize,
        ),
        (stderr, Level::Warn, |s: &Segment| s.stderr_at),
    ] {
        let mut start = 0;
        for raw in bytes.split_inclusive(|&b| b == b'\n') {
            if budget == 0 {
                return;
            }
            budget -= 1;
            let segment = routing.segments.iter().rposition(|s| at(s) <= start);
            start += raw.len();
            let line = raw.strip_suffix(b"\n").unwrap_or(raw);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let line = &line[..line.len().min(MAX_MESSAGE_BYTES)];
            let text = String::from_utf8_lossy(line);
            system_line(services, routing, invocation_id, segment, level, &text);
        }
    }
    let last = Some(routing.segments.len() - 1);
    for record in host_records
        .iter()
        .filter(|r| r.source == LogSource::Host)
        .take(budget)
    {
        let line = format!("{}: {}", record.target, record.message);
        system_line(services, routing, invocation_id, last, record.level, &line);
    }
}
