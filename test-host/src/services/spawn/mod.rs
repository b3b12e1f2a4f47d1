//! The older generation's `momento:host/spawn` (starting spawn functions by name): linked so that such
//! components load and run; every call answers `limit` naming the capability until spawn functions are
//! implemented.

use wasmtime::component::Linker;

use crate::bindings::momento::host::spawn as older;
use crate::services::{Interface, Service, View, ViewOf, not_implemented_message, view};
use crate::state::HostState;

const CAPABILITY: &str = "spawn functions";
const OLDER: &str = "momento:host/spawn@1.0.0";

pub(crate) const SERVICE: Service = Service {
    interfaces: &[Interface::not_implemented(OLDER, CAPABILITY)],
    link,
};

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    older::add_to_linker::<HostState, ViewOf<()>>(linker, |s| view(s, |_| &()))
}

impl older::Host for View<'_, ()> {
    fn spawn_function(
        &mut self,
        _name: String,
        _data: Vec<u8>,
    ) -> wasmtime::Result<Result<(), older::SpawnError>> {
        self.inv.host_call("momento:host/spawn")?;
        Ok(Err(older::SpawnError::Limit(not_implemented_message(
            CAPABILITY, OLDER,
        ))))
    }
}
