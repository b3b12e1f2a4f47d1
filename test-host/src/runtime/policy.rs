//! The import policy: which interfaces a component may import, as production decides at upload.
//!
//! | interface | status |
//! |---|---|
//! | `momento:functions/*` (this contract: `logging`, `cache`, `http`) | provided |
//! | `wasi:cli/environment`, `wasi:clocks/*`, `wasi:random/*`, `wasi:io/*` | provided |
//! | `wasi:cli/stdout`, `wasi:cli/stderr`, `wasi:cli/terminal-*` | provided; output is captured into the invocation's log |
//! | `wasi:cli/stdin`, `wasi:cli/exit`, `wasi:filesystem/*` | linked (Rust's std imports them) but unsupported when used |
//! | anything else (`wasi:sockets/*`, `wasi:http/*`, other packages, other versions) | rejected at load |

/// The contract's package and version, as it appears in import names.
pub(crate) const CONTRACT_PACKAGE: &str = "momento:functions";
pub(crate) const CONTRACT_VERSION: &str = "0.1.0";

/// Host interfaces of the contract the host implements (imports).
pub(crate) const HOST_INTERFACES: &[&str] = &[
    "logging",
    "cache",
    "http",
    "aws-auth",
    "aws-ddb",
    "aws-s3",
    "aws-secrets",
];

/// Every export name that makes a component a function: today's contract, and Momento's published
/// handler interfaces (the web handler's `invoke` and the older `post`, the spawn handlers). Swap this list
/// when the contract moves; [`is_handler_export`] is the only place it is read.
pub(crate) const HANDLER_EXPORTS: &[&str] = &[
    "momento:functions/web@0.1.0",
    "momento:web-function/guest-function-web@1.0.0",
    "momento:spawn-function/guest-function-spawn@1.0.0",
    "momento:functions/guest-function-web@1.0.0",
    "momento:functions/guest-function-spawn@1.0.0",
];

const WASI_SUPPORTED: &[&str] = &[
    "cli/environment",
    "cli/stdout",
    "cli/stderr",
    "cli/terminal-input",
    "cli/terminal-output",
    "cli/terminal-stdin",
    "cli/terminal-stdout",
    "cli/terminal-stderr",
    "clocks/wall-clock",
    "clocks/monotonic-clock",
    "random/random",
    "random/insecure",
    "random/insecure-seed",
    "io/error",
    "io/poll",
    "io/streams",
];

const WASI_UNSUPPORTED: &[&str] = &[
    "cli/stdin",
    "cli/exit",
    "filesystem/types",
    "filesystem/preopens",
];

/// How the host treats one import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Support {
    /// A host interface of the contract.
    Host,
    /// A WASI interface production supports.
    Wasi,
    /// A WASI interface linked so that Rust's std loads, but unsupported when used.
    WasiUnsupported,
}

/// Split `ns:pkg/iface@version` into (`ns:pkg`, `iface`, `version`).
fn split(name: &str) -> Option<(&str, &str, Option<&str>)> {
    let (path, version) = match name.split_once('@') {
        Some((path, version)) => (path, Some(version)),
        None => (name, None),
    };
    let (package, interface) = path.split_once('/')?;
    Some((package, interface, version))
}

/// Is `name` (a top-level export of a component) a handler a function may export? Checked on the raw
/// export names before compiling (`load::prescan`) and on the compiled component's type.
pub(crate) fn is_handler_export(name: &str) -> bool {
    HANDLER_EXPORTS.contains(&name)
}

/// Decide on one import, or say why it is rejected.
pub(crate) fn classify(name: &str) -> Result<Support, String> {
    let Some((package, interface, version)) = split(name) else {
        return Err(format!(
            "{name} (a bare function import; only interfaces are provided)"
        ));
    };
    match package {
        CONTRACT_PACKAGE => {
            if version != Some(CONTRACT_VERSION) {
                return Err(format!(
                    "{name} (this host speaks {CONTRACT_PACKAGE}@{CONTRACT_VERSION}: update the SDK or the host)"
                ));
            }
            if HOST_INTERFACES.contains(&interface) {
                Ok(Support::Host)
            } else {
                Err(format!(
                    "{name} (no such host interface in {CONTRACT_PACKAGE})"
                ))
            }
        }
        _ if package.starts_with("wasi:") => {
            let wasi_0_2 = version.is_some_and(|v| v.starts_with("0.2."));
            let path = format!("{}/{interface}", &package["wasi:".len()..]);
            let path = path.as_str();
            if wasi_0_2 && WASI_SUPPORTED.contains(&path) {
                Ok(Support::Wasi)
            } else if wasi_0_2 && WASI_UNSUPPORTED.contains(&path) {
                Ok(Support::WasiUnsupported)
            } else if path.starts_with("sockets/") || path.starts_with("http/") {
                Err(format!(
                    "{name} (functions reach the network through momento:functions/http, not WASI sockets or wasi:http)"
                ))
            } else {
                Err(format!(
                    "{name} (not a WASI 0.2 interface production provides)"
                ))
            }
        }
        _ => Err(format!("{name} (unknown package `{package}`)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_interfaces_are_host() {
        assert_eq!(
            classify("momento:functions/logging@0.1.0"),
            Ok(Support::Host)
        );
        assert_eq!(classify("momento:functions/cache@0.1.0"), Ok(Support::Host));
        assert_eq!(classify("momento:functions/http@0.1.0"), Ok(Support::Host));
    }

    #[test]
    fn other_versions_and_interfaces_are_rejected_with_the_name() {
        let err = classify("momento:functions/logging@9.0.0").unwrap_err();
        assert!(err.starts_with("momento:functions/logging@9.0.0"), "{err}");
        let err = classify("momento:functions/teleport@0.1.0").unwrap_err();
        assert!(err.contains("no such host interface"), "{err}");
        let err = classify("acme:evil/steal@1.0.0").unwrap_err();
        assert!(err.contains("unknown package `acme:evil`"), "{err}");
    }

    #[test]
    fn wasi_table() {
        assert_eq!(classify("wasi:cli/environment@0.2.6"), Ok(Support::Wasi));
        assert_eq!(classify("wasi:io/streams@0.2.0"), Ok(Support::Wasi));
        assert_eq!(
            classify("wasi:filesystem/preopens@0.2.6"),
            Ok(Support::WasiUnsupported)
        );
        assert_eq!(
            classify("wasi:cli/exit@0.2.6"),
            Ok(Support::WasiUnsupported)
        );
        assert!(
            classify("wasi:sockets/tcp@0.2.6")
                .unwrap_err()
                .contains("momento:functions/http")
        );
        assert!(classify("wasi:cli/environment@0.3.0").is_err());
        assert!(classify("bare-function").is_err());
    }

    #[test]
    fn handler_export_name() {
        assert!(is_handler_export("momento:functions/web@0.1.0"));
        assert!(is_handler_export(
            "momento:web-function/guest-function-web@1.0.0"
        ));
        assert!(is_handler_export(
            "momento:functions/guest-function-spawn@1.0.0"
        ));
        assert!(!is_handler_export("momento:functions/web@0.2.0"));
        assert!(!is_handler_export("wasi:http/incoming-handler@0.2.0"));
    }
}
