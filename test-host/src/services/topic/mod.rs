//! `momento:topic` (and the older generation's `momento:functions/topic`): linked so that publishing
//! components load and run; every publish answers `failed-precondition` naming the capability until topics
//! are implemented.

use wasmtime::component::Linker;

use crate::bindings::momento::functions::topic as older;
use crate::bindings::momento::topic::topic as current;
use crate::services::bytes::take_data;
use crate::services::{Interface, Service, View, ViewOf, not_implemented_message, view};
use crate::state::HostState;

const CAPABILITY: &str = "topics";
const CURRENT: &str = "momento:topic/topic@1.0.0";
const OLDER: &str = "momento:functions/topic@1.0.0";

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

impl current::Host for View<'_, ()> {
    fn publish(
        &mut self,
        _topic: String,
        _value: String,
    ) -> wasmtime::Result<Result<(), current::Error>> {
        self.inv.host_call("momento:topic")?;
        Ok(Err(current::Error::FailedPrecondition(
            not_implemented_message(CAPABILITY, CURRENT),
        )))
    }

    fn publish_bytes(
        &mut self,
        _topic: String,
        value: current::Data,
    ) -> wasmtime::Result<Result<(), current::Error>> {
        self.inv.host_call("momento:topic")?;
        take_data(self.inv, value)?;
        Ok(Err(current::Error::FailedPrecondition(
            not_implemented_message(CAPABILITY, CURRENT),
        )))
    }
}

impl older::Host for View<'_, ()> {
    fn publish(
        &mut self,
        _topic: String,
        _value: String,
    ) -> wasmtime::Result<Result<(), older::Error>> {
        self.inv.host_call("momento:topic")?;
        Ok(Err(older::Error::FailedPrecondition(
            not_implemented_message(CAPABILITY, OLDER),
        )))
    }

    fn publish_bytes(
        &mut self,
        _topic: String,
        _value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), older::Error>> {
        self.inv.host_call("momento:topic")?;
        Ok(Err(older::Error::FailedPrecondition(
            not_implemented_message(CAPABILITY, OLDER),
        )))
    }
}
