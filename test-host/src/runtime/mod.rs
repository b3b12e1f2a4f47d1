//! The wasmtime runtime: engine set-up, loading (validate, compile-or-cache, pre-link) and invocation.
//!
//! Load once, invoke many: everything slow happens in [`Function::load`]; an invocation is only
//! `Store::new` + instantiate from the `InstancePre` + call + drop.

pub(crate) mod bare;
mod check;
mod compile_cache;
mod engine;
mod invoke;
mod load;
pub(crate) mod policy;
mod wasi;

pub use check::{CheckReport, check_component};
pub(crate) use compile_cache::default_dir as default_compile_cache_dir;
pub(crate) use engine::Runtime;
pub(crate) use invoke::{Answer, Invocation, Outcome};
pub(crate) use load::Function;
pub use load::ImportInfo;
