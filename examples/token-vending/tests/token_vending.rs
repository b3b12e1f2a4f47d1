//! Token vending on the test host: the test host's API keys decode to their permissions and expiry.

use std::time::{Duration, UNIX_EPOCH};

use momento_functions_test_host::{
    CacheRole, CacheScope, Clock, KeyScope, NameScope, Request, TestHost, TestHostBuilder,
    TokenError, TokenPermission, TopicRole,
};
use serde_json::Value;

const NOW: u64 = 1_800_000_000;

fn host(builder: TestHostBuilder) -> TestHost {
    builder
        .cache_name("profiles")
        .clock(Clock::manual(UNIX_EPOCH + Duration::from_secs(NOW)))
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the function builds and loads")
}

#[test]
fn a_token_reads_only_the_users_keys_and_subscribes_only_to_its_topic() {
    let host = host(TestHost::builder());
    let response = host.invoke(Request::get("/").query("user=7")).unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text());
    let body: Value = response.json().unwrap();
    assert_eq!(body["valid_until"], NOW + 900);
    assert_eq!(
        body["endpoint"],
        "cache.momento-functions-test-host.invalid"
    );
    let token = host
        .tokens()
        .decode(body["api_key"].as_str().unwrap())
        .expect("a key of the test host");
    assert_eq!(token.token_id.as_deref(), Some("user-7"));
    assert_eq!(
        token.permissions,
        [
            TokenPermission::Cache {
                role: CacheRole::ReadOnly,
                caches: CacheScope::Named("profiles".into()),
                items: KeyScope::Prefix(b"user:7:".to_vec()),
            },
            TokenPermission::Topic {
                role: TopicRole::ReadOnly,
                caches: CacheScope::Named("profiles".into()),
                topics: NameScope::Named("user-7".into()),
            },
        ]
    );
    host.clock().advance(Duration::from_secs(899));
    assert!(token.is_valid_at(NOW + 899));
    assert!(!token.is_valid_at(NOW + 900));
}

#[test]
fn the_user_comes_from_token_metadata_first() {
    let host = host(TestHost::builder());
    let response = host
        .invoke(
            Request::get("/")
                .query("user=7")
                .token_metadata(r#"{"user": "42"}"#),
        )
        .unwrap();
    let body: Value = response.json().unwrap();
    let token = host
        .tokens()
        .decode(body["api_key"].as_str().unwrap())
        .unwrap();
    assert_eq!(token.token_id.as_deref(), Some("user-42"));
}

#[test]
fn bad_requests_and_the_platforms_refusals() {
    let host = host(TestHost::builder());
    assert_eq!(host.invoke(Request::get("/")).unwrap().status(), 400);
    assert_eq!(
        host.invoke(Request::get("/").query("user=a%20b"))
            .unwrap()
            .status(),
        400
    );
    // A validity over Momento's one hour is the platform's invalid-argument: 400, naming the field.
    let long = host_with_ttl("3601");
    let response = long.invoke(Request::get("/").query("user=7")).unwrap();
    assert_eq!(response.status(), 400);
    assert!(
        response.text().unwrap().contains("valid-for-seconds"),
        "{:?}",
        response.text()
    );
    host.tokens()
        .fail_next(1, TokenError::LimitExceeded("slow down".into()));
    assert_eq!(
        host.invoke(Request::get("/").query("user=7"))
            .unwrap()
            .status(),
        429
    );
    assert_eq!(host.tokens().issued().len(), 0);
}

fn host_with_ttl(ttl: &str) -> TestHost {
    host(TestHost::builder().env("TOKEN_TTL_SECS", ttl))
}
