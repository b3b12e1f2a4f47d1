//! Fixtures and seed data reach the builder, and bad ones fail the build with the file and field named.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

use std::path::PathBuf;

use momento_functions_test_host::aws::{DynamoDbTable, KeyType, S3Bucket};
use momento_functions_test_host::{FixtureError, Fixtures, LoadError, TestHost};
use serde_json::json;

fn fixture_error(result: Result<TestHost, LoadError>) -> String {
    match result {
        Err(LoadError::Fixtures(error)) => error.to_string(),
        other => panic!("expected a fixtures error, got {other:?}"),
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("fixtures-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the directory");
    dir
}

#[test]
fn sections_not_wired_yet_fail_the_build() {
    let fixtures =
        Fixtures::from_toml("[[http.routes]]\nurl = \"https://example.com/\"\nstatus = 204\n")
            .expect("a valid section");
    let message = fixture_error(TestHost::builder().fixtures(fixtures).build_bytes(b""));
    assert!(
        message.starts_with("fixtures: `http.routes` is not supported by this test host yet"),
        "{message}"
    );
}

#[test]
fn a_missing_or_invalid_fixtures_file_fails_the_build() {
    let message = fixture_error(
        TestHost::builder()
            .fixtures_file("/no/such/fixtures.toml")
            .build_bytes(b""),
    );
    assert!(
        message.starts_with("cannot read /no/such/fixtures.toml"),
        "{message}"
    );

    let dir = temp_dir("invalid");
    let file = dir.join("fixtures.json");
    std::fs::write(
        &file,
        r#"{"s3": {"buckets": [{"name": "ok-bucket", "objects": [{"key": ""}]}]}}"#,
    )
    .expect("write");
    let message = fixture_error(TestHost::builder().fixtures_file(&file).build_bytes(b""));
    assert_eq!(
        message,
        format!(
            "{}: s3.buckets[0].objects[0]: needs one of body, body_base64 or file",
            file.display()
        )
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn object_files_are_relative_to_the_fixtures_file() {
    let dir = temp_dir("files");
    std::fs::write(dir.join("logo.bin"), [1u8, 2, 3]).expect("write");
    std::fs::write(
        dir.join("fixtures.toml"),
        "[[s3.buckets]]\nname = \"assets\"\nobjects = [{ key = \"logo\", file = \"logo.bin\" }]\n",
    )
    .expect("write");
    let fixtures = Fixtures::from_file(dir.join("fixtures.toml")).expect("valid");
    assert_eq!(
        fixtures.origin(),
        dir.join("fixtures.toml").display().to_string()
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn invalid_builder_seeds_fail_the_build_naming_them() {
    let message = fixture_error(
        TestHost::builder()
            .dynamodb_table(
                DynamoDbTable::new("users", "user_id", KeyType::S).item(json!({"id": 1})),
            )
            .build_bytes(b""),
    );
    assert_eq!(
        message,
        "TestHostBuilder: dynamodb.table `users`.items[0]: One or more parameter values were invalid: Missing the key user_id in the item"
    );
    let message = fixture_error(
        TestHost::builder()
            .s3_bucket(S3Bucket::new("Not A Bucket"))
            .build_bytes(b""),
    );
    assert!(
        message.contains("s3.bucket `Not A Bucket`.name: InvalidBucketName"),
        "{message}"
    );
    let message = fixture_error(TestHost::builder().secret("", "x").build_bytes(b""));
    assert!(message.contains("secrets.secret ``"), "{message}");
}

#[test]
fn fixture_errors_are_typed() {
    let error = Fixtures::from_toml("[limits]\nmemory_bytes = 0\n").expect_err("invalid");
    assert!(matches!(
        &error,
        FixtureError::Invalid { field, .. } if field == "limits.memory_bytes"
    ));
    let error = Fixtures::from_toml("[limits\n").expect_err("syntax");
    assert!(matches!(error, FixtureError::Parse { .. }));
}
