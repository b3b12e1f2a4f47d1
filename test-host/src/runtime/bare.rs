//! The bare-wasmtime floor benchmarks compare against: the same component and pooling configuration, but a
//! minimal store (lazy WASI only) — no limiter, no deadline, no services, no logs, no error classification.
//!
//! This is the recipe of `shared/research/performance-floor.md` §6; it is not a host a user should run.

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::bindings::{WebFunctionPre, web};

/// Store data of the bare runner.
pub struct BareState {
    table: ResourceTable,
    wasi: Option<WasiCtx>,
}

impl std::fmt::Debug for BareState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BareState").finish_non_exhaustive()
    }
}

impl WasiView for BareState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: self.wasi.get_or_insert_with(|| WasiCtx::builder().build()),
            table: &mut self.table,
        }
    }
}

/// A fresh-instance-per-call runner with nothing but wasmtime in the way.
pub struct BareRunner {
    engine: Engine,
    pre: WebFunctionPre<BareState>,
}

impl std::fmt::Debug for BareRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BareRunner").finish_non_exhaustive()
    }
}

impl BareRunner {
    /// Compile and pre-link `bytes` (any import outside WASI traps when called).
    ///
    /// # Errors
    /// The compile or link error, as text.
    pub fn new(bytes: &[u8]) -> Result<BareRunner, String> {
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(100)
            .total_core_instances(1000)
            .total_memories(100)
            .total_tables(200)
            .max_memory_size(64 << 20)
            .linear_memory_keep_resident(4 << 20)
            .table_keep_resident(64 << 10);
        if PoolingAllocationConfig::is_pagemap_scan_available() {
            pool.pagemap_scan(Enabled::Yes);
        }
        let mut config = Config::new();
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).map_err(|e| format!("{e:#}"))?;
        let component = Component::from_binary(&engine, bytes).map_err(|e| format!("{e:#}"))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(|e| format!("{e:#}"))?;
        linker
            .define_unknown_imports_as_traps(&component)
            .map_err(|e| format!("{e:#}"))?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(|e| format!("{e:#}"))?;
        let pre = WebFunctionPre::new(pre).map_err(|e| format!("{e:#}"))?;
        Ok(BareRunner { engine, pre })
    }

    /// One fresh instance + `handle` call with `body` as a POST to `/`; returns (status, body length).
    ///
    /// # Errors
    /// The trap, as text.
    pub fn invoke(&self, body: &[u8]) -> Result<(u16, usize), String> {
        let request = web::Request {
            method: "POST".into(),
            path: "/".into(),
            query: String::new(),
            headers: Vec::new(),
            body: body.to_vec(),
            context: web::InvocationContext {
                invocation_id: String::new(),
                function_name: String::new(),
                token_metadata: None,
            },
        };
        let mut store = Store::new(
            &self.engine,
            BareState {
                table: ResourceTable::new(),
                wasi: None,
            },
        );
        let response = self
            .pre
            .instantiate(&mut store)
            .and_then(|instance| {
                instance
                    .momento_functions_web()
                    .call_handle(&mut store, &request)
            })
            .map_err(|e| format!("{e:?}"))?;
        Ok((response.status, response.body.len()))
    }
}
