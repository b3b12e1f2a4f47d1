//! The published contract as our SDK uses it, end to end through the probe guest: the request context from
//! the once-only support calls, Momento's environment variables, bodies passed on as host buffers without
//! entering the guest, HTTP `authorization` (recorded in mock mode, signed with SigV4 in real mode), the
//! logging configuration, and every example component importing only published interfaces.

mod common;

use common::{Loopback, PROBE, Reply, ok, probe};
use momento_functions_test_host::guest_build::build_crate_once;
use momento_functions_test_host::{
    Handler, HttpAuthorization, HttpRoute, Level, Limits, LogDestination, LogSource, MockResponse,
    Request, TestHost, check_component,
};
use serde_json::json;

#[test]
fn the_request_context_comes_from_the_support_calls_once_and_is_kept() {
    let host = probe(
        TestHost::builder()
            .function_name("probe-fn")
            .cache_name("probe-cache"),
    );
    let response = host
        .invoke(
            Request::post("/")
                .query("a=1&b=two%20words")
                .header("x-trace", "t-9")
                .token_metadata("tenant=3")
                .json(&json!({"op": "context"})),
        )
        .expect("invoke");
    assert_eq!(response.status(), 200, "{:?}", response.text());
    let context = &response.json::<serde_json::Value>().expect("JSON")["ok"];
    // Each part was read twice: the second read must see the same value although the host hands headers,
    // query, token metadata and path over only once.
    for key in ["first", "second"] {
        let seen = &context[key];
        assert_eq!(seen["method"], "POST", "{context}");
        assert_eq!(seen["path"], "/", "{context}");
        let headers = seen["headers"].as_array().expect("header pairs");
        assert!(headers.contains(&json!(["x-trace", "t-9"])), "{context}");
        assert_eq!(
            seen["query"],
            json!([["a", "1"], ["b", "two words"]]),
            "{context}"
        );
        assert_eq!(seen["token_metadata"], "tenant=3", "{context}");
        assert_eq!(seen["invocation_id"], response.invocation_id(), "{context}");
        assert_eq!(seen["function_name"], "probe-fn", "{context}");
        assert_eq!(seen["cache_name"], "probe-cache", "{context}");
    }
}

#[test]
fn bodies_pass_through_as_host_buffers_without_entering_the_guest() {
    let upstream = Loopback::start(|received| Reply::ok(received.body.clone()));
    let host = probe(TestHost::builder().real_http());
    let body = vec![b'z'; 1 << 20];

    let echoed = host
        .invoke(Request::post("/echo-data").body(body.clone()))
        .expect("invoke");
    assert_eq!(echoed.header("x-host-buffer"), Some("true"));
    assert_eq!(echoed.body(), body.as_slice());
    assert!(
        echoed.bytes_copied_to_guest() < 1024,
        "{}",
        echoed.bytes_copied_to_guest()
    );

    let stored = host
        .invoke(
            Request::post("/cache-set-body")
                .query("key=blob&ttl_ms=60000")
                .body(body.clone()),
        )
        .expect("invoke");
    assert_eq!(stored.status(), 200, "{:?}", stored.text());
    assert_eq!(host.cache().get("blob").map(|v| v.len()), Some(body.len()));
    assert!(
        stored.bytes_copied_to_guest() < 1024,
        "{}",
        stored.bytes_copied_to_guest()
    );

    let forwarded = host
        .invoke(
            Request::post("/http-forward-body")
                .query_param("url", &upstream.url("/sink"))
                .body(body.clone()),
        )
        .expect("invoke");
    assert_eq!(forwarded.status(), 200, "{:?}", forwarded.text());
    assert_eq!(forwarded.body().len(), body.len());
    assert_eq!(upstream.received()[0].body.len(), body.len());
    assert!(
        forwarded.bytes_copied_to_guest() < 1024,
        "request and upstream response bodies both stayed in the host: {}",
        forwarded.bytes_copied_to_guest()
    );
}

#[test]
fn authorization_is_recorded_in_mock_mode_without_the_secret() {
    let host =
        probe(TestHost::builder().http_route(HttpRoute::any("https://api.example.com/").prefix()));
    ok(
        &host,
        json!({"op": "http", "method": "GET", "url": "https://api.example.com/signed",
               "authorization": {"sigv4": {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "s3cr3t",
                                           "region": "eu-west-1", "service": "execute-api"}}}),
    );
    ok(
        &host,
        json!({"op": "http", "method": "GET", "url": "https://api.example.com/role",
               "authorization": {"federated": {"role_arn": "arn:aws:iam::123456789012:role/caller", "service": "lambda"}}}),
    );
    let calls = host.http().calls();
    assert_eq!(
        calls[0].authorization,
        HttpAuthorization::SigV4 {
            access_key_id: "AKIDEXAMPLE".into(),
            region: "eu-west-1".into(),
            service: "execute-api".into()
        }
    );
    assert!(
        !format!("{:?}", calls[0]).contains("s3cr3t"),
        "the secret is never recorded"
    );
    assert_eq!(
        calls[1].authorization,
        HttpAuthorization::Federated {
            role_arn: "arn:aws:iam::123456789012:role/caller".into(),
            service: "lambda".into()
        }
    );
}

#[test]
fn real_requests_are_signed_with_sigv4_by_the_host() {
    let upstream = Loopback::start(|_| Reply::ok("signed ok"));
    let role = "arn:aws:iam::123456789012:role/caller";
    let host = probe(TestHost::builder().real_http().aws_role_credentials(
        role,
        "AKIDROLE",
        "role-secret",
        "us-west-2",
    ));
    ok(
        &host,
        json!({"op": "http", "method": "POST", "url": upstream.url("/keys?b=2&a=1"), "body": "payload",
               "authorization": {"sigv4": {"access_key_id": "AKIDEXAMPLE", "secret_access_key": "s",
                                           "region": "eu-west-1", "service": "execute-api"}}}),
    );
    ok(
        &host,
        json!({"op": "http", "method": "GET", "url": upstream.url("/role"),
               "authorization": {"federated": {"role_arn": role, "service": "lambda"}}}),
    );
    let received = upstream.received();
    let keys = received[0].header("authorization").expect("signed");
    assert!(
        keys.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
            && keys.contains("/eu-west-1/execute-api/aws4_request")
            && keys.contains("SignedHeaders=")
            && keys.contains("Signature="),
        "{keys}"
    );
    assert!(received[0].header("x-amz-date").is_some());
    let role_auth = received[1]
        .header("authorization")
        .expect("signed as the role");
    assert!(
        role_auth.contains("Credential=AKIDROLE/") && role_auth.contains("/us-west-2/lambda/"),
        "{role_auth}"
    );

    // A role the test declared no credentials for cannot be signed for: a typed error, nothing sent.
    let (status, kind, message) = common::fail(
        &host,
        json!({"op": "http", "method": "GET", "url": upstream.url("/other"),
               "authorization": {"federated": {"role_arn": "arn:aws:iam::123456789012:role/other", "service": "s3"}}}),
    );
    assert_eq!(status, 502, "{kind}: {message}");
    assert!(message.contains("no credentials for role"), "{message}");
    assert_eq!(upstream.received().len(), 2);
}

#[test]
fn logging_configuration_is_recorded_and_lines_keep_their_target() {
    let host = probe(TestHost::builder());
    ok(
        &host,
        json!({"op": "configure_logging", "destinations": [{"topic": "fn-logs"},
               {"cloudwatch": {"role_arn": "arn:aws:iam::123456789012:role/logs", "log_group": "/fn"}}],
               "log_level": "debug", "system_log_level": "warn"}),
    );
    let configured = host.logging().configurations();
    assert_eq!(configured.len(), 1);
    assert_eq!(configured[0].result, Ok(()));
    assert_eq!(configured[0].configurations.len(), 2);
    assert_eq!(
        configured[0].configurations[0].destination,
        LogDestination::Topic {
            topic_name: "fn-logs".into()
        }
    );
    assert_eq!(
        configured[0].configurations[0].log_level,
        Some(Level::Debug)
    );
    assert_eq!(
        configured[0].configurations[1].system_logs_level,
        Some(Level::Warn)
    );

    let response = host
        .invoke(Request::post("/").json(&json!({"op": "log", "records": [
            {"level": "info", "message": "hello", "target": "probe::audit"},
            {"level": "trace", "message": "fine detail"}]})))
        .expect("invoke");
    let records: Vec<_> = response
        .logs()
        .iter()
        .filter(|r| r.source == LogSource::Log)
        .collect();
    assert_eq!(records[0].target, "probe::audit");
    assert_eq!(records[0].message, "hello");
    // Momento's levels stop at debug: a trace record arrives as debug.
    assert_eq!(records[1].level, Level::Debug);

    // A CloudWatch role the AWS policy refuses is refused here too, as Momento refuses a role it cannot assume.
    let strict = probe(TestHost::builder().aws_role("arn:aws:iam::123456789012:role/only"));
    let (status, _, message) = common::fail(
        &strict,
        json!({"op": "configure_logging",
               "destinations": [{"cloudwatch": {"role_arn": "arn:aws:iam::123456789012:role/logs", "log_group": "/fn"}}]}),
    );
    assert_ne!(status, 200);
    assert!(message.contains("could not assume role"), "{message}");
}

#[test]
fn every_example_imports_only_published_interfaces() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut checked = 0;
    for entry in std::fs::read_dir(&examples).expect("examples/") {
        let dir = entry.expect("an entry").path();
        if !dir.join("Cargo.toml").exists() {
            continue;
        }
        let wasm = build_crate_once(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let report = check_component(
            &std::fs::read(&wasm).expect("the component"),
            &Limits::default(),
        );
        // Linking type-checks every import against the host, whose interfaces are the published WIT (see
        // contract_drift.rs): an accepted component imports published interfaces with published types.
        assert!(report.is_ok(), "{}: {:?}", dir.display(), report.problems);
        // Web functions, and the spawn function of examples/spawn-worker.
        assert!(
            matches!(report.handler, Some(Handler::Web | Handler::Spawn)),
            "{}: {:?}",
            dir.display(),
            report.handler
        );
        for interface in &report.imports.host_interfaces {
            assert!(
                interface.starts_with("momento:") && !interface.starts_with("momento:functions/"),
                "{}: {interface} is not a current-generation published interface",
                dir.display()
            );
        }
        assert!(
            report.imports.not_implemented.is_empty(),
            "{}: {:?}",
            dir.display(),
            report.imports.not_implemented
        );
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} examples found");
    // The probe too (it uses every client of the SDK).
    let wasm = build_crate_once(std::path::Path::new(PROBE)).expect("the probe builds");
    assert!(check_component(&std::fs::read(wasm).expect("read"), &Limits::default()).is_ok());
}

#[test]
fn aws_services_the_host_does_not_keep_in_memory_are_answered_by_routes() {
    // Only DynamoDB and S3 endpoints are answered in memory; a request to another AWS service goes to the
    // mock routes (or the network in real mode) like any other.
    let host = probe(
        TestHost::builder().http_route(
            HttpRoute::post("https://sqs.us-east-1.amazonaws.com/")
                .respond(MockResponse::ok().body("<ok/>")),
        ),
    );
    let result = ok(
        &host,
        json!({"op": "http", "method": "POST", "url": "https://sqs.us-east-1.amazonaws.com/", "body": "x",
               "authorization": {"sigv4": {"access_key_id": "AK", "secret_access_key": "s", "region": "us-east-1", "service": "sqs"}}}),
    );
    assert_eq!(result["status"], 200);
}
