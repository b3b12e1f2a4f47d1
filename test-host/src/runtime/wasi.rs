//! WASI as production provides it. See `test-host/WASI.md` for the table.
//!
//! Rust's std imports `wasi:filesystem`, `wasi:cli/stdin` and `wasi:cli/exit` in every component, so they
//! must link; production links them but does not support them. Here the one entry point of each —
//! `get-directories` (every path operation of wasi-libc starts there), `get-stdin` and `exit` — is
//! replaced by a host function that fails the invocation with `InvokeError::UnsupportedWasi`, naming the
//! interface. Without a preopened directory or a stdin stream no other function of those interfaces can
//! be reached.
//!
//! The two WASI entry points that block — `wasi:io/poll#poll` and `[method]pollable.block` (what
//! `std::thread::sleep` and every wait on a clock or stream end in) — are replaced too, by versions that
//! give up at the invocation's deadline (`HostState::deadline`, the hard stop) with `Trap::Interrupt`
//! (reported as `InvokeError::Timeout`, as a guest stopped by epoch interruption is), or at once when the
//! invocation is cancelled (`state::Cancel`). Epoch interruption cannot reach a guest inside a host call,
//! so without this a guest asleep for a minute held its thread for a minute whatever the deadline.

use std::future::Future;
use std::time::Instant;

use wasmtime::component::{Linker, Resource};
use wasmtime::{StoreContextMut, Trap};
use wasmtime_wasi::p2::DynPollable;
use wasmtime_wasi::p2::bindings::io::poll::{Host as _, HostPollable as _};

use crate::state::{Cancel, Cancelled, HostState};

/// The WASI version wasmtime-wasi 48 defines its interfaces at; imports of any other 0.2.x version
/// resolve to these (the component linker matches semver-compatible names).
const WASI_VERSION: &str = "0.2.12";

/// A WASI function the host links but does not support was called.
#[derive(Debug, thiserror::Error)]
#[error(
    "the function called {interface}#{function}, which Momento Functions does not support: {hint}"
)]
pub(crate) struct UnsupportedWasi {
    /// The interface, e.g. `wasi:filesystem`.
    pub(crate) interface: &'static str,
    /// The function called.
    pub(crate) function: &'static str,
    /// What to do instead.
    pub(crate) hint: &'static str,
}

/// (instance, function, interface as reported, hint)
const UNSUPPORTED: &[(&str, &str, &str, &str)] = &[
    (
        "wasi:filesystem/preopens",
        "get-directories",
        "wasi:filesystem",
        "functions have no filesystem (std::fs); embed read-only data with include_bytes!, keep state in the cache",
    ),
    (
        "wasi:cli/stdin",
        "get-stdin",
        "wasi:cli/stdin",
        "functions have no stdin; the input is the request (its body, path, query and headers)",
    ),
    (
        "wasi:cli/exit",
        "exit",
        "wasi:cli/exit",
        "std::process::exit is not available; return a response (or an error) from the handler",
    ),
    (
        "wasi:cli/exit",
        "exit-with-code",
        "wasi:cli/exit",
        "std::process::exit is not available; return a response (or an error) from the handler",
    ),
];

/// Replace `wasi:io/poll#poll` and `[method]pollable.block` with versions bounded by the invocation's
/// deadline and cancel handle (see the module docs).
pub(crate) fn bound_blocking(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut poll = linker.instance(&format!("wasi:io/poll@{WASI_VERSION}"))?;
    poll.func_wrap(
        "poll",
        |mut store: StoreContextMut<'_, HostState>, (pollables,): (Vec<Resource<DynPollable>>,)| {
            let (deadline, cancel) = bounds(store.data());
            let table = &mut store.data_mut().inv.table;
            let ready = bounded(deadline, cancel, table.poll(pollables))?;
            Ok((ready,))
        },
    )?;
    poll.func_wrap(
        "[method]pollable.block",
        |mut store: StoreContextMut<'_, HostState>, (pollable,): (Resource<DynPollable>,)| {
            let (deadline, cancel) = bounds(store.data());
            let table = &mut store.data_mut().inv.table;
            bounded(deadline, cancel, table.block(pollable))
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

fn bounds(state: &HostState) -> (Option<Instant>, Option<Cancel>) {
    (state.inv.deadline(), state.inv.cancel.clone())
}

/// Wait for `wait` (a WASI poll), but no longer than `deadline`, and not once `cancel` fires.
fn bounded<T>(
    deadline: Option<Instant>,
    cancel: Option<Cancel>,
    wait: impl Future<Output = wasmtime::Result<T>>,
) -> wasmtime::Result<T> {
    if cancel.as_ref().is_some_and(Cancel::is_cancelled) {
        return Err(wasmtime::Error::new(Cancelled));
    }
    wasmtime_wasi::runtime::in_tokio(async move {
        let expired = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        let cancelled = async {
            match &cancel {
                Some(cancel) => cancel.cancelled().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            result = wait => result,
            () = expired => Err(wasmtime::Error::new(Trap::Interrupt)),
            () = cancelled => Err(wasmtime::Error::new(Cancelled)),
        }
    })
}

/// Replace the entry points of the unsupported WASI interfaces (already linked by wasmtime-wasi) with
/// functions that fail the invocation naming the interface.
pub(crate) fn shadow_unsupported(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    for &(instance, function, interface, hint) in UNSUPPORTED {
        let mut instance = linker.instance(&format!("{instance}@{WASI_VERSION}"))?;
        instance.func_new(function, move |_store, _ty, _params, _results| {
            Err(wasmtime::Error::new(UnsupportedWasi {
                interface,
                function,
                hint,
            }))
        })?;
    }
    linker.allow_shadowing(false);
    Ok(())
}
