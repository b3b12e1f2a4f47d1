//! The announcement's DynamoDB proxy compiles unchanged in a fresh crate outside this workspace that
//! depends on the SDK by path, and works against the test host.

use std::path::{Path, PathBuf};

use momento_functions_test_host::aws::{DynamoDbTable, KeyType};
use momento_functions_test_host::{Request, TestHost};
use serde_json::{Value, json};

/// The function as the product announcement printed it, `use` lines included.
const ANNOUNCEMENT: &str = r#"use momento_functions::FunctionResult;
use momento_functions_host::{
    aws::{auth::AwsCredentialsProvider, ddb::{DynamoDBClient, Item}},
    build_environment_aws_credentials,
};
#[derive(serde::Deserialize)] struct Request { user: String }
#[derive(serde::Serialize)] struct Response { user: Option<Item> }
momento_functions::post!(ddb_get_user_proxy, Request, Response);
fn ddb_get_user_proxy(request: Request) -> FunctionResult<Response> {
    let client = DynamoDBClient::new(&AwsCredentialsProvider::new(
        "us-east-1",
        build_environment_aws_credentials!(),
    )?);
    let user = client.get_item_raw("users", ("user_id", request.user))?;
    Ok(Response { user })
}
"#;

#[test]
fn the_example_is_the_announcement_verbatim() {
    assert_eq!(include_str!("../src/announcement.rs"), ANNOUNCEMENT);
}

/// A directory removed when the test ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create the directory");
    }
    std::fs::write(path, text).expect("write the file");
}

#[test]
fn the_announcement_builds_in_a_fresh_crate_outside_the_workspace() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root");
    // A fresh crate each run, at a path fixed per checkout (so cargo's fingerprints, which include the
    // path, let later runs build incrementally in the target dir below).
    let checkout: u64 = workspace
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let dir = TempDir(
        std::env::temp_dir().join(format!("momento-functions-announcement-{checkout:016x}")),
    );
    let crate_dir = &dir.0;
    let _ = std::fs::remove_dir_all(crate_dir);
    assert!(!crate_dir.starts_with(&workspace));
    // An ordinary user crate: its own workspace, edition 2021, the SDK by path.
    write(
        &crate_dir.join("Cargo.toml"),
        &format!(
            r#"[package]
name = "announcement"
version = "0.1.0"
edition = "2021"

[lib]
crate-type = ["cdylib"]

[dependencies]
momento-functions = {{ path = "{ws}/momento-functions" }}
momento-functions-host = {{ path = "{ws}/momento-functions-host" }}
serde = {{ version = "1", features = ["derive"] }}

[workspace]
"#,
            ws = workspace.display()
        ),
    );
    write(&crate_dir.join("src/lib.rs"), ANNOUNCEMENT);
    // The workspace's lock file (so no newer versions are resolved), and a target dir that outlives the
    // temporary crate so later runs build incrementally.
    std::fs::copy(workspace.join("Cargo.lock"), crate_dir.join("Cargo.lock"))
        .expect("copy Cargo.lock");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("announcement-target");
    write(
        &crate_dir.join(".cargo/config.toml"),
        &format!("[build]\ntarget-dir = \"{}\"\n", target.display()),
    );

    let host = TestHost::builder()
        .build_env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .build_env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .aws_credentials(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        )
        .dynamodb_table(
            DynamoDbTable::new("users", "user_id", KeyType::S)
                .item(json!({"user_id": "u1", "name": "Ada"})),
        )
        .build_crate(crate_dir)
        .expect("the announcement's crate builds for wasm32-wasip2 and loads");
    let response = host
        .invoke(Request::post("/").json(&json!({"user": "u1"})))
        .expect("the invocation runs");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().expect("JSON"),
        json!({"user": {"user_id": "u1", "name": "Ada"}})
    );
}
