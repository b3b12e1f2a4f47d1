//! The engine: pooling allocator on the fast path, epoch interruption for deadlines.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use wasmtime::component::Linker;
use wasmtime::{
    Config, Enabled, Engine, EngineWeak, InstanceAllocationStrategy, PoolingAllocationConfig,
};

use crate::error::LoadError;
use crate::limits::Limits;
use crate::state::HostState;

/// One epoch tick: deadlines are enforced to about this granularity.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(1);

/// Linear memory kept resident between instances of a pool slot (avoids page faults on the next use).
const MEMORY_KEEP_RESIDENT: usize = 4 << 20;
/// Table bytes kept resident between instances of a pool slot.
const TABLE_KEEP_RESIDENT: usize = 64 << 10;

/// An engine configured for untrusted guests, and the limits it was built for.
#[derive(Clone)]
pub(crate) struct Runtime {
    pub(crate) engine: Engine,
    /// WASI and every host interface, linked once for all functions of this runtime.
    pub(crate) linker: Arc<Linker<HostState>>,
    pub(crate) limits: Limits,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// Build an engine for `limits`. Costs a few milliseconds: do it once per host.
    pub(crate) fn new(limits: Limits) -> Result<Runtime, LoadError> {
        let instances = limits.concurrent_instances.max(1);
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(instances)
            .total_core_instances(instances.saturating_mul(16))
            .total_memories(instances.saturating_mul(2))
            .total_tables(instances.saturating_mul(8))
            // No `max_memory_size`: slots keep wasmtime's 4 GiB default and the per-instance limit is
            // enforced by the store's limiter, which records the denial (a memory bomb is then reported as
            // `MemoryLimitExceeded`, and a too-large initial memory as a load-time instantiation error
            // rather than a compile error).
            .linear_memory_keep_resident(MEMORY_KEEP_RESIDENT.min(limits.hard_memory_bytes()))
            .table_keep_resident(TABLE_KEEP_RESIDENT);
        if PoolingAllocationConfig::is_pagemap_scan_available() {
            pool.pagemap_scan(Enabled::Yes);
        }
        let mut config = Config::new();
        config
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
            .epoch_interruption(true)
            .max_wasm_stack(limits.wasm_stack_bytes)
            // Must not be smaller than the wasm stack (only used if the store ever runs async).
            .async_stack_size(limits.wasm_stack_bytes.saturating_add(1 << 20).max(2 << 20));
        let engine = Engine::new(&config).map_err(|e| LoadError::Engine {
            message: format!("{e:#}"),
        })?;
        let link_error = |e: wasmtime::Error| LoadError::Engine {
            message: format!("cannot link the host interfaces: {e:#}"),
        };
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(link_error)?;
        super::wasi::shadow_unsupported(&mut linker).map_err(link_error)?;
        super::wasi::bound_blocking(&mut linker).map_err(link_error)?;
        crate::services::add_to_linker(&mut linker).map_err(link_error)?;
        register_for_ticks(&engine)?;
        Ok(Runtime {
            engine,
            linker: Arc::new(linker),
            limits,
        })
    }
}

/// Engines whose epoch the shared ticker thread advances.
static TICKED: Mutex<Vec<EngineWeak>> = Mutex::new(Vec::new());
static TICKER: OnceLock<Result<(), String>> = OnceLock::new();

/// Advance `engine`'s epoch every [`EPOCH_TICK`] from one process-wide thread, until the engine is dropped.
fn register_for_ticks(engine: &Engine) -> Result<(), LoadError> {
    TICKED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(engine.weak());
    let started = TICKER.get_or_init(|| {
        std::thread::Builder::new()
            .name("momento-epoch-ticker".into())
            .spawn(tick_forever)
            .map(drop)
            .map_err(|e| e.to_string())
    });
    started.clone().map_err(|message| LoadError::Engine {
        message: format!("cannot start the epoch ticker thread: {message}"),
    })
}

/// Advance every registered engine's epoch once per elapsed [`EPOCH_TICK`] of real time: a late wake-up
/// (a busy machine) catches up instead of drifting, so tick counts track the wall clock.
fn tick_forever() {
    let start = std::time::Instant::now();
    let tick = EPOCH_TICK.as_nanos();
    let mut issued: u128 = 0;
    loop {
        std::thread::sleep(EPOCH_TICK);
        let due = start.elapsed().as_nanos() / tick;
        let behind = due.saturating_sub(issued).min(1_000);
        issued = due;
        let mut engines = TICKED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        engines.retain(|weak| match weak.upgrade() {
            Some(engine) => {
                for _ in 0..behind {
                    engine.increment_epoch();
                }
                true
            }
            None => false,
        });
    }
}
