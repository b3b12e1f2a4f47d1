//! Checking a component as an upload would be, collecting every finding instead of stopping at the
//! first: what `check` prints. `TestHost` loading runs the same steps and stops at the first problem.

use super::engine::Runtime;
use super::load::{ImportInfo, check_header, compile, inspect, link, prescan, trial_instantiation};
use crate::error::LoadError;
use crate::limits::Limits;

/// What checking a component found. [`CheckReport::is_ok`] says whether an upload would be accepted.
///
/// ```no_run
/// use momento_functions_test_host::{Limits, check_component};
///
/// let bytes = std::fs::read("function.wasm")?;
/// let report = check_component(&bytes, &Limits::default());
/// for problem in &report.problems {
///     eprintln!("rejected: {problem}");
/// }
/// println!("host interfaces used: {:?}", report.imports.host_interfaces);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct CheckReport {
    /// Size of the component in bytes.
    pub size: usize,
    /// Whether the bytes are a WebAssembly component at all (false for garbage, WAT text, core modules).
    pub is_component: bool,
    /// The imports the host provides, by policy class, and the exports (empty if it did not compile).
    pub imports: ImportInfo,
    /// Each import the host does not provide, with the reason.
    pub rejected_imports: Vec<String>,
    /// The exported handler, e.g. [`Handler::Web`](crate::Handler::Web).
    pub handler: Option<crate::Handler>,
    /// Every reason the upload would be rejected; empty when it would be accepted.
    pub problems: Vec<LoadError>,
}

impl CheckReport {
    /// Would an upload be accepted?
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Check `bytes` as an upload would be checked under `limits`: size, header (component, not a core
/// module or WAT text), a streaming scan (nesting depth, code size, every import against the host's
/// policy, the exported handler) and only then validation and compilation, linking, and one trial
/// instantiation. A component the scan rejects is not compiled. Never uses the compile cache.
pub fn check_component(bytes: &[u8], limits: &Limits) -> CheckReport {
    let mut report = CheckReport {
        size: bytes.len(),
        is_component: false,
        imports: ImportInfo::default(),
        rejected_imports: Vec::new(),
        handler: None,
        problems: Vec::new(),
    };
    if bytes.len() > limits.component_bytes {
        report.problems.push(LoadError::TooLarge {
            size: bytes.len(),
            limit: limits.component_bytes,
        });
    }
    if let Err(problem) = check_header(bytes) {
        report.problems.push(problem);
        return report;
    }
    let scan = match prescan(bytes, limits) {
        Ok(scan) => scan,
        Err(problem) => {
            report.problems.push(problem);
            return report;
        }
    };
    report.is_component = true;
    let rejected = scan.rejected_imports();
    if !rejected.is_empty() || !scan.has_handler() {
        // It cannot be a function: report what the names say, without compiling.
        for name in &scan.imports {
            match super::policy::classify(name) {
                Ok(super::policy::Support::Host(status)) => {
                    report.imports.host_interfaces.push(name.clone());
                    if let crate::services::Status::NotImplemented { capability } = status {
                        report
                            .imports
                            .not_implemented
                            .push((name.clone(), capability.to_owned()));
                    }
                }
                Ok(super::policy::Support::Wasi) => report.imports.wasi.push(name.clone()),
                Ok(super::policy::Support::WasiUnsupported) => {
                    report.imports.wasi_unsupported.push(name.clone());
                }
                Err(_) => {}
            }
        }
        report.imports.exports.clone_from(&scan.exports);
        report.handler = super::policy::handler(scan.exports.iter().map(String::as_str));
        report.imports.handler = report.handler;
        if !rejected.is_empty() {
            report.problems.push(LoadError::UnsupportedImports {
                imports: rejected.clone(),
            });
        }
        report.rejected_imports = rejected;
        if report.handler.is_none() {
            report.problems.push(LoadError::MissingHandler {
                found: scan.exports,
            });
        }
        return report;
    }
    let runtime = match Runtime::new(limits.clone()) {
        Ok(runtime) => runtime,
        Err(problem) => {
            report.problems.push(problem);
            return report;
        }
    };
    let component = match compile(&runtime, bytes, "", None) {
        Ok((component, _)) => component,
        Err(problem) => {
            report.is_component = false;
            report.problems.push(problem);
            return report;
        }
    };
    report.is_component = true;
    let inspection = inspect(&runtime, &component);
    report.handler = inspection.info.handler;
    report.imports = inspection.info;
    report.rejected_imports = inspection.rejected;
    if !report.rejected_imports.is_empty() {
        report.problems.push(LoadError::UnsupportedImports {
            imports: report.rejected_imports.clone(),
        });
    }
    if report.handler.is_none() {
        report.problems.push(LoadError::MissingHandler {
            found: report.imports.exports.clone(),
        });
    }
    if let Some(handler) = report
        .handler
        .filter(|_| report.rejected_imports.is_empty())
    {
        match link(&runtime, &component, handler) {
            Ok(pre) => {
                if let Err(problem) = trial_instantiation(&runtime, &pre) {
                    report.problems.push(problem);
                }
            }
            Err(problem) => report.problems.push(problem),
        }
    }
    report
}
