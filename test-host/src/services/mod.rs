//! Mock host services: one file per WIT interface, each implementing the generated `Host` trait for
//! [`HostState`](crate::state::HostState) and adding itself to the linker.

pub(crate) mod aws;
pub(crate) mod aws_auth;
pub(crate) mod aws_ddb;
pub(crate) mod aws_s3;
pub(crate) mod aws_secrets;
pub(crate) mod cache;
pub(crate) mod http;
pub(crate) mod logging;

use wasmtime::component::{HasSelf, Linker};

use crate::state::HostState;

/// Link every host interface of the contract.
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    crate::bindings::host::logging::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
    crate::bindings::host::cache::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
    crate::bindings::host::http::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
    crate::bindings::host::aws_auth::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
    crate::bindings::host::aws_ddb::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
    crate::bindings::host::aws_s3::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s)?;
    crate::bindings::host::aws_secrets::add_to_linker::<HostState, HasSelf<HostState>>(
        linker,
        |s| s,
    )?;
    Ok(())
}

/// A host call the host refuses, e.g. a call no mock is set up for. Trapping with it fails the
/// invocation with `InvokeError::HostCall` and this message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct HostCallError(pub(crate) String);

/// The per-invocation host-call budget ran out (the call that went over was to `interface`).
#[derive(Debug, thiserror::Error)]
#[error("host call limit of {limit} per invocation exceeded (at a call to {interface})")]
pub(crate) struct HostCallLimit {
    pub(crate) limit: u32,
    pub(crate) interface: &'static str,
}
