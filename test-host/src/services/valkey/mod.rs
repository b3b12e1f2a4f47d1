//! `momento:valkey` (and the older generation's `momento:host/redis`): commands to Valkey clusters,
//! answered by real Valkey or Redis servers configured by name ([`cluster`]).
//!
//! Replies map onto the interface's `value`: nil, integers, bulk strings (as host buffers: a large value
//! stays on the host until the function reads it), `OK`, other simple strings, error replies
//! (`simple-error`, a reply rather than a failure), and arrays as `bulk` — a `response-stream` whose
//! elements are converted as the function takes them. No reply at all (no such cluster, a refused
//! command, a connection failure, a timeout) is `valkey-error.other` with a message saying which.
//! The older generation's client by URL reaches only the servers the host is configured with.

pub(crate) mod cluster;
pub(crate) mod fixtures;
pub(crate) mod server;

use std::collections::VecDeque;

use bytes::Bytes;
use wasmtime::component::{Linker, Resource};

use crate::bindings::momento::host::redis as older;
use crate::bindings::momento::valkey::valkey as current;
use crate::services::bytes::{buffer_data, take_data};
use crate::services::{Interface, Service, View, ViewOf, bad_handle, view};
use crate::state::{HostState, InvocationState};
use cluster::{Outcome, Target, ValkeyService, server_error_text};

pub(crate) const SERVICE: Service = Service {
    interfaces: &[
        Interface::implemented("momento:valkey/valkey@1.0.0"),
        Interface::implemented("momento:host/redis@1.0.0"),
    ],
    link,
};

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    current::add_to_linker::<HostState, ViewOf<ValkeyService>>(linker, |s| view(s, |s| &s.valkey))?;
    older::add_to_linker::<HostState, ViewOf<ValkeyService>>(linker, |s| view(s, |s| &s.valkey))
}

/// A client for a named cluster (`cluster-client` of both generations).
#[derive(Debug)]
#[allow(
    unreachable_pub,
    reason = "bindgen re-exports resource types with `pub use`"
)]
pub struct ClusterClient {
    name: String,
}

/// The older generation's client for a server by URL.
#[derive(Debug)]
#[allow(
    unreachable_pub,
    reason = "bindgen re-exports resource types with `pub use`"
)]
pub struct RedisClient {
    url: String,
}

/// The elements of an array reply (or the replies of a pipeline), converted as they are taken.
#[derive(Debug)]
#[allow(
    unreachable_pub,
    reason = "bindgen re-exports resource types with `pub use`"
)]
pub struct ResponseStream {
    items: VecDeque<redis::Value>,
}

/// A reply, generation-neutral.
enum Reply {
    Nil,
    Int(i64),
    Bytes(Bytes),
    Array(VecDeque<redis::Value>),
    Ok,
    Status(String),
    Error(String),
}

/// What a server's reply is in the interface's terms (RESP3 kinds folded onto RESP2's).
fn reply(value: redis::Value) -> Reply {
    use redis::Value as V;
    match value {
        V::Nil => Reply::Nil,
        V::Int(n) => Reply::Int(n),
        V::BulkString(bytes) => Reply::Bytes(Bytes::from(bytes)),
        V::Array(items) | V::Set(items) | V::Push { data: items, .. } => Reply::Array(items.into()),
        V::Map(pairs) => Reply::Array(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect()),
        V::Attribute { data, .. } => reply(*data),
        V::Okay => Reply::Ok,
        V::SimpleString(text) => Reply::Status(text),
        V::Double(x) => Reply::Status(x.to_string()),
        V::Boolean(b) => Reply::Int(i64::from(b)),
        V::VerbatimString { text, .. } => Reply::Bytes(Bytes::from(text)),
        V::BigNumber(digits) => Reply::Bytes(Bytes::from(digits)),
        V::ServerError(error) => Reply::Error(server_error_text(&error)),
        other => Reply::Error(format!("a reply the test host does not know: {other:?}")),
    }
}

fn push_stream(
    inv: &mut InvocationState,
    items: VecDeque<redis::Value>,
) -> wasmtime::Result<Resource<ResponseStream>> {
    Ok(inv.table.push(ResponseStream { items })?)
}

fn current_value(
    inv: &mut InvocationState,
    value: redis::Value,
) -> wasmtime::Result<current::Value> {
    Ok(match reply(value) {
        Reply::Nil => current::Value::Nil,
        Reply::Int(n) => current::Value::Int(n),
        Reply::Bytes(bytes) => current::Value::Data(buffer_data(inv, bytes)?),
        Reply::Array(items) => current::Value::Bulk(push_stream(inv, items)?),
        Reply::Ok => current::Value::Ok,
        Reply::Status(text) => current::Value::SimpleString(text),
        Reply::Error(text) => current::Value::SimpleError(text),
    })
}

fn older_value(inv: &mut InvocationState, value: redis::Value) -> wasmtime::Result<older::Value> {
    Ok(match reply(value) {
        Reply::Nil => older::Value::Nil,
        Reply::Int(n) => older::Value::Int(n),
        Reply::Bytes(bytes) => {
            inv.bytes_to_guest += bytes.len() as u64;
            older::Value::Data(bytes.to_vec())
        }
        Reply::Array(items) => older::Value::Bulk(push_stream(inv, items)?),
        Reply::Ok => older::Value::Okay,
        Reply::Status(text) => older::Value::SimpleString(text),
        Reply::Error(text) => older::Value::SimpleError(text),
    })
}

impl View<'_, ValkeyService> {
    fn cluster_name(&self, client: &Resource<ClusterClient>) -> wasmtime::Result<String> {
        Ok(self
            .inv
            .table
            .get(client)
            .map_err(|e| bad_handle("cluster-client", e))?
            .name
            .clone())
    }

    /// Send one command to a cluster: its reply, or why there is none.
    fn one(
        &mut self,
        target: Target<'_>,
        command: String,
        arguments: Vec<Bytes>,
    ) -> Result<redis::Value, String> {
        let deadline = self.inv.deadline();
        match self
            .service
            .send(target, &[(command, arguments)], deadline)
            .pop()
        {
            Some(Outcome::Reply(value)) => Ok(value),
            Some(Outcome::Failed(message)) => Err(message),
            None => Err("no reply".to_owned()),
        }
    }

    fn next_item(
        &mut self,
        stream: &Resource<ResponseStream>,
    ) -> wasmtime::Result<Option<redis::Value>> {
        self.inv.host_call("momento:valkey")?;
        Ok(self
            .inv
            .table
            .get_mut(stream)
            .map_err(|e| bad_handle("response-stream", e))?
            .items
            .pop_front())
    }

    fn drop_resource<T: 'static>(
        &mut self,
        resource: Resource<T>,
        what: &str,
    ) -> wasmtime::Result<()> {
        self.inv
            .table
            .delete(resource)
            .map_err(|e| bad_handle(what, e))?;
        Ok(())
    }
}

impl current::Host for View<'_, ValkeyService> {
    fn get_managed_cluster_client(
        &mut self,
        cluster_name: String,
    ) -> wasmtime::Result<Resource<ClusterClient>> {
        self.inv.host_call("momento:valkey")?;
        Ok(self.inv.table.push(ClusterClient { name: cluster_name })?)
    }
}

impl current::HostClusterClient for View<'_, ValkeyService> {
    fn command(
        &mut self,
        client: Resource<ClusterClient>,
        command: current::Command,
    ) -> wasmtime::Result<Result<current::Value, current::ValkeyError>> {
        self.inv.host_call("momento:valkey")?;
        let mut arguments = Vec::with_capacity(command.arguments.len());
        for argument in command.arguments {
            arguments.push(take_data(self.inv, argument)?);
        }
        let name = self.cluster_name(&client)?;
        match self.one(Target::Name(&name), command.command, arguments) {
            Ok(value) => Ok(Ok(current_value(self.inv, value)?)),
            Err(message) => Ok(Err(current::ValkeyError::Other(message))),
        }
    }

    fn drop(&mut self, client: Resource<ClusterClient>) -> wasmtime::Result<()> {
        self.drop_resource(client, "cluster-client")
    }
}

impl current::HostResponseStream for View<'_, ValkeyService> {
    fn next(
        &mut self,
        stream: Resource<ResponseStream>,
    ) -> wasmtime::Result<Option<current::Value>> {
        match self.next_item(&stream)? {
            Some(value) => Ok(Some(current_value(self.inv, value)?)),
            None => Ok(None),
        }
    }

    fn drop(&mut self, stream: Resource<ResponseStream>) -> wasmtime::Result<()> {
        self.drop_resource(stream, "response-stream")
    }
}

impl older::Host for View<'_, ValkeyService> {
    fn get_managed_cluster_client(
        &mut self,
        cluster_name: String,
    ) -> wasmtime::Result<Resource<ClusterClient>> {
        self.inv.host_call("momento:host/redis")?;
        Ok(self.inv.table.push(ClusterClient { name: cluster_name })?)
    }
}

impl older::HostClient for View<'_, ValkeyService> {
    fn new(
        &mut self,
        connection: older::RedisConnectionType,
    ) -> wasmtime::Result<Resource<RedisClient>> {
        self.inv.host_call("momento:host/redis")?;
        let older::RedisConnectionType::BasicConnection(url) = connection;
        Ok(self.inv.table.push(RedisClient { url })?)
    }

    fn pipe(
        &mut self,
        client: Resource<RedisClient>,
        commands: Vec<older::Command>,
    ) -> wasmtime::Result<Result<Resource<ResponseStream>, older::RedisError>> {
        self.inv.host_call("momento:host/redis")?;
        let url = self
            .inv
            .table
            .get(&client)
            .map_err(|e| bad_handle("client", e))?
            .url
            .clone();
        if commands.is_empty() {
            return Ok(Ok(push_stream(self.inv, VecDeque::new())?));
        }
        let commands: Vec<(String, Vec<Bytes>)> = commands
            .into_iter()
            .map(|c| {
                (
                    c.command,
                    c.arguments.into_iter().map(Bytes::from).collect(),
                )
            })
            .collect();
        let deadline = self.inv.deadline();
        let mut replies = VecDeque::with_capacity(commands.len());
        for outcome in self.service.send(Target::Url(&url), &commands, deadline) {
            match outcome {
                Outcome::Reply(value) => replies.push_back(value),
                Outcome::Failed(message) => return Ok(Err(older::RedisError::Other(message))),
            }
        }
        Ok(Ok(push_stream(self.inv, replies)?))
    }

    fn drop(&mut self, client: Resource<RedisClient>) -> wasmtime::Result<()> {
        self.drop_resource(client, "client")
    }
}

impl older::HostClusterClient for View<'_, ValkeyService> {
    fn command(
        &mut self,
        client: Resource<ClusterClient>,
        command: older::Command,
    ) -> wasmtime::Result<Result<older::Value, older::RedisError>> {
        self.inv.host_call("momento:host/redis")?;
        let name = self.cluster_name(&client)?;
        let arguments = command.arguments.into_iter().map(Bytes::from).collect();
        match self.one(Target::Name(&name), command.command, arguments) {
            Ok(value) => Ok(Ok(older_value(self.inv, value)?)),
            Err(message) => Ok(Err(older::RedisError::Other(message))),
        }
    }

    fn drop(&mut self, client: Resource<ClusterClient>) -> wasmtime::Result<()> {
        self.drop_resource(client, "cluster-client")
    }
}

impl older::HostResponseStream for View<'_, ValkeyService> {
    fn next(&mut self, stream: Resource<ResponseStream>) -> wasmtime::Result<Option<older::Value>> {
        match self.next_item(&stream)? {
            Some(value) => Ok(Some(older_value(self.inv, value)?)),
            None => Ok(None),
        }
    }

    fn drop(&mut self, stream: Resource<ResponseStream>) -> wasmtime::Result<()> {
        self.drop_resource(stream, "response-stream")
    }
}
