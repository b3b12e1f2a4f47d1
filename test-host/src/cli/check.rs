//! `check`: validate components as an upload would, and say what they use.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::{CheckReport, Limits, check_component, guest_build};
use clap::Args;

use super::{EXIT_LOAD, LimitArgs};

/// Check components.
#[derive(Debug, Args)]
pub(crate) struct CheckCommand {
    /// `.wasm` components, or function crate directories to build first.
    #[arg(value_name = "TARGET", required = true)]
    targets: Vec<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
}

impl CheckCommand {
    pub(crate) fn run(self) -> ExitCode {
        let limits = self.limits.apply(Limits::default());
        let mut all_ok = true;
        for target in &self.targets {
            all_ok &= check_target(target, &limits);
        }
        if all_ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_LOAD)
        }
    }
}

/// Check one target and print the findings; true when it would be accepted.
fn check_target(target: &Path, limits: &Limits) -> bool {
    let wasm = if target.is_dir() {
        match guest_build::build_crate_once(target) {
            Ok(wasm) => wasm,
            Err(e) => {
                super::error(format_args!("{}: cannot build: {e}", target.display()));
                return false;
            }
        }
    } else {
        target.to_path_buf()
    };
    let bytes = match std::fs::read(&wasm) {
        Ok(bytes) => bytes,
        Err(e) => {
            super::error(format_args!("cannot read {}: {e}", wasm.display()));
            return false;
        }
    };
    let report = check_component(&bytes, limits);
    let name = if wasm == target {
        target.display().to_string()
    } else {
        format!("{} ({})", target.display(), wasm.display())
    };
    print!("{}", render(&name, &report));
    report.is_ok()
}

/// The findings as text: a verdict line, then what the component is, uses and exports, then the reasons.
fn render(name: &str, report: &CheckReport) -> String {
    let mut out = String::new();
    if report.is_ok() {
        out.push_str(&format!("ok: {name} would be accepted\n"));
    } else {
        out.push_str(&format!("rejected: {name}\n"));
    }
    out.push_str(&format!("  size:             {} bytes\n", report.size));
    if report.is_component {
        let list = |items: &[String]| {
            if items.is_empty() {
                "none".to_owned()
            } else {
                items.join(", ")
            }
        };
        let handler = match report.handler {
            Some(handler) => format!(
                "{} ({})",
                handler.interface(),
                if handler.is_web() { "web function" } else { "spawn function" }
            ),
            None => "MISSING (a Momento function exports momento:web-function/guest-function-web@1.0.0 \
                     or momento:spawn-function/guest-function-spawn@1.0.0; with this SDK, use one of \
                     post!, get! or route!)"
                .to_owned(),
        };
        out.push_str(&format!("  handler:          {handler}\n"));
        if report.imports.host_interfaces.is_empty() {
            out.push_str("  Momento interfaces: none\n");
        } else {
            out.push_str("  Momento interfaces (each provided by Momento's platform):\n");
            for interface in &report.imports.host_interfaces {
                let gap = report
                    .imports
                    .not_implemented
                    .iter()
                    .find(|(name, _)| name == interface);
                match gap {
                    Some((_, capability)) => out.push_str(&format!(
                        "    {interface}  (not implemented in this test host: calls answer an error naming {capability})\n"
                    )),
                    None => out.push_str(&format!("    {interface}\n")),
                }
            }
        }
        out.push_str(&format!(
            "  WASI:             {}\n",
            list(&report.imports.wasi)
        ));
        out.push_str(&format!(
            "  WASI, unsupported (linked; the invocation fails if called): {}\n",
            list(&report.imports.wasi_unsupported)
        ));
        for import in &report.rejected_imports {
            out.push_str(&format!("  NOT PROVIDED:     {import}\n"));
        }
    }
    for problem in &report.problems {
        out.push_str(&format!("  error: {problem}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_rejected_with_the_reason() {
        let report = check_component(b"hello world", &Limits::default());
        let text = render("x.wasm", &report);
        assert!(text.starts_with("rejected: x.wasm"), "{text}");
        assert!(text.contains("magic"), "{text}");
        assert!(!text.contains("handler"), "{text}");
    }
}
