//! The cache service through a real guest: the SDK client, the WIT boundary, the shared mock cache.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::time::{Duration, UNIX_EPOCH};

use common::{fail, ok, probe, run};
use momento_functions_test_host::{
    CacheError, CacheLimits, CacheOp, CacheOutcome, Clock, Request, SetCondition, TestHost,
};
use serde_json::json;

fn host() -> TestHost {
    probe(TestHost::builder())
}

#[test]
fn set_get_delete_round_trip_and_every_call_is_recorded() {
    let host = host();
    assert_eq!(
        ok(&host, json!({"op": "get", "key": "greeting"})),
        json!(null)
    );
    ok(
        &host,
        json!({"op": "set", "key": "greeting", "value": "héllo", "ttl_ms": 60_000}),
    );
    assert_eq!(
        ok(&host, json!({"op": "get", "key": "greeting"})),
        json!({"len": 6, "text": "héllo"})
    );
    assert_eq!(
        ok(&host, json!({"op": "get_string", "key": "greeting"})),
        json!("héllo")
    );
    ok(&host, json!({"op": "delete", "key": "greeting"}));
    assert_eq!(
        ok(&host, json!({"op": "get_string", "key": "greeting"})),
        json!(null)
    );
    assert!(host.cache().is_empty());

    let calls = host.cache().calls();
    let lines: Vec<String> = calls.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "get greeting → miss",
            "set greeting (6 bytes, ttl 60s) → stored",
            "get greeting → hit (6 bytes)",
            "get greeting → hit (6 bytes)",
            "delete greeting → deleted",
            "get greeting → miss",
        ]
    );
    assert_eq!(
        calls[1].op,
        CacheOp::Set {
            value: "héllo".as_bytes().to_vec(),
            ttl: Duration::from_secs(60)
        }
    );
    // One invocation per call, each with its own id.
    let mut ids: Vec<&str> = calls.iter().map(|c| c.invocation_id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 6);
}

#[test]
fn invocation_ids_in_calls_match_the_responses() {
    let host = host();
    let response = host
        .invoke(Request::post("/").json(&json!({"op": "get", "key": "k"})))
        .unwrap();
    assert_eq!(
        host.cache().calls()[0].invocation_id,
        response.invocation_id()
    );
}

#[test]
fn cache_state_survives_invocations_but_guest_globals_do_not() {
    let host = host();
    for n in 1..=3 {
        let counts = ok(&host, json!({"op": "counter"}));
        assert_eq!(counts, json!({"global": 1, "cache": n}), "invocation {n}");
    }
    assert_eq!(
        host.cache().get_string("probe:counter").as_deref(),
        Some("3")
    );
    // Clones of a host share the cache.
    let clone = host.clone();
    assert_eq!(ok(&clone, json!({"op": "counter"}))["cache"], 4);
}

#[test]
fn items_expire_by_the_test_clock_to_the_millisecond() {
    let host = probe(TestHost::builder().test_clock());
    ok(
        &host,
        json!({"op": "set", "key": "k", "value": "v", "ttl_ms": 1000}),
    );
    host.clock().advance(Duration::from_millis(999));
    assert_eq!(
        host.cache().entry("k").and_then(|e| e.ttl),
        Some(Duration::from_millis(1))
    );
    assert_eq!(
        ok(&host, json!({"op": "get_string", "key": "k"})),
        json!("v")
    );
    host.clock().advance(Duration::from_millis(1));
    assert_eq!(
        ok(&host, json!({"op": "get_string", "key": "k"})),
        json!(null)
    );
    assert!(!host.cache().contains_key("k"));
    let set = &host.cache().calls()[0];
    assert!(matches!(set.op, CacheOp::Set { ttl, .. } if ttl == Duration::from_millis(1000)));
}

#[test]
fn seeded_items_are_visible_to_the_function_and_expire_relative_to_build() {
    let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let host = probe(
        TestHost::builder()
            .clock(Clock::manual(start))
            .cache_entry("forever", "always")
            .cache_entry_with_ttl("brief", "soon gone", Duration::from_secs(10)),
    );
    assert_eq!(
        ok(&host, json!({"op": "get_string", "key": "forever"})),
        json!("always")
    );
    assert_eq!(
        ok(&host, json!({"op": "get_string", "key": "brief"})),
        json!("soon gone")
    );
    host.clock().advance(Duration::from_secs(10));
    assert_eq!(
        ok(&host, json!({"op": "get_string", "key": "brief"})),
        json!(null)
    );
    assert_eq!(
        ok(&host, json!({"op": "get_string", "key": "forever"})),
        json!("always")
    );
    let keys: Vec<String> = host
        .cache()
        .entries()
        .iter()
        .map(|e| e.key_str().into_owned())
        .collect();
    assert_eq!(keys, ["forever"]);
}

#[test]
fn conditional_sets_and_increments() {
    let host = host();
    let set_if = |value: &str, condition: serde_json::Value| {
        ok(
            &host,
            json!({"op": "set_if", "key": "job", "value": value, "ttl_ms": 60_000, "condition": condition}),
        )
    };
    assert_eq!(set_if("running", json!("present")), json!(false));
    assert_eq!(set_if("queued", json!("absent")), json!(true));
    assert_eq!(set_if("other", json!("absent")), json!(false));
    assert_eq!(set_if("running", json!({"equal": "nope"})), json!(false));
    assert_eq!(set_if("running", json!({"equal": "queued"})), json!(true));
    assert_eq!(set_if("done", json!("present")), json!(true));
    assert_eq!(host.cache().get_string("job").as_deref(), Some("done"));
    let outcomes: Vec<_> = host
        .cache()
        .calls()
        .into_iter()
        .map(|c| (c.op, c.result))
        .filter_map(|(op, result)| match op {
            CacheOp::SetIf { condition, .. } => Some((condition, result.unwrap())),
            _ => None,
        })
        .collect();
    assert_eq!(
        outcomes[3],
        (
            SetCondition::Equal(b"nope".to_vec()),
            CacheOutcome::NotStored
        )
    );

    let incr = |amount: i64| {
        ok(
            &host,
            json!({"op": "increment", "key": "n", "amount": amount, "ttl_ms": 1000}),
        )
    };
    assert_eq!(incr(5), json!(5));
    assert_eq!(incr(-8), json!(-3));
    assert_eq!(host.cache().get_string("n").as_deref(), Some("-3"));
}

#[test]
fn typed_json_values() {
    let host = host();
    ok(
        &host,
        json!({"op": "set_point", "key": "p", "x": 3, "y": -4, "ttl_ms": 1000}),
    );
    assert_eq!(
        host.cache().get_string("p").as_deref(),
        Some(r#"{"x":3,"y":-4}"#)
    );
    assert_eq!(
        ok(&host, json!({"op": "get_point", "key": "p"})),
        json!({"x": 3, "y": -4})
    );
    assert_eq!(
        ok(&host, json!({"op": "get_point", "key": "missing"})),
        json!(null)
    );

    host.cache().insert("not-a-point", r#"{"x": "three"}"#);
    let (status, kind, message) = fail(&host, json!({"op": "get_point", "key": "not-a-point"}));
    assert_eq!((status, kind.as_str()), (500, "DeserializeJson"));
    assert!(
        message.contains("`not-a-point`") && message.contains("line 1"),
        "{message}"
    );
}

#[test]
fn a_value_json_cannot_represent_fails_in_the_function_before_any_call() {
    let host = host();
    let (status, kind, message) = fail(&host, json!({"op": "set_unserializable", "key": "k"}));
    assert_eq!((status, kind.as_str()), (500, "SerializeJson"));
    assert!(message.contains("`k`"), "{message}");
    assert!(host.cache().calls().is_empty());
}

#[test]
fn non_utf8_values_are_a_typed_error_for_get_string() {
    let host = host();
    host.cache().insert("bin", [0xff, 0xfe, 0x00]);
    assert_eq!(ok(&host, json!({"op": "get", "key": "bin"}))["len"], 3);
    let (status, kind, _) = fail(&host, json!({"op": "get_string", "key": "bin"}));
    assert_eq!((status, kind.as_str()), (500, "Utf8"));
}

#[test]
fn default_limits_are_enforced_with_clear_errors() {
    let host = host();
    // Value: exactly 1 MiB is fine, one byte more is not.
    ok(
        &host,
        json!({"op": "set", "key": "v", "value": "x", "repeat": 1 << 20, "ttl_ms": 1000}),
    );
    let (status, kind, message) = fail(
        &host,
        json!({"op": "set", "key": "v", "value": "x", "repeat": (1 << 20) + 1, "ttl_ms": 1000}),
    );
    assert_eq!((status, kind.as_str()), (413, "LimitExceeded"));
    assert!(
        message.contains("value is 1048577 bytes, over the 1048576-byte limit"),
        "{message}"
    );
    // Key: 64 KiB.
    let key = "k".repeat((64 << 10) + 1);
    let (status, kind, message) = fail(&host, json!({"op": "get", "key": key}));
    assert_eq!((status, kind.as_str()), (413, "LimitExceeded"));
    assert!(message.contains("key is 65537 bytes"), "{message}");
    ok(&host, json!({"op": "get", "key": "k".repeat(64 << 10)}));
    // TTL: zero is invalid, over a day is over the limit.
    let (status, kind, _) = fail(
        &host,
        json!({"op": "set", "key": "t", "value": "v", "ttl_ms": 0}),
    );
    assert_eq!((status, kind.as_str()), (400, "InvalidArgument"));
    ok(
        &host,
        json!({"op": "set", "key": "t", "value": "v", "ttl_ms": 86_400_000}),
    );
    let (status, kind, message) = fail(
        &host,
        json!({"op": "set", "key": "t", "value": "v", "ttl_ms": 86_400_001}),
    );
    assert_eq!((status, kind.as_str()), (413, "LimitExceeded"));
    assert!(message.contains("TTL"), "{message}");
    // Empty key.
    let (status, kind, _) = fail(&host, json!({"op": "delete", "key": ""}));
    assert_eq!((status, kind.as_str()), (400, "InvalidArgument"));
    // Failed calls changed nothing.
    assert_eq!(host.cache().get("v").map(|v| v.len()), Some(1 << 20));
    assert_eq!(
        host.cache().calls().iter().filter(|c| c.is_err()).count(),
        5
    );
}

#[test]
fn limits_are_configurable() {
    let limits = CacheLimits::default()
        .with_max_key_bytes(4)
        .with_max_value_bytes(3)
        .with_max_ttl(Duration::from_secs(1));
    let host = probe(TestHost::builder().cache_limits(limits.clone()));
    assert_eq!(host.cache().limits(), &limits);
    ok(
        &host,
        json!({"op": "set", "key": "abcd", "value": "xyz", "ttl_ms": 1000}),
    );
    for op in [
        json!({"op": "set", "key": "abcde", "value": "x", "ttl_ms": 1}),
        json!({"op": "set", "key": "a", "value": "wxyz", "ttl_ms": 1}),
        json!({"op": "set", "key": "a", "value": "x", "ttl_ms": 1001}),
        json!({"op": "increment", "key": "a", "amount": 1, "ttl_ms": 1001}),
    ] {
        let (status, kind, _) = fail(&host, op);
        assert_eq!((status, kind.as_str()), (413, "LimitExceeded"));
    }
}

#[test]
fn increment_of_text_or_past_i64_is_refused() {
    let host = host();
    host.cache().insert("word", "hello");
    let (status, kind, message) = fail(
        &host,
        json!({"op": "increment", "key": "word", "amount": 1, "ttl_ms": 1000}),
    );
    // `increment` is the SDK's compare-and-set loop over `set-if`: the SDK itself refuses a value that is
    // not an integer, and a sum past i64.
    assert_eq!((status, kind.as_str()), (409, "NotAnInteger"));
    assert!(message.contains("not an integer"), "{message}");
    host.cache().insert("max", i64::MAX.to_string());
    let (status, _, message) = fail(
        &host,
        json!({"op": "increment", "key": "max", "amount": 1, "ttl_ms": 1000}),
    );
    assert_eq!(status, 409);
    assert!(message.contains("overflows"), "{message}");
}

#[test]
fn injected_faults_reach_the_function_as_typed_errors() {
    let host = host();
    host.cache()
        .fail_next(2, CacheError::Timeout("injected".into()));
    for _ in 0..2 {
        let (status, kind, message) = fail(
            &host,
            json!({"op": "set", "key": "a", "value": "v", "ttl_ms": 1000}),
        );
        // The published `timeout` carries no message: the injected one stays in the host's record.
        assert_eq!((status, kind.as_str()), (504, "Timeout"), "{message}");
    }
    ok(
        &host,
        json!({"op": "set", "key": "a", "value": "v", "ttl_ms": 1000}),
    );

    host.cache()
        .fail_key("secret", CacheError::PermissionDenied("not for you".into()));
    let (status, kind, _) = fail(&host, json!({"op": "get", "key": "secret"}));
    assert_eq!((status, kind.as_str()), (403, "PermissionDenied"));
    ok(&host, json!({"op": "get", "key": "public"}));

    host.cache().clear_faults();
    host.cache()
        .fail_next(1, CacheError::Internal("disk on fire".into()));
    let (status, kind, _) = fail(
        &host,
        json!({"op": "increment", "key": "n", "amount": 1, "ttl_ms": 1000}),
    );
    assert_eq!((status, kind.as_str()), (500, "Internal"));
    host.cache()
        .fail_next(1, CacheError::InvalidArgument("bad".into()));
    let (status, kind, _) = fail(&host, json!({"op": "get", "key": "n"}));
    assert_eq!((status, kind.as_str()), (400, "InvalidArgument"));
    assert_eq!(
        ok(&host, json!({"op": "get", "key": "secret"})),
        json!(null)
    );
    assert!(
        !host.cache().contains_key("n"),
        "a failed call changes nothing"
    );
    let failed: Vec<String> = host
        .cache()
        .calls()
        .iter()
        .filter(|c| c.is_err())
        .map(|c| c.op_name().to_owned())
        .collect();
    // The failed increment failed at its first step, the `get` of the compare-and-set loop.
    assert_eq!(failed, ["set", "set", "get", "get", "get"]);
}

#[test]
fn concurrent_invocations_share_one_linearizable_cache() {
    let host = host();
    let threads = 4;
    let per_thread = 25;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let host = host.clone();
            scope.spawn(move || {
                for _ in 0..per_thread {
                    let (status, body) = run(
                        &host,
                        json!({"op": "increment", "key": "hits", "amount": 1, "ttl_ms": 60_000}),
                    );
                    assert_eq!(status, 200, "{body}");
                }
            });
        }
    });
    let total = threads * per_thread;
    assert_eq!(host.cache().get_string("hits"), Some(total.to_string()));
    // An increment is a compare-and-set loop over set-if; the log is in execution order, so the values
    // of the set-ifs that stored count up 1..=total, whatever the interleaving of losers.
    let values: Vec<i64> = host
        .cache()
        .calls()
        .iter()
        .filter_map(|c| match (&c.op, &c.result) {
            (CacheOp::SetIf { value, .. }, Ok(CacheOutcome::Stored)) => {
                Some(String::from_utf8_lossy(value).parse().expect("a number"))
            }
            _ => None,
        })
        .collect();
    assert_eq!(values, (1..=total as i64).collect::<Vec<_>>());
}

#[test]
fn call_recording_can_be_turned_off() {
    let host = probe(TestHost::builder().record_calls(false));
    ok(
        &host,
        json!({"op": "set", "key": "a", "value": "v", "ttl_ms": 1000}),
    );
    assert!(host.cache().calls().is_empty());
    assert!(host.cache().contains_key("a"));
}

#[test]
fn the_function_imports_the_cache_interface() {
    let host = host();
    assert!(
        host.imports()
            .host_interfaces
            .iter()
            .any(|i| i == "momento:cache-scalar/cache-scalar@1.0.0"),
        "{:?}",
        host.imports()
    );
}
