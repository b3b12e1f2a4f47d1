//! The import policy: which interfaces a component may import, as Momento decides at upload, and which
//! handler it exports.
//!
//! | import | status |
//! |---|---|
//! | a published `momento:*` interface the test host links ([`crate::services::SERVICES`]) | provided by Momento; implemented here, or linked and answering a "not implemented" error naming the capability |
//! | an older minor version of one (e.g. `momento:http/http@1.0.0` beside 1.1.0) | provided, when linked |
//! | a newer minor version than the host knows | rejected: update the test host |
//! | `wasi:cli/environment`, `wasi:clocks/*`, `wasi:random/*`, `wasi:io/*` | provided |
//! | `wasi:cli/stdout`, `wasi:cli/stderr`, `wasi:cli/terminal-*` | provided; output is captured into the invocation's log |
//! | `wasi:cli/stdin`, `wasi:cli/exit`, `wasi:filesystem/*` | linked (Rust's std imports them) but unsupported when used |
//! | anything else (`wasi:sockets/*`, `wasi:http/*`, other packages, other versions) | rejected at load |

use crate::services::{self, Status};

/// The handler a function exports: which kind of function it is, and which generation of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Handler {
    /// `momento:web-function/guest-function-web@1.0.0#invoke`: a web function (current generation).
    Web,
    /// `momento:spawn-function/guest-function-spawn@1.0.0#spawned`: a spawn function (current generation).
    Spawn,
    /// `momento:functions/guest-function-web@1.0.0#post`: a web function of the older generation.
    OlderWeb,
    /// `momento:functions/guest-function-spawn@1.0.0#spawned`: a spawn function of the older generation.
    OlderSpawn,
}

impl Handler {
    /// The exported interface, e.g. `momento:web-function/guest-function-web@1.0.0`.
    pub fn interface(self) -> &'static str {
        match self {
            Handler::Web => "momento:web-function/guest-function-web@1.0.0",
            Handler::Spawn => "momento:spawn-function/guest-function-spawn@1.0.0",
            Handler::OlderWeb => "momento:functions/guest-function-web@1.0.0",
            Handler::OlderSpawn => "momento:functions/guest-function-spawn@1.0.0",
        }
    }

    /// Is it a web function (invoked over HTTP) rather than a spawn function?
    pub fn is_web(self) -> bool {
        matches!(self, Handler::Web | Handler::OlderWeb)
    }
}

/// Every handler export the host accepts, in the order it prefers them.
pub(crate) const HANDLERS: [Handler; 4] = [
    Handler::Web,
    Handler::OlderWeb,
    Handler::Spawn,
    Handler::OlderSpawn,
];

/// The handler among a component's exports, if it has one.
pub(crate) fn handler<'a>(exports: impl IntoIterator<Item = &'a str> + Clone) -> Option<Handler> {
    HANDLERS.into_iter().find(|handler| {
        exports
            .clone()
            .into_iter()
            .any(|name| name == handler.interface())
    })
}

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
    /// A published Momento interface the host links (`Status` says whether it implements it).
    Host(Status),
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

/// `major.minor.patch`, numerically.
fn version(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().ok());
    let version = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(version)
}

/// Is `name` (a top-level export of a component) a handler a function may export? Checked on the raw export
/// names before compiling (`load::prescan`).
pub(crate) fn is_handler_export(name: &str) -> bool {
    HANDLERS.iter().any(|handler| handler.interface() == name)
}

/// Decide on one import, or say why it is rejected.
pub(crate) fn classify(name: &str) -> Result<Support, String> {
    if let Some((_, interface)) = services::find_interface(name) {
        return Ok(Support::Host(interface.status));
    }
    let Some((package, interface, wanted)) = split(name) else {
        return Err(format!(
            "{name} (a bare function import; only interfaces are provided)"
        ));
    };
    if package.starts_with("momento:") {
        return Err(momento_rejection(name, package, interface, wanted));
    }
    if let Some(wasi_package) = package.strip_prefix("wasi:") {
        let wasi_0_2 = wanted.is_some_and(|v| v.starts_with("0.2."));
        let path = format!("{wasi_package}/{interface}");
        let path = path.as_str();
        return if wasi_0_2 && WASI_SUPPORTED.contains(&path) {
            Ok(Support::Wasi)
        } else if wasi_0_2 && WASI_UNSUPPORTED.contains(&path) {
            Ok(Support::WasiUnsupported)
        } else if path.starts_with("sockets/") || path.starts_with("http/") {
            Err(format!(
                "{name} (functions reach the network through momento:http, not WASI sockets or wasi:http)"
            ))
        } else {
            Err(format!(
                "{name} (not a WASI 0.2 interface Momento provides)"
            ))
        };
    }
    Err(format!("{name} (unknown package `{package}`)"))
}

/// Why a `momento:` import the host does not link is rejected: the old contract of this project, a newer
/// version than the host knows, or no such interface.
fn momento_rejection(name: &str, package: &str, interface: &str, wanted: Option<&str>) -> String {
    if package == "momento:functions" && wanted == Some("0.1.0") {
        return format!(
            "{name} (momento:functions@0.1.0 was this project's own contract before it adopted Momento's \
             published one: rebuild the function with the current SDK)"
        );
    }
    let prefix = format!("{package}/{interface}@");
    let known: Vec<&str> = services::SERVICES
        .iter()
        .flat_map(|service| service.interfaces)
        .filter_map(|i| i.name.strip_prefix(prefix.as_str()))
        .collect();
    let wanted_version = wanted.and_then(version);
    match (
        known.iter().filter_map(|v| version(v)).max(),
        wanted_version,
    ) {
        (Some(newest), Some(asked)) if asked.0 == newest.0 && asked > newest => format!(
            "{name} (newer than the {package}/{interface}@{}.{}.{} this test host speaks: update the test host)",
            newest.0, newest.1, newest.2
        ),
        (Some(_), _) => format!(
            "{name} (not a version Momento publishes; this test host links {})",
            known
                .iter()
                .map(|v| format!("{prefix}{v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (None, _) => format!("{name} (no such interface in Momento's published contract)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_interfaces_are_host() {
        for name in [
            "momento:bytes/bytes@1.0.0",
            "momento:web-function/web-function-support@1.0.0",
            "momento:cache-scalar/cache-scalar@1.0.0",
            "momento:http/http@1.1.0",
            "momento:http/http@1.0.0",
            "momento:aws-s3/aws-s3@1.0.0",
            "momento:host/http@1.0.0",
            "momento:functions/cache-scalar@1.0.0",
            "momento:topic/topic@1.0.0",
            "momento:functions/topic@1.0.0",
            "momento:token/token@1.0.0",
            "momento:functions/token@1.0.0",
            "momento:cache-list/cache-list@1.0.0",
            "momento:functions/cache-list@1.0.0",
            "momento:host/aws-lambda@1.0.0",
        ] {
            assert_eq!(
                classify(name),
                Ok(Support::Host(Status::Implemented)),
                "{name}"
            );
        }
        // An interface linked but not implemented (if any is left) classifies as such.
        let not_implemented = crate::services::SERVICES
            .iter()
            .flat_map(|service| service.interfaces)
            .find(|interface| matches!(interface.status, Status::NotImplemented { .. }));
        if let Some(interface) = not_implemented {
            assert_eq!(
                classify(interface.name),
                Ok(Support::Host(interface.status))
            );
        }
    }

    #[test]
    fn other_versions_and_interfaces_are_rejected_with_the_name() {
        let err = classify("momento:http/http@1.2.0").unwrap_err();
        assert!(
            err.contains("newer than the momento:http/http@1.1.0"),
            "{err}"
        );
        let err = classify("momento:http/http@2.0.0").unwrap_err();
        assert!(err.contains("not a version Momento publishes"), "{err}");
        let err = classify("momento:functions/web@0.1.0").unwrap_err();
        assert!(
            err.contains("rebuild the function with the current SDK"),
            "{err}"
        );
        let err = classify("momento:cache-scalar/teleport@1.0.0").unwrap_err();
        assert!(err.contains("no such interface"), "{err}");
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
                .contains("momento:http")
        );
        assert!(classify("wasi:cli/environment@0.3.0").is_err());
        assert!(classify("bare-function").is_err());
    }

    #[test]
    fn handler_exports() {
        let exports = ["momento:functions/guest-function-web@1.0.0", "other"];
        assert_eq!(handler(exports), Some(Handler::OlderWeb));
        let both = [
            "momento:functions/guest-function-web@1.0.0",
            "momento:web-function/guest-function-web@1.0.0",
        ];
        assert_eq!(handler(both), Some(Handler::Web));
        assert_eq!(
            handler(["momento:spawn-function/guest-function-spawn@1.0.0"]),
            Some(Handler::Spawn)
        );
        assert_eq!(handler(["momento:functions/web@0.1.0"]), None);
        assert_eq!(handler(["wasi:http/incoming-handler@0.2.0"]), None);
    }
}
