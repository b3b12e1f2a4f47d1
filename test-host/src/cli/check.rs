//! `check`: validate components as an upload would, and say what they use.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use momento_functions_test_host::{CheckReport, Limits, check_component, guest_build};

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
                eprintln!("error: {}: cannot build: {e}", target.display());
                return false;
            }
        }
    } else {
        target.to_path_buf()
    };
    let bytes = match std::fs::read(&wasm) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", wasm.display());
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
        out.push_str(&format!(
            "  handler:          {}\n",
            report
                .handler
                .as_deref()
                .unwrap_or("MISSING (momento:functions/web@0.1.0 is not exported)")
        ));
        out.push_str(&format!(
            "  host interfaces:  {}\n",
            list(&report.imports.host_interfaces)
        ));
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
