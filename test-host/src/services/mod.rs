//! The host services: one folder each, holding its shared state and public handle, its fixtures section,
//! and its `Host` implementations for every contract generation. [`SERVICES`] lists them; the linker,
//! `check`'s report and the import policy are assembled from that one list, so a new interface touches its
//! folder plus one line here.
//!
//! A service's imports run on a [`View`]: its own shared state (`&S`, from [`Services`]) and the
//! invocation's state ([`InvocationState`]), borrowed apart from the store's [`HostState`] — the pattern of
//! wasmtime's `wasi-keyvalue`.

pub(crate) mod aws;
pub(crate) mod bytes;
pub(crate) mod cache;
pub(crate) mod http;
pub(crate) mod log;
pub(crate) mod record;
pub(crate) mod spawn;
pub(crate) mod token;
pub(crate) mod topic;
pub(crate) mod valkey;
pub(crate) mod web;

use std::marker::PhantomData;

use wasmtime::component::{HasData, Linker};

use crate::state::{HostState, InvocationState, Services};

/// A host service's imports see this: the service's shared state and the invocation's own.
pub(crate) struct View<'a, S> {
    pub(crate) service: &'a S,
    pub(crate) inv: &'a mut InvocationState,
}

/// The [`HasData`] marker whose data is a [`View`] of `S`.
pub(crate) struct ViewOf<S>(PhantomData<fn() -> S>);

impl<S: 'static> HasData for ViewOf<S> {
    type Data<'a> = View<'a, S>;
}

/// Project a store's data onto the view of one service (`pick` chooses its shared state).
pub(crate) fn view<S>(state: &mut HostState, pick: fn(&Services) -> &S) -> View<'_, S> {
    View {
        service: pick(&state.services),
        inv: &mut state.inv,
    }
}

/// Whether the test host does what Momento does for an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Implemented with Momento's semantics (in memory, or for real where configured).
    Implemented,
    /// Linked so that components using it load and run, but every call answers an error value naming the
    /// capability (never a trap, never a silent success).
    #[allow(
        dead_code,
        reason = "for an interface linked before it is implemented; every interface is implemented now"
    )]
    NotImplemented {
        /// What is missing, as the error names it, e.g. "topics".
        capability: &'static str,
    },
}

/// One published interface a service links.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Interface {
    /// The full import name, e.g. `momento:cache-scalar/cache-scalar@1.0.0`.
    pub(crate) name: &'static str,
    pub(crate) status: Status,
}

impl Interface {
    pub(crate) const fn implemented(name: &'static str) -> Interface {
        Interface {
            name,
            status: Status::Implemented,
        }
    }

    #[allow(
        dead_code,
        reason = "for an interface linked before it is implemented; every interface is implemented now"
    )]
    pub(crate) const fn not_implemented(name: &'static str, capability: &'static str) -> Interface {
        Interface {
            name,
            status: Status::NotImplemented { capability },
        }
    }
}

/// A host service: what it links and how.
pub(crate) struct Service {
    /// The interfaces it provides, both generations.
    pub(crate) interfaces: &'static [Interface],
    /// Add its interfaces to the linker.
    pub(crate) link: fn(&mut Linker<HostState>) -> wasmtime::Result<()>,
}

/// Every host service. The one list: the linker, the import policy and `check` read it.
pub(crate) const SERVICES: &[Service] = &[
    bytes::SERVICE,
    web::SERVICE,
    cache::SERVICE,
    cache::list::SERVICE,
    http::SERVICE,
    log::SERVICE,
    aws::SERVICE,
    topic::SERVICE,
    token::SERVICE,
    valkey::SERVICE,
    spawn::SERVICE,
];

/// Link every host interface of the contract.
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    for service in SERVICES {
        (service.link)(linker)?;
    }
    Ok(())
}

/// The published interface called `name`, and the service that links it.
pub(crate) fn find_interface(name: &str) -> Option<(&'static Service, &'static Interface)> {
    SERVICES.iter().find_map(|service| {
        service
            .interfaces
            .iter()
            .find(|interface| interface.name == name)
            .map(|interface| (service, interface))
    })
}

/// The message every not-implemented call answers with.
#[allow(
    dead_code,
    reason = "for an interface linked before it is implemented; every interface is implemented now"
)]
pub(crate) fn not_implemented_message(capability: &str, interface: &str) -> String {
    format!(
        "not implemented in the momento-functions test host: {capability} ({interface}); \
         Momento's platform provides it"
    )
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

/// Trap with a [`HostCallError`]: a resource handle the guest passed is not one the host handed out (or it
/// was already consumed). Wasmtime checks handle types; this covers a stale or foreign handle.
pub(crate) fn bad_handle(
    what: &str,
    error: wasmtime::component::ResourceTableError,
) -> wasmtime::Error {
    wasmtime::Error::new(HostCallError(format!("invalid {what} handle: {error}")))
}
