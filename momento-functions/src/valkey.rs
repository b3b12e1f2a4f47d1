//! Commands to the Valkey clusters Momento manages in the function's account (`momento:valkey`).
//!
//! [`cluster`] names a cluster; [`Cluster::command`] sends any command and returns its [`Value`]; the
//! typed helpers (`get`, `set`, `incr`, `expire`, ...) check the reply's shape for you:
//!
//! ```no_run
//! use std::time::Duration;
//! use momento_functions::{valkey, FunctionResult};
//!
//! momento_functions::get!(visits);
//! fn visits() -> FunctionResult<String> {
//!     let counters = valkey::cluster("counters");
//!     let n = counters.incr("visits")?;
//!     if n == 1 {
//!         counters.expire("visits", Duration::from_secs(3600))?;
//!     }
//!     let top = counters.command("ZREVRANGE", ["scores", "0", "2"])?;
//!     Ok(format!("visit {n}, top 3: {:?}", top.into_strings()))
//! }
//! ```
//!
//! In the test host each cluster is a real server (`TestHostBuilder::valkey(name, url)`), e.g. one a test
//! starts with `ValkeyServer::start()`.

use std::fmt;
use std::time::Duration;

use momento_functions_host::wit::data_into_wit;
use momento_functions_host::wit::momento::valkey::valkey as wit;

use crate::Data;

/// Why a command failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// No reply: the cluster is unknown or unreachable, or the command timed out (the host's message).
    Failed(String),
    /// The server answered with an error reply (`WRONGTYPE ...`), where a typed helper expected a value.
    Server(String),
    /// The reply is not of the shape the typed helper expects.
    UnexpectedReply {
        /// The command.
        command: &'static str,
        /// What came back.
        reply: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Failed(message) => write!(f, "valkey: {message}"),
            Error::Server(message) => write!(f, "valkey error reply: {message}"),
            Error::UnexpectedReply { command, reply } => {
                write!(f, "valkey {command}: unexpected reply {reply}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// One reply.
#[derive(Debug)]
pub enum Value {
    /// Nil (a missing key).
    Nil,
    /// An integer.
    Int(i64),
    /// A bulk string: bytes, or a buffer still on the host (read it with [`Data::load`]).
    Data(Data),
    /// An array, its elements taken from the host one at a time.
    Array(Values),
    /// `OK`.
    Ok,
    /// Another simple string (`PONG`, `QUEUED`, a type name, ...).
    Status(String),
    /// An error reply (`WRONGTYPE Operation against a key holding the wrong kind of value`).
    Error(String),
}

impl Value {
    fn from_wit(value: wit::Value) -> Value {
        match value {
            wit::Value::Nil => Value::Nil,
            wit::Value::Int(n) => Value::Int(n),
            wit::Value::Data(data) => Value::Data(momento_functions_host::wit::data_from_wit(data)),
            wit::Value::Bulk(stream) => Value::Array(Values { stream }),
            wit::Value::Ok => Value::Ok,
            wit::Value::SimpleString(text) => Value::Status(text),
            wit::Value::SimpleError(text) => Value::Error(text),
        }
    }

    /// The bytes of a bulk string (read from the host if needed); `None` for anything else.
    pub fn into_bytes(self) -> Option<Vec<u8>> {
        match self {
            Value::Data(data) => data.try_into_bytes().ok(),
            _ => None,
        }
    }

    /// An array's elements as UTF-8 strings (bulk strings, statuses and integers as text; others
    /// skipped); a single string value as one element.
    pub fn into_strings(self) -> Vec<String> {
        fn text(value: Value) -> Option<String> {
            match value {
                Value::Data(data) => data
                    .try_into_bytes()
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned()),
                Value::Status(text) => Some(text),
                Value::Int(n) => Some(n.to_string()),
                _ => None,
            }
        }
        match self {
            Value::Array(values) => values.filter_map(text).collect(),
            other => text(other).into_iter().collect(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Value::Nil => "nil".to_owned(),
            Value::Int(n) => format!("integer {n}"),
            Value::Data(_) => "a bulk string".to_owned(),
            Value::Array(_) => "an array".to_owned(),
            Value::Ok => "OK".to_owned(),
            Value::Status(text) => format!("status {text}"),
            Value::Error(text) => format!("error {text}"),
        }
    }
}

/// The elements of an array reply, taken from the host one at a time.
pub struct Values {
    stream: wit::ResponseStream,
}

impl fmt::Debug for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Values { .. }")
    }
}

impl Iterator for Values {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        self.stream.next().map(Value::from_wit)
    }
}

/// A managed Valkey cluster, by name.
pub struct Cluster {
    name: String,
    client: wit::ClusterClient,
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cluster").field("name", &self.name).finish()
    }
}

/// The cluster called `name`.
pub fn cluster(name: &str) -> Cluster {
    Cluster {
        name: name.to_owned(),
        client: wit::get_managed_cluster_client(name),
    }
}

impl Cluster {
    /// The cluster's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Send `command` with `arguments` (each bytes, text or a [`Data`] passed on without a copy). An
    /// error *reply* is `Ok(Value::Error(..))`; `Err` means there was no reply.
    ///
    /// # Errors
    /// [`Error::Failed`] with the host's message.
    pub fn command<A: Into<Data>>(
        &self,
        command: &str,
        arguments: impl IntoIterator<Item = A>,
    ) -> Result<Value, Error> {
        let command = wit::Command {
            command: command.to_owned(),
            arguments: arguments
                .into_iter()
                .map(|a| data_into_wit(a.into()))
                .collect(),
        };
        match self.client.command(command) {
            Ok(value) => Ok(Value::from_wit(value)),
            Err(wit::ValkeyError::Other(message)) => Err(Error::Failed(message)),
        }
    }

    /// A typed helper's command: an error reply becomes [`Error::Server`].
    fn typed<A: Into<Data>>(
        &self,
        command: &'static str,
        arguments: impl IntoIterator<Item = A>,
    ) -> Result<Value, Error> {
        match self.command(command, arguments)? {
            Value::Error(message) => Err(Error::Server(message)),
            value => Ok(value),
        }
    }

    fn unexpected(command: &'static str, value: &Value) -> Error {
        Error::UnexpectedReply {
            command,
            reply: value.describe(),
        }
    }

    fn int(&self, command: &'static str, arguments: Vec<Data>) -> Result<i64, Error> {
        match self.typed(command, arguments)? {
            Value::Int(n) => Ok(n),
            other => Err(Self::unexpected(command, &other)),
        }
    }

    /// `GET key`: the value, `None` when the key is missing.
    ///
    /// # Errors
    /// No reply, an error reply, or a reply that is not a string or nil.
    pub fn get(&self, key: impl Into<Data>) -> Result<Option<Vec<u8>>, Error> {
        match self.typed("GET", [key.into()])? {
            Value::Nil => Ok(None),
            Value::Data(data) => data
                .try_into_bytes()
                .map(Some)
                .map_err(|e| Error::Failed(format!("reading the value: {e}"))),
            other => Err(Self::unexpected("GET", &other)),
        }
    }

    /// `SET key value`.
    ///
    /// # Errors
    /// No reply, an error reply, or a reply other than `OK`.
    pub fn set(&self, key: impl Into<Data>, value: impl Into<Data>) -> Result<(), Error> {
        match self.typed("SET", [key.into(), value.into()])? {
            Value::Ok => Ok(()),
            other => Err(Self::unexpected("SET", &other)),
        }
    }

    /// `SET key value PX <ttl in ms>`.
    ///
    /// # Errors
    /// As [`set`](Self::set).
    pub fn set_with_ttl(
        &self,
        key: impl Into<Data>,
        value: impl Into<Data>,
        ttl: Duration,
    ) -> Result<(), Error> {
        let millis = ttl.as_millis().max(1).to_string();
        match self.typed(
            "SET",
            [
                key.into(),
                value.into(),
                Data::from("PX"),
                Data::from(millis),
            ],
        )? {
            Value::Ok => Ok(()),
            other => Err(Self::unexpected("SET", &other)),
        }
    }

    /// `INCR key`: the new value.
    ///
    /// # Errors
    /// No reply, or an error reply (the value is not an integer).
    pub fn incr(&self, key: impl Into<Data>) -> Result<i64, Error> {
        self.int("INCR", vec![key.into()])
    }

    /// `INCRBY key by`: the new value.
    ///
    /// # Errors
    /// As [`incr`](Self::incr).
    pub fn incr_by(&self, key: impl Into<Data>, by: i64) -> Result<i64, Error> {
        self.int("INCRBY", vec![key.into(), Data::from(by.to_string())])
    }

    /// `PEXPIRE key <ttl in ms>`: whether the key exists (and now expires).
    ///
    /// # Errors
    /// No reply, or an error reply.
    pub fn expire(&self, key: impl Into<Data>, ttl: Duration) -> Result<bool, Error> {
        let millis = ttl.as_millis().max(1).to_string();
        Ok(self.int("PEXPIRE", vec![key.into(), Data::from(millis)])? == 1)
    }

    /// `PTTL key`: the time left, `None` for a key without expiry or a missing key.
    ///
    /// # Errors
    /// No reply, or an error reply.
    pub fn ttl(&self, key: impl Into<Data>) -> Result<Option<Duration>, Error> {
        let millis = self.int("PTTL", vec![key.into()])?;
        Ok(u64::try_from(millis).ok().map(Duration::from_millis))
    }

    /// `DEL key`: how many keys were removed (0 or 1).
    ///
    /// # Errors
    /// No reply, or an error reply.
    pub fn del(&self, key: impl Into<Data>) -> Result<i64, Error> {
        self.int("DEL", vec![key.into()])
    }
}
