//! WASI as production provides it. See `test-host/WASI.md` for the table.
//!
//! Rust's std imports `wasi:filesystem`, `wasi:cli/stdin` and `wasi:cli/exit` in every component, so they
//! must link; production links them but does not support them. Here the one entry point of each —
//! `get-directories` (every path operation of wasi-libc starts there), `get-stdin` and `exit` — is
//! replaced by a host function that fails the invocation with `InvokeError::UnsupportedWasi`, naming the
//! interface. Without a preopened directory or a stdin stream no other function of those interfaces can
//! be reached.

use wasmtime::component::Linker;

use crate::state::HostState;

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
