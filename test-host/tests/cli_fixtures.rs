//! `invoke --fixtures`: the command line seeds the host from a fixtures file.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the workspace root")
}

fn invoke(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_momento-functions-test-host"))
        .arg("invoke")
        .args(args)
        .current_dir(workspace())
        .output()
        .expect("the CLI runs")
}

/// A successful invocation's JSON body, and its stderr.
fn invoke_json(args: &[&str]) -> (Value, String) {
    let output = invoke(args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let body = serde_json::from_slice(&output.stdout).expect("a JSON body");
    (body, stderr)
}

#[test]
fn invoke_with_fixtures_returns_the_stored_user() {
    let (body, _) = invoke_json(&[
        "examples/ddb-get-user",
        "--fixtures",
        "examples/ddb-get-user/fixtures.toml",
        "--data",
        r#"{"user":"u1"}"#,
    ]);
    assert_eq!(
        body,
        json!({"user": {"user_id": "u1", "name": "Ada Lovelace", "email": "ada@example.com", "born": 1815}})
    );
}

#[test]
fn invalid_fixtures_fail_to_load_naming_file_and_field() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let file = dir.join(format!("bad-fixtures-{}.toml", std::process::id()));
    std::fs::write(
        &file,
        "[[dynamodb.tables]]\nname = \"users\"\npartition_key = { name = \"user_id\", type = \"S\" }\nitems = [{ user_id = 7 }]\n",
    )
    .expect("write the fixtures");
    let path = file.to_string_lossy().into_owned();
    let output = invoke(&["examples/ddb-get-user", "--fixtures", &path, "--data", "{}"]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "error: {path}: dynamodb.tables[0].items[0]: One or more parameter values were invalid: Type mismatch for key user_id expected: S actual: N"
        )),
        "{stderr}"
    );

    let output = invoke(&["examples/ddb-get-user", "--fixtures", "no/such/file.toml"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read no/such/file.toml"));
}

#[test]
fn build_env_on_the_command_line_bakes_in_other_keys() {
    let output = invoke(&[
        "examples/ddb-get-user",
        "--fixtures",
        "examples/ddb-get-user/fixtures.toml",
        "--build-env",
        "AWS_ACCESS_KEY_ID=AKIAUNKNOWNEXAMPLE",
        "--data",
        r#"{"user":"u1"}"#,
    ]);
    assert_eq!(output.status.code(), Some(1));
    let body: Value = serde_json::from_slice(&output.stdout).expect("a JSON body");
    assert_eq!(body["status"], 403);
}

#[test]
fn invoke_with_fixtures_seeds_the_cache_and_mocks_the_upstream() {
    let run = |path: &str| {
        invoke_json(&[
            "examples/read-through-cache",
            "--fixtures",
            "examples/read-through-cache/fixtures.toml",
            "--method",
            "GET",
            "--path",
            path,
            "-v",
        ])
    };
    let (body, stderr) = run("/?id=42");
    assert_eq!(
        body,
        json!({"id": "42", "name": "tea", "source": "upstream"})
    );
    assert!(stderr.contains("x-cache: miss"), "{stderr}");
    let (body, stderr) = run("/?id=7");
    assert_eq!(
        body,
        json!({"id": "7", "name": "coffee", "source": "cache"})
    );
    assert!(stderr.contains("x-cache: hit"), "{stderr}");
}
