//! The Valkey clusters of a host: each a real Valkey or Redis server, configured by name and URL, reached
//! through one pooled connection (made on first use, made again after a failure), with the calls recorded
//! and faults injectable.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use redis::ConnectionLike;

use crate::services::record::CallLog;

/// Longest wait for a connection to a server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Longest wait for a reply when the invocation has no deadline.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// Commands the test host does not send: each would change the shared connection for every later
/// invocation (subscriber or monitor mode, another protocol, another database, a closed connection).
const CONNECTION_COMMANDS: &[&str] = &[
    "SUBSCRIBE",
    "PSUBSCRIBE",
    "SSUBSCRIBE",
    "MONITOR",
    "HELLO",
    "RESET",
    "QUIT",
    "SELECT",
    "SYNC",
    "PSYNC",
];

/// A reply as recorded in a [`ValkeyCall`]: the server's reply, with nested arrays kept.
#[derive(Debug, Clone, PartialEq)]
pub enum ValkeyReply {
    /// Nil.
    Nil,
    /// An integer.
    Int(i64),
    /// A bulk string.
    Data(Vec<u8>),
    /// An array (also a RESP3 set, or a map as alternating keys and values).
    Array(Vec<ValkeyReply>),
    /// `OK`.
    Ok,
    /// Another simple string.
    Status(String),
    /// An error reply (`WRONGTYPE ...`).
    Error(String),
    /// A RESP3 double.
    Double(f64),
}

impl ValkeyReply {
    pub(crate) fn from_value(value: &redis::Value) -> ValkeyReply {
        use redis::Value as V;
        match value {
            V::Nil => ValkeyReply::Nil,
            V::Int(n) => ValkeyReply::Int(*n),
            V::BulkString(bytes) => ValkeyReply::Data(bytes.clone()),
            V::Array(items) | V::Set(items) => {
                ValkeyReply::Array(items.iter().map(ValkeyReply::from_value).collect())
            }
            V::Map(pairs) => ValkeyReply::Array(
                pairs
                    .iter()
                    .flat_map(|(k, v)| [ValkeyReply::from_value(k), ValkeyReply::from_value(v)])
                    .collect(),
            ),
            V::Attribute { data, .. } => ValkeyReply::from_value(data),
            V::Okay => ValkeyReply::Ok,
            V::SimpleString(text) => ValkeyReply::Status(text.clone()),
            V::Double(x) => ValkeyReply::Double(*x),
            V::Boolean(b) => ValkeyReply::Int(i64::from(*b)),
            V::VerbatimString { text, .. } => ValkeyReply::Data(text.clone().into_bytes()),
            V::BigNumber(n) => ValkeyReply::Data(n.clone()),
            V::Push { data, .. } => {
                ValkeyReply::Array(data.iter().map(ValkeyReply::from_value).collect())
            }
            V::ServerError(error) => ValkeyReply::Error(server_error_text(error)),
            _ => ValkeyReply::Error(format!("a reply the test host does not know: {value:?}")),
        }
    }
}

/// An error reply as the server wrote it: `CODE detail`.
pub(crate) fn server_error_text(error: &redis::ServerError) -> String {
    match error.details() {
        Some(details) => format!("{} {details}", error.code()),
        None => error.code().to_owned(),
    }
}

/// One command a function sent (or tried to send) to a cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct ValkeyCall {
    /// The cluster's name (for the older generation's client by URL: the URL).
    pub cluster: String,
    /// The command, as the function wrote it.
    pub command: String,
    /// Its arguments.
    pub arguments: Vec<Vec<u8>>,
    /// The reply, or why there was none.
    pub result: Result<ValkeyReply, String>,
}

/// A failure injected for commands (see [`ValkeyMock::inject_fault`]): matching commands answer
/// `valkey-error.other(message)` without reaching the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValkeyFault {
    cluster: Option<String>,
    command: Option<String>,
    message: String,
    times: Option<usize>,
}

impl ValkeyFault {
    /// Every command, every time, answers `message`.
    pub fn new(message: impl Into<String>) -> Self {
        ValkeyFault {
            cluster: None,
            command: None,
            message: message.into(),
            times: None,
        }
    }

    /// Only commands to this cluster.
    pub fn cluster(mut self, name: impl Into<String>) -> Self {
        self.cluster = Some(name.into());
        self
    }

    /// Only this command (case-insensitive).
    pub fn command(mut self, command: impl Into<String>) -> Self {
        self.command = Some(command.into());
        self
    }

    /// Only the next `n` matching commands.
    pub fn times(mut self, n: usize) -> Self {
        self.times = Some(n);
        self
    }

    fn matches(&self, cluster: &str, command: &str) -> bool {
        self.cluster.as_deref().is_none_or(|c| c == cluster)
            && self
                .command
                .as_deref()
                .is_none_or(|c| c.eq_ignore_ascii_case(command))
    }
}

/// One configured server and its pooled connection.
struct Cluster {
    url: String,
    client: redis::Client,
    connection: Mutex<Option<redis::Connection>>,
}

/// The clusters of one host, its call records and faults.
#[derive(Default)]
pub(crate) struct ValkeyService {
    clusters: HashMap<String, Arc<Cluster>>,
    calls: Mutex<CallLog<ValkeyCall>>,
    faults: Mutex<VecDeque<ValkeyFault>>,
}

impl std::fmt::Debug for ValkeyService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let clusters: Vec<(&String, &str)> = self
            .clusters
            .iter()
            .map(|(name, cluster)| (name, cluster.url.as_str()))
            .collect();
        f.debug_struct("ValkeyService")
            .field("clusters", &clusters)
            .finish_non_exhaustive()
    }
}

/// What a command to a cluster came to.
pub(crate) enum Outcome {
    /// The server replied (an error reply is a reply).
    Reply(redis::Value),
    /// No reply: no such cluster, a refused command, a fault, a connection or timeout failure.
    Failed(String),
}

/// Where a command goes: a cluster by name, or (older generation) a server by URL.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    Name(&'a str),
    Url(&'a str),
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ValkeyService {
    /// The clusters `(name, url)`; each URL is checked here (not connected to: the server may start
    /// after the host).
    pub(crate) fn new(
        clusters: Vec<(String, String)>,
        record_calls: bool,
    ) -> Result<ValkeyService, String> {
        let mut map = HashMap::new();
        for (name, url) in clusters {
            let client = redis::Client::open(url.as_str())
                .map_err(|e| format!("Valkey cluster `{name}`: {url} is not a server URL: {e}"))?;
            map.insert(
                name,
                Arc::new(Cluster {
                    url,
                    client,
                    connection: Mutex::new(None),
                }),
            );
        }
        Ok(ValkeyService {
            clusters: map,
            calls: Mutex::new(CallLog::new(record_calls)),
            faults: Mutex::new(VecDeque::new()),
        })
    }

    fn find(&self, target: Target<'_>) -> Result<(&str, &Arc<Cluster>), String> {
        match target {
            Target::Name(name) => self
                .clusters
                .get_key_value(name)
                .map(|(name, cluster)| (name.as_str(), cluster))
                .ok_or_else(|| {
                    format!(
                        "no Valkey cluster named `{name}` is configured in the test host ({}); give it a server with TestHostBuilder::valkey(\"{name}\", \"redis://127.0.0.1:6379\"), fixtures [[valkey.clusters]] or --valkey {name}=redis://127.0.0.1:6379",
                        self.known()
                    )
                }),
            Target::Url(url) => self
                .clusters
                .iter()
                .find(|(_, cluster)| cluster.url == url)
                .map(|(name, cluster)| (name.as_str(), cluster))
                .ok_or_else(|| {
                    format!(
                        "the test host connects only to the servers it is configured with, and {url} is not one ({}); add it with TestHostBuilder::valkey(name, \"{url}\")",
                        self.known()
                    )
                }),
        }
    }

    fn known(&self) -> String {
        if self.clusters.is_empty() {
            return "none is".to_owned();
        }
        let mut names: Vec<String> = self
            .clusters
            .iter()
            .map(|(name, cluster)| format!("{name} = {}", cluster.url))
            .collect();
        names.sort();
        format!("configured: {}", names.join(", "))
    }

    /// A fault for this command, if one is set (used up once when limited).
    fn fault(&self, cluster: &str, command: &str) -> Option<String> {
        let mut faults = lock(&self.faults);
        let index = faults.iter().position(|f| f.matches(cluster, command))?;
        let fault = &mut faults[index];
        let message = fault.message.clone();
        if let Some(times) = &mut fault.times {
            *times -= 1;
            if *times == 0 {
                faults.remove(index);
            }
        }
        Some(message)
    }

    /// Send commands to `target` and read their replies, within `deadline`. One command is one reply;
    /// several are sent as a pipeline.
    pub(crate) fn send(
        &self,
        target: Target<'_>,
        commands: &[(String, Vec<Bytes>)],
        deadline: Option<Instant>,
    ) -> Vec<Outcome> {
        let label = match target {
            Target::Name(name) | Target::Url(name) => name,
        };
        let outcomes = self.send_unrecorded(target, commands, deadline);
        let mut calls = lock(&self.calls);
        for ((command, arguments), outcome) in commands.iter().zip(&outcomes) {
            calls.record(|| ValkeyCall {
                cluster: label.to_owned(),
                command: command.clone(),
                arguments: arguments.iter().map(|a| a.to_vec()).collect(),
                result: match outcome {
                    Outcome::Reply(value) => Ok(ValkeyReply::from_value(value)),
                    Outcome::Failed(message) => Err(message.clone()),
                },
            });
        }
        outcomes
    }

    fn send_unrecorded(
        &self,
        target: Target<'_>,
        commands: &[(String, Vec<Bytes>)],
        deadline: Option<Instant>,
    ) -> Vec<Outcome> {
        let fail_all = |message: String| {
            commands
                .iter()
                .map(|_| Outcome::Failed(message.clone()))
                .collect()
        };
        let (name, cluster) = match self.find(target) {
            Ok(found) => found,
            Err(message) => return fail_all(message),
        };
        for (command, _) in commands {
            if let Some(message) = self.fault(name, command) {
                return fail_all(message);
            }
            if CONNECTION_COMMANDS
                .iter()
                .any(|c| c.eq_ignore_ascii_case(command.trim()))
            {
                return fail_all(format!(
                    "the test host does not send {command}: it would change the connection it shares between invocations"
                ));
            }
            if command.trim().is_empty() {
                return fail_all("a command needs a name".to_owned());
            }
        }
        match cluster.send(commands, deadline) {
            Ok(values) => values.into_iter().map(Outcome::Reply).collect(),
            Err(message) => fail_all(format!(
                "Valkey cluster `{name}` ({}): {message}",
                cluster.url
            )),
        }
    }

    pub(crate) fn calls(&self) -> Vec<ValkeyCall> {
        lock(&self.calls).snapshot()
    }

    pub(crate) fn clear_calls(&self) {
        lock(&self.calls).clear();
    }

    pub(crate) fn inject_fault(&self, fault: ValkeyFault) {
        lock(&self.faults).push_back(fault);
    }

    pub(crate) fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    pub(crate) fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.clusters.keys().cloned().collect();
        names.sort();
        names
    }
}

impl Cluster {
    /// Send on the pooled connection (connecting first if there is none); a connection that failed
    /// or timed out is dropped, and the next command connects again.
    fn send(
        &self,
        commands: &[(String, Vec<Bytes>)],
        deadline: Option<Instant>,
    ) -> Result<Vec<redis::Value>, String> {
        let remaining = match deadline {
            Some(deadline) => deadline
                .checked_duration_since(Instant::now())
                .filter(|left| !left.is_zero())
                .ok_or("the invocation's deadline passed before the command was sent")?,
            None => REPLY_TIMEOUT,
        };
        let mut slot = lock(&self.connection);
        if slot.is_none() {
            let connection = self
                .client
                .get_connection_with_timeout(remaining.min(CONNECT_TIMEOUT))
                .map_err(|e| format!("cannot connect: {e}"))?;
            *slot = Some(connection);
        }
        let Some(connection) = slot.as_mut() else {
            return Err("no connection".to_owned());
        };
        let wait = Some(remaining.min(REPLY_TIMEOUT));
        let result = connection
            .set_read_timeout(wait)
            .and_then(|()| connection.set_write_timeout(wait))
            .and_then(|()| {
                if let [(name, arguments)] = commands {
                    let mut command = redis::cmd(name.trim());
                    for argument in arguments {
                        command.arg(&argument[..]);
                    }
                    connection.req_command(&command).map(|value| vec![value])
                } else {
                    let mut pipeline = redis::pipe();
                    for (name, arguments) in commands {
                        let command = pipeline.cmd(name.trim());
                        for argument in arguments {
                            command.arg(&argument[..]);
                        }
                    }
                    connection.req_packed_commands(
                        &pipeline.get_packed_pipeline(),
                        0,
                        commands.len(),
                    )
                }
            });
        result.map_err(|e| {
            // The connection's state is unknown after a failure: start afresh next time.
            *slot = None;
            if e.is_timeout() {
                format!("no reply within {:?}", remaining.min(REPLY_TIMEOUT))
            } else {
                e.to_string()
            }
        })
    }
}

/// The Valkey clusters of a [`TestHost`](crate::TestHost): the commands functions sent, and faults.
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use momento_functions_test_host::{Request, TestHost, ValkeyServer};
///
/// let server = ValkeyServer::start()?;              // a real valkey-server/redis-server on 127.0.0.1
/// let host = TestHost::builder()
///     .valkey("limits", server.url())
///     .build_crate("examples/rate-limiter")?;
/// host.invoke(Request::get("/").header("x-client-id", "ada"))?;
/// let calls = host.valkey().calls();
/// assert_eq!(calls[0].command, "INCR");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct ValkeyMock {
    service: Arc<crate::state::Services>,
}

impl std::fmt::Debug for ValkeyMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValkeyMock")
            .field("clusters", &self.service.valkey.names())
            .finish()
    }
}

impl ValkeyMock {
    pub(crate) fn new(service: Arc<crate::state::Services>) -> Self {
        ValkeyMock { service }
    }

    /// The configured clusters' names.
    pub fn clusters(&self) -> Vec<String> {
        self.service.valkey.names()
    }

    /// Every command sent so far, in order, with its reply.
    pub fn calls(&self) -> Vec<ValkeyCall> {
        self.service.valkey.calls()
    }

    /// Forget the calls so far.
    pub fn clear_calls(&self) {
        self.service.valkey.clear_calls();
    }

    /// Answer matching commands with an error instead of sending them.
    pub fn inject_fault(&self, fault: ValkeyFault) {
        self.service.valkey.inject_fault(fault);
    }

    /// Remove every injected fault.
    pub fn clear_faults(&self) {
        self.service.valkey.clear_faults();
    }
}
