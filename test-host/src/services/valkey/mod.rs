//! `momento:valkey` (and the older generation's `momento:host/redis`): linked so that components talking
//! to Valkey or Redis load and run; clients can be made, and every command answers an error naming the
//! capability until a Valkey server can be configured.

use wasmtime::component::{Linker, Resource};

use crate::bindings::momento::host::redis as older;
use crate::bindings::momento::valkey::valkey as current;
use crate::services::bytes::take_data;
use crate::services::{
    Interface, Service, View, ViewOf, bad_handle, not_implemented_message, view,
};
use crate::state::HostState;

const CAPABILITY: &str = "Valkey and Redis";
const CURRENT: &str = "momento:valkey/valkey@1.0.0";
const OLDER: &str = "momento:host/redis@1.0.0";

pub(crate) const SERVICE: Service = Service {
    interfaces: &[
        Interface::not_implemented(CURRENT, CAPABILITY),
        Interface::not_implemented(OLDER, CAPABILITY),
    ],
    link,
};

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    current::add_to_linker::<HostState, ViewOf<()>>(linker, |s| view(s, |_| &()))?;
    older::add_to_linker::<HostState, ViewOf<()>>(linker, |s| view(s, |_| &()))
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
pub struct RedisClient;

/// Elements of an array reply (none yet: no command succeeds).
#[derive(Debug)]
#[allow(
    unreachable_pub,
    reason = "bindgen re-exports resource types with `pub use`"
)]
pub struct ResponseStream;

impl View<'_, ()> {
    fn no_valkey(&mut self, interface: &str, what: &str) -> wasmtime::Result<String> {
        self.inv.host_call("momento:valkey")?;
        Ok(format!(
            "{} (command to {what})",
            not_implemented_message(CAPABILITY, interface)
        ))
    }

    fn cluster_name(&self, client: &Resource<ClusterClient>) -> wasmtime::Result<String> {
        Ok(self
            .inv
            .table
            .get(client)
            .map_err(|e| bad_handle("cluster-client", e))?
            .name
            .clone())
    }
}

impl current::Host for View<'_, ()> {
    fn get_managed_cluster_client(
        &mut self,
        cluster_name: String,
    ) -> wasmtime::Result<Resource<ClusterClient>> {
        self.inv.host_call("momento:valkey")?;
        Ok(self.inv.table.push(ClusterClient { name: cluster_name })?)
    }
}

impl current::HostClusterClient for View<'_, ()> {
    fn command(
        &mut self,
        client: Resource<ClusterClient>,
        command: current::Command,
    ) -> wasmtime::Result<Result<current::Value, current::ValkeyError>> {
        for argument in command.arguments {
            take_data(self.inv, argument)?;
        }
        let name = self.cluster_name(&client)?;
        Ok(Err(current::ValkeyError::Other(
            self.no_valkey(CURRENT, &format!("cluster {name}"))?,
        )))
    }

    fn drop(&mut self, client: Resource<ClusterClient>) -> wasmtime::Result<()> {
        self.inv
            .table
            .delete(client)
            .map_err(|e| bad_handle("cluster-client", e))?;
        Ok(())
    }
}

impl current::HostResponseStream for View<'_, ()> {
    fn next(
        &mut self,
        _stream: Resource<ResponseStream>,
    ) -> wasmtime::Result<Option<current::Value>> {
        self.inv.host_call("momento:valkey")?;
        Ok(None)
    }

    fn drop(&mut self, stream: Resource<ResponseStream>) -> wasmtime::Result<()> {
        self.inv
            .table
            .delete(stream)
            .map_err(|e| bad_handle("response-stream", e))?;
        Ok(())
    }
}

impl older::Host for View<'_, ()> {
    fn get_managed_cluster_client(
        &mut self,
        cluster_name: String,
    ) -> wasmtime::Result<Resource<ClusterClient>> {
        self.inv.host_call("momento:valkey")?;
        Ok(self.inv.table.push(ClusterClient { name: cluster_name })?)
    }
}

impl older::HostClient for View<'_, ()> {
    fn new(
        &mut self,
        _connection: older::RedisConnectionType,
    ) -> wasmtime::Result<Resource<RedisClient>> {
        self.inv.host_call("momento:valkey")?;
        Ok(self.inv.table.push(RedisClient)?)
    }

    fn pipe(
        &mut self,
        _client: Resource<RedisClient>,
        _commands: Vec<older::Command>,
    ) -> wasmtime::Result<Result<Resource<ResponseStream>, older::RedisError>> {
        Ok(Err(older::RedisError::Other(
            self.no_valkey(OLDER, "a Redis server")?,
        )))
    }

    fn drop(&mut self, client: Resource<RedisClient>) -> wasmtime::Result<()> {
        self.inv
            .table
            .delete(client)
            .map_err(|e| bad_handle("client", e))?;
        Ok(())
    }
}

impl older::HostClusterClient for View<'_, ()> {
    fn command(
        &mut self,
        client: Resource<ClusterClient>,
        _command: older::Command,
    ) -> wasmtime::Result<Result<older::Value, older::RedisError>> {
        let name = self.cluster_name(&client)?;
        Ok(Err(older::RedisError::Other(
            self.no_valkey(OLDER, &format!("cluster {name}"))?,
        )))
    }

    fn drop(&mut self, client: Resource<ClusterClient>) -> wasmtime::Result<()> {
        self.inv
            .table
            .delete(client)
            .map_err(|e| bad_handle("cluster-client", e))?;
        Ok(())
    }
}

impl older::HostResponseStream for View<'_, ()> {
    fn next(
        &mut self,
        _stream: Resource<ResponseStream>,
    ) -> wasmtime::Result<Option<older::Value>> {
        self.inv.host_call("momento:valkey")?;
        Ok(None)
    }

    fn drop(&mut self, stream: Resource<ResponseStream>) -> wasmtime::Result<()> {
        self.inv
            .table
            .delete(stream)
            .map_err(|e| bad_handle("response-stream", e))?;
        Ok(())
    }
}
