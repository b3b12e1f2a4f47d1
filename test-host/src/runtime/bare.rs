//! The bare-wasmtime floor benchmarks compare against: the same component and pooling configuration, but a
//! minimal store (lazy WASI only) — no limiter, no deadline, no host-call budget, no logs, no call records,
//! no error classification. It links only what a current-generation web function needs to run at all
//! (`momento:bytes` buffers and `web-function-support`), a `cache-scalar` that is a `HashMap` behind one
//! mutex (get, set, delete) and a `log` that drops lines, so that the greeter (logs) and the bench guest
//! (cache gets) run too.
//!
//! This is the recipe of `shared/research/performance-floor.md` §6; it is not a host a user should run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ::bytes::Bytes;
use wasmtime::component::{Component, HasSelf, Linker, Resource, ResourceTable};
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::bindings::momento::bytes::bytes;
use crate::bindings::momento::cache_scalar::cache_scalar as cache;
use crate::bindings::momento::log::logging;
use crate::bindings::momento::web_function::web_function_support as support;
use crate::bindings::web_current::WebFunctionPre;
use crate::services::bytes::Buffer;

type BareCache = Arc<Mutex<HashMap<Vec<u8>, Vec<u8>>>>;

/// Store data of the bare runner.
pub struct BareState {
    table: ResourceTable,
    wasi: Option<WasiCtx>,
    env: Arc<Vec<(String, String)>>,
    cache: BareCache,
    method: String,
    path: Option<String>,
    query: Option<Vec<(String, String)>>,
    headers: Option<Vec<(String, String)>>,
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

impl BareState {
    fn bytes(&mut self, data: bytes::Data) -> wasmtime::Result<Vec<u8>> {
        Ok(match data {
            bytes::Data::Value(value) => value,
            bytes::Data::Buffer(buffer) => self.table.delete(buffer)?.rest().to_vec(),
        })
    }
}

impl bytes::Host for BareState {}

impl bytes::HostBuffer for BareState {
    fn remaining(&mut self, buffer: Resource<Buffer>) -> wasmtime::Result<u32> {
        Ok(u32::try_from(self.table.get(&buffer)?.remaining()).unwrap_or(u32::MAX))
    }

    fn read(
        &mut self,
        buffer: Resource<Buffer>,
        max_size: u32,
    ) -> wasmtime::Result<Option<Vec<u8>>> {
        Ok(self
            .table
            .get_mut(&buffer)?
            .read(max_size as usize)
            .map(|b| b.to_vec()))
    }

    fn advance(&mut self, buffer: Resource<Buffer>, size: u32) -> wasmtime::Result<()> {
        self.table.get_mut(&buffer)?.read(size as usize);
        Ok(())
    }

    fn try_read(
        &mut self,
        buffer: Resource<Buffer>,
        max_size: u32,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, bytes::StreamError>> {
        Ok(Ok(self
            .table
            .get_mut(&buffer)?
            .read(max_size as usize)
            .map(|b| b.to_vec())))
    }

    fn drop(&mut self, buffer: Resource<Buffer>) -> wasmtime::Result<()> {
        self.table.delete(buffer)?;
        Ok(())
    }
}

impl support::Host for BareState {
    fn headers(&mut self) -> wasmtime::Result<Vec<support::Header>> {
        Ok(self
            .headers
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|(name, value)| support::Header { name, value })
            .collect())
    }

    fn query_parameters(&mut self) -> wasmtime::Result<Vec<support::QueryParameter>> {
        Ok(self
            .query
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|(name, value)| support::QueryParameter { name, value })
            .collect())
    }

    fn token_metadata(&mut self) -> wasmtime::Result<Option<String>> {
        Ok(None)
    }

    fn invocation_id(&mut self) -> wasmtime::Result<String> {
        Ok(String::new())
    }

    fn http_method(&mut self) -> wasmtime::Result<String> {
        Ok(self.method.clone())
    }

    fn invocation_path(&mut self) -> wasmtime::Result<Option<String>> {
        Ok(self.path.take())
    }
}

impl cache::Host for BareState {
    fn get(
        &mut self,
        key: cache::Data,
    ) -> wasmtime::Result<Result<Option<cache::Data>, cache::Error>> {
        let key = self.bytes(key)?;
        let items = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Ok(Ok(items.get(&key).cloned().map(cache::Data::Value)))
    }

    fn get_with_hash(
        &mut self,
        _key: cache::Data,
    ) -> wasmtime::Result<Result<cache::GetWithHashResult, cache::Error>> {
        Err(wasmtime::Error::msg("the bare runner has no get-with-hash"))
    }

    fn set(
        &mut self,
        key: cache::Data,
        value: cache::Data,
        _ttl_milliseconds: u64,
    ) -> wasmtime::Result<Result<(), cache::Error>> {
        let (key, value) = (self.bytes(key)?, self.bytes(value)?);
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(key, value);
        Ok(Ok(()))
    }

    fn set_if(
        &mut self,
        _key: cache::Data,
        _value: cache::Data,
        _ttl_milliseconds: u64,
        _condition: cache::SetIfCondition,
    ) -> wasmtime::Result<Result<cache::SetIfResult, cache::Error>> {
        Err(wasmtime::Error::msg("the bare runner has no set-if"))
    }

    fn set_if_hash(
        &mut self,
        _key: cache::Data,
        _value: cache::Data,
        _ttl_milliseconds: u64,
        _condition: cache::SetIfHashCondition,
    ) -> wasmtime::Result<Result<cache::SetIfHashResult, cache::Error>> {
        Err(wasmtime::Error::msg("the bare runner has no set-if-hash"))
    }

    fn delete(&mut self, key: cache::Data) -> wasmtime::Result<Result<(), cache::Error>> {
        let key = self.bytes(key)?;
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&key);
        Ok(Ok(()))
    }
}

impl logging::Host for BareState {
    fn configure_logging(
        &mut self,
        _inputs: Vec<logging::ConfigureLoggingInput>,
    ) -> wasmtime::Result<Result<(), logging::LogConfigurationError>> {
        Ok(Ok(()))
    }

    fn log(&mut self, _input: String, _level: logging::LogLevel) -> wasmtime::Result<()> {
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
    /// Compile and pre-link `bytes` (a current-generation web function): WASI, buffers, the support calls,
    /// a minimal cache and log; any other import (AWS, HTTP) traps when called.
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
        bytes::add_to_linker::<BareState, HasSelf<BareState>>(&mut linker, |s| s).map_err(link)?;
        support::add_to_linker::<BareState, HasSelf<BareState>>(&mut linker, |s| s)
            .map_err(link)?;
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
        let mut store = Store::new(
            &self.engine,
            BareState {
                table: ResourceTable::new(),
                wasi: None,
                env: Arc::clone(&self.env),
                cache: Arc::clone(&self.cache),
                method: method.to_owned(),
                path: Some(path.trim_start_matches('/').to_owned()).filter(|p| !p.is_empty()),
                query: Some(
                    form_urlencoded::parse(query.as_bytes())
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect(),
                ),
                headers: Some(
                    headers
                        .iter()
                        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                        .collect(),
                ),
            },
        );
        let result = (|| {
            let instance = self.pre.instantiate(&mut store)?;
            let buffer = store
                .data_mut()
                .table
                .push(Buffer::new(Bytes::from(body)))?;
            let response = instance
                .momento_web_function_guest_function_web()
                .call_invoke(&mut store, &bytes::Data::Buffer(buffer))?;
            let body = store.data_mut().bytes(response.body)?;
            Ok::<_, wasmtime::Error>((response.status, body.len()))
        })();
        result.map_err(|e| format!("{e:?}"))
    }
}
