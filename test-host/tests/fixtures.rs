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

/// The cache and HTTP sections end to end: `examples/read-through-cache/tests` loads its `fixtures.toml`.
#[test]
fn limits_sections_reach_the_builder_and_bad_ones_name_the_key() {
    let fixtures = Fixtures::from_toml(
        "[limits]\ndeadline_ms = 1500\nmemory_bytes = \"32 MiB\"\nwarn_only = true\n",
    )
    .expect("valid limits");
    let builder = TestHost::builder().fixtures(fixtures);
    let limits = builder.configured_limits();
    assert_eq!(limits.deadline, std::time::Duration::from_millis(1500));
    assert_eq!(limits.memory_bytes, 32 << 20);
    assert!(limits.warn_only);

    for (text, expected) in [
        (
            "[limits]\nmemory_bytes = \"lots\"\n",
            "fixtures: limits.memory_bytes: `lots` is not a size",
        ),
        (
            "[limits]\nhost_calls = 0\n",
            "fixtures: limits.host_calls: must be at least 1",
        ),
    ] {
        let error = Fixtures::from_toml(text).unwrap_err().to_string();
        assert!(error.starts_with(expected), "{error}");
    }
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
