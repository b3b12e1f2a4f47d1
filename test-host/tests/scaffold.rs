//! `mfn new`: what it creates builds and passes its own tests, outside this workspace, as a user's crate
//! would.
//!
//! The end-to-end test is slow (the first crate compiles the test host's library for the scaffolds'
//! dev-dependency, wasmtime included), so it is `#[ignore]`d and `.ci/run` runs it:
//! `cargo test -p momento-functions-test-host --test scaffold -- --ignored`. Every crate it builds shares one
//! target dir, `$MOMENTO_FUNCTIONS_OUT_OF_WORKSPACE_TARGET_DIR` or `target/out-of-workspace` of this
//! repository (the one `.ci/run` gives `examples/published-sdk` too), so wasmtime is compiled once.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("test-host is in the repository")
        .to_path_buf()
}

fn mfn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mfn"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("mfn runs")
}

/// A fresh directory outside the workspace.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mfn-scaffold-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    assert!(
        !dir.starts_with(root()),
        "{} must be outside the workspace",
        dir.display()
    );
    dir
}

/// `cargo` as a user would run it in their crate: none of the outer `cargo test`'s settings.
fn user_cargo(dir: &Path, target_dir: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let outer = key.starts_with("CARGO_")
            && key != "CARGO_HOME"
            && key != "CARGO_NET_OFFLINE"
            && key != "CARGO_REGISTRIES_CRATES_IO_PROTOCOL";
        if outer
            || matches!(
                &*key,
                "RUSTFLAGS" | "RUSTDOCFLAGS" | "RUSTC_WRAPPER" | "RUSTC_WORKSPACE_WRAPPER"
            )
        {
            command.env_remove(&*key);
        }
    }
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("NO_COLOR", "1");
    command
}

#[test]
fn new_refuses_a_directory_that_is_not_empty_and_bad_names() {
    let dir = scratch("refusals");
    std::fs::write(dir.join("keep.txt"), "mine").unwrap();
    let output = mfn(&["new", &dir.to_string_lossy(), "--name", "fine"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not empty"));
    let output = mfn(&["new", &dir.join("x").to_string_lossy(), "--name", "9lives"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("starts with a digit"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "slow: builds a function crate per template outside the workspace (run by .ci/run)"]
fn every_template_builds_and_passes_its_own_tests() {
    let target_dir = std::env::var_os("MOMENTO_FUNCTIONS_OUT_OF_WORKSPACE_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/out-of-workspace"));
    let dir = scratch("templates");
    for template in ["web", "json", "cache", "sse", "spawn"] {
        let crate_dir = dir.join(format!("{template}-function"));
        let output = mfn(&["new", &crate_dir.to_string_lossy(), "--template", template]);
        assert!(
            output.status.success(),
            "mfn new --template {template}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        // The versions this repository is tested with (cargo drops what the crate does not use): the
        // crates share compiled dependencies, and a new release upstream cannot break CI.
        std::fs::copy(root().join("Cargo.lock"), crate_dir.join("Cargo.lock")).unwrap();
        let output = user_cargo(&crate_dir, &target_dir)
            .arg("test")
            .output()
            .expect("cargo runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "cargo test of the {template} template failed:\n{stdout}\n{stderr}"
        );
        let passed: usize = stdout
            .lines()
            .filter_map(|line| line.strip_prefix("test result: ok. "))
            .filter_map(|rest| rest.split(' ').next()?.parse::<usize>().ok())
            .sum();
        assert!(passed >= 3, "{template}: {passed} tests passed\n{stdout}");
        // The test host's library only: its command line and server are not in the crate's build.
        let tree = user_cargo(&crate_dir, &target_dir)
            .args(["tree", "--edges", "normal,build,dev", "--prefix", "none"])
            .output()
            .expect("cargo tree runs");
        let tree = String::from_utf8_lossy(&tree.stdout);
        assert!(tree.contains("momento-functions-test-host v"), "{tree}");
        for left_out in ["clap", "clap_complete", "hyper", "hyper-util"] {
            assert!(
                !tree
                    .lines()
                    .any(|line| line.starts_with(&format!("{left_out} v"))),
                "{template}: the dev-dependency pulls in {left_out}"
            );
        }
        // The release profile the README names exists.
        let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[profile.release-small]"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
