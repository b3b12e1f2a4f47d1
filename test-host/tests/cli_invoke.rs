//! The `invoke` and `bench` subcommands, run as a user runs them.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_momento-functions-test-host"))
        .args(args)
        .output()
        .expect("the CLI runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn invoke_echo_prints_the_body_and_exits_0() {
    let echo = example("echo");
    let out = cli(&["invoke", echo.to_str().unwrap(), "--data", "hello"]);
    assert_eq!(text(&out.stdout), "hello", "stderr: {}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn invoke_with_bad_json_prints_the_400_body_and_exits_1() {
    let greeter = example("greeter");
    let out = cli(&["invoke", greeter.to_str().unwrap(), "--data", "{bad"]);
    assert_eq!(out.status.code(), Some(1));
    let body: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("a JSON error body on stdout");
    assert_eq!(body["status"], 400);
    assert_eq!(body["details"]["kind"], "invalid_json");
    assert!(
        text(&out.stderr).contains("status 400"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn invoke_verbose_shows_status_headers_and_logs_on_stderr() {
    let greeter = example("greeter");
    let out = cli(&[
        "invoke",
        greeter.to_str().unwrap(),
        "-X",
        "GET",
        "--path",
        "/hi?name=Ada",
        "--env",
        "GREETING=Howdy",
        "-v",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Howdy, Ada!");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("< 200"), "{stderr}");
    assert!(
        stderr.contains("< content-type: text/plain; charset=utf-8"),
        "{stderr}"
    );
    assert!(
        stderr.contains("INFO  greeter::get: greeting Ada from /hi"),
        "{stderr}"
    );
}

#[test]
fn invoke_reads_the_body_from_a_file_and_sends_headers() {
    let dir = std::env::temp_dir().join(format!("mf-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("body.bin");
    std::fs::write(&file, b"\x00from a file\xff").unwrap();
    let echo = example("echo");
    let out = cli(&[
        "invoke",
        echo.to_str().unwrap(),
        "--data-file",
        file.to_str().unwrap(),
        "-H",
        "x-a: b",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"\x00from a file\xff");
    let missing = cli(&[
        "invoke",
        echo.to_str().unwrap(),
        "--data-file",
        "/nonexistent/body",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("cannot read --data-file"),
        "{}",
        text(&missing.stderr)
    );
}

#[test]
fn invoke_rejects_what_is_not_a_component_with_exit_3() {
    let dir = std::env::temp_dir().join(format!("mf-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("not.wasm");
    std::fs::write(&file, "(component)").unwrap();
    let out = cli(&["invoke", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out.stderr).contains("WAT text"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn invoke_rejects_malformed_options() {
    let echo = example("echo");
    let out = cli(&["invoke", echo.to_str().unwrap(), "-H", "no-colon"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not `Name: value`"),
        "{}",
        text(&out.stderr)
    );
    let out = cli(&["invoke", echo.to_str().unwrap(), "--env", "NOVALUE"]);
    assert_eq!(out.status.code(), Some(2));
    let out = cli(&[
        "invoke",
        echo.to_str().unwrap(),
        "--data",
        "a",
        "--data-file",
        "b",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bench_prints_median_p99_and_throughput_lines() {
    let echo = example("echo");
    let out = cli(&[
        "bench",
        echo.to_str().unwrap(),
        "--data",
        "hello",
        "-n",
        "200",
        "--compare-bare",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    let number = |line: &str, prefix: &str, suffix: &str| -> f64 {
        line.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(suffix))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("`{line}` is not `{prefix}<number>{suffix}`"))
    };
    let median = number(lines[0], "median: ", " ns");
    let p99 = number(lines[1], "p99: ", " ns");
    assert!(median > 0.0 && p99 >= median, "{stdout}");
    assert!(number(lines[2], "throughput: ", " invocations/s") > 0.0);
    assert!(number(lines[3], "bare wasmtime median: ", " ns") > 0.0);
    assert!(number(lines[4], "ratio to bare: ", "x") > 0.0);
}

#[test]
fn every_subcommand_has_an_example_in_its_help_under_the_name_it_was_run_as() {
    for (binary, name) in [
        (env!("CARGO_BIN_EXE_mfn"), "mfn"),
        (
            env!("CARGO_BIN_EXE_momento-functions-test-host"),
            "momento-functions-test-host",
        ),
    ] {
        for subcommand in ["invoke", "bench", "check", "serve", "new", "completions"] {
            let out = Command::new(binary)
                .args([subcommand, "--help"])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{name} {subcommand} --help");
            let help = text(&out.stdout);
            let examples = help
                .split("Examples:")
                .nth(1)
                .unwrap_or_else(|| panic!("{name} {subcommand} --help has no examples:\n{help}"));
            assert!(
                examples.contains(&format!("{name} {subcommand} ")),
                "{name} {subcommand}:\n{help}"
            );
            assert!(!help.contains("{bin}"), "{help}");
        }
    }
    // One size syntax: the limits take SIZE values, and --warn-only names its hard stop.
    let out = cli(&["invoke", "--help"]);
    let help = text(&out.stdout);
    assert!(help.contains("--memory <SIZE>"), "{help}");
    assert!(help.contains("64MiB"), "{help}");
    assert!(help.contains("10 x the deadline"), "{help}");
    assert!(
        !help.contains("--memory-mb"),
        "legacy flags stay hidden: {help}"
    );
}

#[test]
fn completions_for_bash_zsh_and_fish_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::new(env!("CARGO_BIN_EXE_mfn"))
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        assert!(script.contains("mfn"), "{shell}: {script}");
        for subcommand in ["invoke", "serve", "new", "template"] {
            assert!(script.contains(subcommand), "{shell} lacks {subcommand}");
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_mfn"))
        .args(["completions", "powershell"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn output_is_plain_when_not_a_terminal() {
    // stderr is a pipe here: no escape sequences, even for errors.
    let out = cli(&["invoke", "/nonexistent/function.wasm"]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    // ... unless asked for.
    let out = Command::new(env!("CARGO_BIN_EXE_mfn"))
        .args(["invoke", "/nonexistent/function.wasm"])
        .env("CLICOLOR_FORCE", "1")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("\u{1b}[1;31merror:"),
        "{:?}",
        text(&out.stderr)
    );
}

#[test]
fn a_body_on_a_pipe_is_written_exactly() {
    // No newline is added when stdout is not a terminal (`invoke` adds one after text on a terminal only).
    let echo = example("echo");
    let out = cli(&["invoke", echo.to_str().unwrap(), "--data", "no newline"]);
    assert_eq!(out.stdout, b"no newline");
}
