//! The bare-wasmtime floor benchmarks compare against: the same component and pooling configuration, but a
//! minimal store (lazy WASI only) — no limiter, no deadline, no host-call budget, no logs, no call records,
//! no error classification. Its `cache` is a `HashMap` behind one mutex and its `logging` drops records, so
//! that components using those interfaces (the greeter logs; the bench guest reads the cache) run too.
//!
//! This is the recipe of `shared/research/performance-floor.md` §6; it is not a host a user should run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::bindings::host::{cache, logging};
use crate::bindings::{WebFunctionPre, web};

type BareCache = Arc<Mutex<HashMap<Vec<u8>, Vec<u8>>>>;

/// Store data of the bare runner.
pub struct BareState {
    table: ResourceTable,
    wasi: Option<WasiCtx>,
    env: Arc<Vec<(String, String)>>,
    cache: BareCache,
}

impl std::fmt::Debug for BareState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BareState").finish_non_exhaustive()
    }
}

impl WasiView for BareState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let env = &self.env;
        WasiCtxView {
            ctx: self
                .wasi
                .get_or_insert_with(|| WasiCtx::builder().envs(env).build()),
            table: &mut self.table,
        }
    }
}

impl cache::Host for BareState {
    fn get(&mut self, key: Vec<u8>) -> wasmtime::Result<Result<Option<Vec<u8>>, cache::Error>> {
        let items = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Ok(Ok(items.get(&key).cloned()))
    }

    fn set(
        &mut self,
        key: Vec<u8>,
        value: Vec<u8>,
        _ttl_ms: u64,
    ) -> wasmtime::Result<Result<(), cache::Error>> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(key, value);
        Ok(Ok(()))
    }

    fn set_if(
        &mut self,
        _key: Vec<u8>,
        _value: Vec<u8>,
        _ttl_ms: u64,
        _condition: cache::SetCondition,
    ) -> wasmtime::Result<Result<bool, cache::Error>> {
        Err(wasmtime::Error::msg("the bare runner has no set-if"))
    }

    fn delete(&mut self, key: Vec<u8>) -> wasmtime::Result<Result<(), cache::Error>> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&key);
        Ok(Ok(()))
    }

    fn increment(
        &mut self,
        _key: Vec<u8>,
        _amount: i64,
        _ttl_ms: u64,
    ) -> wasmtime::Result<Result<i64, cache::Error>> {
        Err(wasmtime::Error::msg("the bare runner has no increment"))
    }
}

impl logging::Host for BareState {
    fn enabled(&mut self, _level: logging::Level, _target: String) -> wasmtime::Result<bool> {
        Ok(true)
    }

    fn log(
        &mut self,
        _level: logging::Level,
        _target: String,
        _message: String,
    ) -> wasmtime::Result<()> {
        Ok(())
    }
}

/// A fresh-instance-per-call runner with nothing but wasmtime in the way.
pub struct BareRunner {
    engine: Engine,
    pre: WebFunctionPre<BareState>,
    env: Arc<Vec<(String, String)>>,
    cache: BareCache,
}

impl std::fmt::Debug for BareRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BareRunner").finish_non_exhaustive()
    }
}

impl BareRunner {
    /// Compile and pre-link `bytes`: WASI, a minimal `cache` and `logging`; any other import (AWS, HTTP)
    /// traps when called.
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
        let link = |e: wasmtime::Error| format!("{e:#}");
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(link)?;
        cache::add_to_linker::<BareState, HasSelf<BareState>>(&mut linker, |s| s).map_err(link)?;
        logging::add_to_linker::<BareState, HasSelf<BareState>>(&mut linker, |s| s)
            .map_err(link)?;
        // Only when something is missing (e.g. AWS): `define_unknown_imports_as_traps` matches names exactly,
        // so it would shadow WASI imports of another 0.2.x version that the linker resolves by semver.
        let pre = match linker.instantiate_pre(&component) {
            Ok(pre) => pre,
            Err(_) => {
                linker
                    .define_unknown_imports_as_traps(&component)
                    .map_err(link)?;
                linker.instantiate_pre(&component).map_err(link)?
            }
        };
        let pre = WebFunctionPre::new(pre).map_err(link)?;
        Ok(BareRunner {
            engine,
            pre,
            env: Arc::new(Vec::new()),
            cache: Arc::default(),
        })
    }

    /// Set an environment variable of the function.
    #[must_use]
    pub fn env(mut self, key: &str, value: &str) -> BareRunner {
        Arc::make_mut(&mut self.env).push((key.to_owned(), value.to_owned()));
        self
    }

    /// Seed the cache with `key` → `value`.
    #[must_use]
    pub fn cache_entry(self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> BareRunner {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(key.into(), value.into());
        self
    }

    /// One fresh instance + `handle` call with `body` as a POST to `/`; returns (status, body length).
    ///
    /// # Errors
    /// The trap, as text.
    pub fn invoke(&self, body: &[u8]) -> Result<(u16, usize), String> {
        self.invoke_request("POST", "/", &[], body.to_vec())
    }

    /// One fresh instance + `handle` call of `method path` with `headers` and `body` (moved in, as a host
    /// that owns the request would); returns (status, body length).
    ///
    /// # Errors
    /// The trap, as text.
    pub fn invoke_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Result<(u16, usize), String> {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let request = web::Request {
            method: method.into(),
            path: path.into(),
            query: query.into(),
            headers: headers
                .iter()
                .map(|(name, value)| web::Header {
                    name: (*name).to_owned(),
                    value: (*value).to_owned(),
                })
                .collect(),
            body,
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
                env: Arc::clone(&self.env),
                cache: Arc::clone(&self.cache),
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
