//! Loading a component as an upload would be: check the bytes, compile (or reuse the compile cache),
//! check every import against the policy, check the export, and pre-link once.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::Component;

use super::compile_cache;
use super::engine::Runtime;
use super::policy::{self, Handler, Support};
use crate::bindings::{spawn_current, spawn_older, web_current, web_older};
use crate::error::LoadError;
use crate::limits::Limits;
use crate::services::Status;
use crate::state::{HostState, RequestParts, Services};

/// What a component imports and exports, by policy class.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportInfo {
    /// The Momento interfaces it imports (every one provided by Momento's platform), e.g.
    /// `momento:http/http@1.1.0`.
    pub host_interfaces: Vec<String>,
    /// Of those, the ones this test host links without implementing them yet: (interface, capability).
    /// Calls to them answer an error value naming the capability.
    pub not_implemented: Vec<(String, String)>,
    /// Supported WASI interfaces it imports.
    pub wasi: Vec<String>,
    /// WASI interfaces it imports that are linked but fail when used (filesystem, stdin, exit).
    pub wasi_unsupported: Vec<String>,
    /// Its exports.
    pub exports: Vec<String>,
    /// The handler it exports, if any.
    pub handler: Option<Handler>,
}

/// The pre-linked component, typed by the handler it exports.
pub(crate) enum GuestPre {
    Web(web_current::WebFunctionPre<HostState>),
    OlderWeb(web_older::WebFunctionPre<HostState>),
    Spawn(spawn_current::SpawnFunctionPre<HostState>),
    OlderSpawn(spawn_older::SpawnFunctionPre<HostState>),
}

impl GuestPre {
    /// Instantiate without calling anything.
    pub(crate) fn instantiate_only(
        &self,
        store: &mut wasmtime::Store<HostState>,
    ) -> wasmtime::Result<()> {
        match self {
            GuestPre::Web(pre) => pre.instantiate(store).map(drop),
            GuestPre::OlderWeb(pre) => pre.instantiate(store).map(drop),
            GuestPre::Spawn(pre) => pre.instantiate(store).map(drop),
            GuestPre::OlderSpawn(pre) => pre.instantiate(store).map(drop),
        }
    }
}

/// A loaded, validated, pre-linked function: ready to be invoked many times.
pub(crate) struct Function {
    pub(crate) runtime: Runtime,
    pub(crate) pre: GuestPre,
    pub(crate) info: ImportInfo,
    /// SHA-256 of the component.
    pub(crate) content_hash: String,
    /// Whether the compiled code came from the on-disk cache.
    pub(crate) from_cache: bool,
    /// Time spent loading.
    pub(crate) load_time: Duration,
}

/// What the first bytes say about a would-be component.
pub(crate) fn check_header(bytes: &[u8]) -> Result<(), LoadError> {
    const MAGIC: &[u8] = b"\0asm";
    const CORE_VERSION: &[u8] = &[0x01, 0x00, 0x00, 0x00];
    const COMPONENT_VERSION: &[u8] = &[0x0d, 0x00, 0x01, 0x00];
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        let trimmed = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]);
        let trimmed = trimmed.trim_start();
        let reason = if bytes.is_empty() {
            "the file is empty".to_owned()
        } else if trimmed.starts_with('(') {
            "this looks like WAT text; only binary components are accepted".to_owned()
        } else if bytes.len() < 8 && MAGIC.starts_with(&bytes[..bytes.len().min(4)]) {
            format!("truncated: only {} bytes", bytes.len())
        } else {
            "missing the `\\0asm` magic number".to_owned()
        };
        return Err(LoadError::NotWasm { reason });
    }
    match &bytes[4..8] {
        v if v == COMPONENT_VERSION => Ok(()),
        v if v == CORE_VERSION => Err(LoadError::NotComponent),
        v => Err(LoadError::Invalid {
            message: format!("unknown WebAssembly version/layer bytes {v:02x?}"),
        }),
    }
}

/// What the streaming pre-scan read from a component: its top-level import and export names.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub(crate) imports: Vec<String>,
    pub(crate) exports: Vec<String>,
}

impl Scan {
    /// Each import the policy rejects, with the reason.
    pub(crate) fn rejected_imports(&self) -> Vec<String> {
        self.imports
            .iter()
            .filter_map(|name| policy::classify(name).err())
            .collect()
    }

    pub(crate) fn has_handler(&self) -> bool {
        self.exports
            .iter()
            .any(|name| policy::is_handler_export(name))
    }
}

/// One linear pass over the bytes with `wasmparser`, before anything expensive (validation and compiling
/// cost time and memory that grow faster than the input for deep nesting and large functions): nesting
/// depth, total code size and the size of each function body against `limits`, and the top-level import
/// and export names. Memory: a parser state per nesting level, at most `nesting_depth` of them.
pub(crate) fn prescan(bytes: &[u8], limits: &Limits) -> Result<Scan, LoadError> {
    use wasmparser::{Parser, Payload};
    let invalid = |e: wasmparser::BinaryReaderError| LoadError::Invalid {
        message: e.to_string(),
    };
    let mut scan = Scan::default();
    let mut depth = 0usize;
    let mut code = 0usize;
    let mut index = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(invalid)? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => {
                depth += 1;
                if depth > limits.nesting_depth {
                    return Err(LoadError::NestingTooDeep {
                        limit: limits.nesting_depth,
                    });
                }
            }
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::CodeSectionStart { size, .. } => {
                index = 0;
                code = code.saturating_add(size as usize);
                if code > limits.code_bytes {
                    return Err(LoadError::CodeTooLarge {
                        size: code,
                        limit: limits.code_bytes,
                    });
                }
            }
            Payload::CodeSectionEntry(body) => {
                let size = body.range().len();
                if size > limits.function_bytes {
                    return Err(LoadError::FunctionTooLarge {
                        index,
                        size,
                        limit: limits.function_bytes,
                    });
                }
                index += 1;
            }
            Payload::ComponentImportSection(reader) if depth == 0 => {
                for import in reader {
                    scan.imports
                        .push(import.map_err(invalid)?.name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 0 => {
                for export in reader {
                    scan.exports
                        .push(export.map_err(invalid)?.name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    Ok(scan)
}

pub(crate) fn compile(
    runtime: &Runtime,
    bytes: &[u8],
    hash: &str,
    cache_dir: Option<&Path>,
) -> Result<(Component, bool), LoadError> {
    let artifact = cache_dir.map(|dir| compile_cache::artifact_path(dir, &runtime.engine, hash));
    if let Some(component) = artifact
        .as_deref()
        .and_then(|path| compile_cache::load(&runtime.engine, path))
    {
        return Ok((component, true));
    }
    let component =
        Component::from_binary(&runtime.engine, bytes).map_err(|e| LoadError::Invalid {
            message: format!("{e:#}"),
        })?;
    if let Some(path) = &artifact {
        compile_cache::store(&component, path);
    }
    Ok((component, false))
}

/// What a component imports and exports, judged by the policy.
pub(crate) struct Inspection {
    pub(crate) info: ImportInfo,
    /// Each import the host does not provide, with the reason.
    pub(crate) rejected: Vec<String>,
}

pub(crate) fn inspect(runtime: &Runtime, component: &Component) -> Inspection {
    let engine = &runtime.engine;
    let ty = component.component_type();
    let mut info = ImportInfo::default();
    let mut rejected = Vec::new();
    for (name, _) in ty.imports(engine) {
        match policy::classify(name) {
            Ok(Support::Host(status)) => {
                info.host_interfaces.push(name.to_owned());
                if let Status::NotImplemented { capability } = status {
                    info.not_implemented
                        .push((name.to_owned(), capability.to_owned()));
                }
            }
            Ok(Support::Wasi) => info.wasi.push(name.to_owned()),
            Ok(Support::WasiUnsupported) => info.wasi_unsupported.push(name.to_owned()),
            Err(reason) => rejected.push(reason),
        }
    }
    info.exports = ty
        .exports(engine)
        .map(|(name, _)| name.to_owned())
        .collect();
    info.handler = policy::handler(info.exports.iter().map(String::as_str));
    Inspection { info, rejected }
}

/// Pre-link a component whose imports passed the policy: type-checks every import against the host and
/// the handler export against its interface.
pub(crate) fn link(
    runtime: &Runtime,
    component: &Component,
    handler: Handler,
) -> Result<GuestPre, LoadError> {
    let link_error = |e: wasmtime::Error| LoadError::Link {
        message: format!("{e:#}"),
    };
    let pre = runtime
        .linker
        .instantiate_pre(component)
        .map_err(link_error)?;
    match handler {
        Handler::Web => web_current::WebFunctionPre::new(pre).map(GuestPre::Web),
        Handler::OlderWeb => web_older::WebFunctionPre::new(pre).map(GuestPre::OlderWeb),
        Handler::Spawn => spawn_current::SpawnFunctionPre::new(pre).map(GuestPre::Spawn),
        Handler::OlderSpawn => spawn_older::SpawnFunctionPre::new(pre).map(GuestPre::OlderSpawn),
    }
    .map_err(link_error)
}

/// How long the trial instantiation at load may take, whatever the invocation deadline.
const TRIAL_DEADLINE: Duration = Duration::from_secs(30);

/// Create one instance, as every invocation will, without calling it: catches a component that can never
/// run within the limits (e.g. an initial memory larger than the memory limit) at load.
pub(crate) fn trial_instantiation(runtime: &Runtime, pre: &GuestPre) -> Result<(), LoadError> {
    let mut state = HostState::new(
        Arc::new(Services::default()),
        "load-check".to_owned(),
        RequestParts::default(),
        &runtime.limits,
    );
    // The trial is not an invocation: a loaded machine must not turn a short deadline into a load error.
    state.inv.soft_deadline = state.inv.soft_deadline.max(TRIAL_DEADLINE);
    state.inv.hard_deadline = state.inv.hard_deadline.max(TRIAL_DEADLINE);
    let mut store = super::invoke::new_store(runtime, state);
    store.set_epoch_deadline(super::invoke::ticks_for(TRIAL_DEADLINE));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pre.instantiate_only(&mut store)
    }));
    let limiter = &store.data().limiter;
    match result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) if limiter.exceeded => Err(LoadError::Instantiation {
            message: format!(
                "its initial memory is larger than the {}-byte memory limit",
                runtime.limits.memory_bytes
            ),
        }),
        Ok(Err(e)) => Err(LoadError::Instantiation {
            message: format!("{e:#}"),
        }),
        Err(_) => Err(LoadError::Instantiation {
            message: "a host function panicked while instantiating".to_owned(),
        }),
    }
}

impl Function {
    /// Load `bytes` as a function. `cache_dir`: where compiled artifacts are cached (none: always compile).
    pub(crate) fn load(
        runtime: Runtime,
        bytes: &[u8],
        cache_dir: Option<&Path>,
    ) -> Result<Function, LoadError> {
        let started = Instant::now();
        if bytes.len() > runtime.limits.component_bytes {
            return Err(LoadError::TooLarge {
                size: bytes.len(),
                limit: runtime.limits.component_bytes,
            });
        }
        check_header(bytes)?;
        // Reject what cannot be a function before the expensive steps (validation, compiling).
        let scan = prescan(bytes, &runtime.limits)?;
        let rejected = scan.rejected_imports();
        if !rejected.is_empty() {
            return Err(LoadError::UnsupportedImports { imports: rejected });
        }
        if !scan.has_handler() {
            return Err(LoadError::MissingHandler {
                found: scan.exports,
            });
        }
        let content_hash = compile_cache::content_hash(bytes);
        let (component, from_cache) = compile(&runtime, bytes, &content_hash, cache_dir)?;
        let inspection = inspect(&runtime, &component);
        if !inspection.rejected.is_empty() {
            return Err(LoadError::UnsupportedImports {
                imports: inspection.rejected,
            });
        }
        let Some(handler) = inspection.info.handler else {
            return Err(LoadError::MissingHandler {
                found: inspection.info.exports,
            });
        };
        let pre = link(&runtime, &component, handler)?;
        trial_instantiation(&runtime, &pre)?;
        Ok(Function {
            runtime,
            pre,
            info: inspection.info,
            content_hash,
            from_cache,
            load_time: started.elapsed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_checks_name_the_problem() {
        let not_wasm = |bytes: &[u8]| match check_header(bytes) {
            Err(LoadError::NotWasm { reason }) => reason,
            other => panic!("expected NotWasm, got {other:?}"),
        };
        assert!(not_wasm(b"").contains("empty"));
        assert!(not_wasm(b"(component)").contains("WAT"));
        assert!(not_wasm(b"\0as").contains("truncated"));
        assert!(not_wasm(b"hello world").contains("magic"));
        assert!(matches!(
            check_header(b"\0asm\x01\0\0\0"),
            Err(LoadError::NotComponent)
        ));
        assert!(matches!(check_header(b"\0asm\x0d\0\x01\0"), Ok(())));
        assert!(matches!(
            check_header(b"\0asm\x02\0\0\0"),
            Err(LoadError::Invalid { .. })
        ));
    }
}
