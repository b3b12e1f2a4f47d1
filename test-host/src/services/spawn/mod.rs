//! Spawn functions: `momento:host/spawn` (a function starts another by name, older generation's
//! interface — the current generation has no import for it) and the queue that runs them ([`runner`]).
//!
//! Answers as Momento's interface names them: an unknown name is `function-not-found`; a full queue, a
//! payload over the spawned function's request limit or a chain of spawns deeper than
//! [`runner::MAX_SPAWN_DEPTH`] is `limit` with a message saying which.

pub(crate) mod fixtures;
pub(crate) mod runner;

use wasmtime::component::Linker;

use crate::bindings::momento::host::spawn as older;
use crate::services::{Interface, Service, View, ViewOf, view};
use crate::state::HostState;
use runner::{PendingSpawn, Refusal, SpawnService};

pub(crate) const SERVICE: Service = Service {
    interfaces: &[Interface::implemented("momento:host/spawn@1.0.0")],
    link,
};

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    older::add_to_linker::<HostState, ViewOf<SpawnService>>(linker, |s| view(s, |s| &s.spawn))
}

impl older::Host for View<'_, SpawnService> {
    fn spawn_function(
        &mut self,
        name: String,
        data: Vec<u8>,
    ) -> wasmtime::Result<Result<(), older::SpawnError>> {
        self.inv.host_call("momento:host/spawn")?;
        match self
            .service
            .reserve(&name, data.len(), self.inv.spawn_depth)
        {
            Ok(function) => {
                self.inv.spawns.push(PendingSpawn {
                    name,
                    function,
                    payload: bytes::Bytes::from(data),
                });
                Ok(Ok(()))
            }
            Err(Refusal::NotFound) => {
                // The error value names nothing: say here what the host knows.
                let known = self.service.names();
                let message = format!(
                    "spawn-function: no spawn function named `{name}` (registered: {}; TestHostBuilder::function or fixtures [[spawn.functions]])",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                );
                let record = crate::logs::LogRecord {
                    level: crate::logs::Level::Warn,
                    target: "spawn".to_owned(),
                    message,
                    source: crate::logs::LogSource::Host,
                    invocation_id: self.inv.id.clone(),
                };
                self.inv.push_log(record);
                Ok(Err(older::SpawnError::FunctionNotFound))
            }
            Err(Refusal::Internal) => Ok(Err(older::SpawnError::InternalError)),
            Err(Refusal::Limit(message)) => Ok(Err(older::SpawnError::Limit(message))),
        }
    }
}
