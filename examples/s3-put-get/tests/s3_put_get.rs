//! The S3 file server, built to wasm and run against the test host's in-memory S3.

use momento_functions_test_host::aws::{AwsErrorKind, AwsFault, AwsService, S3Bucket};
use momento_functions_test_host::{Request, Response, TestHost, TestHostBuilder};
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/files";

fn builder() -> TestHostBuilder {
    TestHost::builder()
        .env("FILES_ROLE_ARN", ROLE)
        .aws_role(ROLE)
        // The published `aws-s3` reports user metadata, not the object's content type: the function keeps
        // the content type in the `content-type` metadata entry, so the seeds do too.
        .s3_bucket(
            S3Bucket::new("files")
                .object_with_metadata(
                    "hello.txt",
                    "Hello from S3!\n",
                    [("content-type", "text/plain")],
                )
                .object_with_metadata(
                    "reports/q1.csv",
                    "month,total\njan,10\n",
                    [("content-type", "text/csv")],
                )
                .object_with_metadata(
                    "reports/q2.csv",
                    "month,total\napr,12\n",
                    [("content-type", "text/csv")],
                ),
        )
}

fn load(builder: TestHostBuilder) -> TestHost {
    builder
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the function builds and loads")
}

fn host() -> TestHost {
    load(builder())
}

fn call(host: &TestHost, request: Request) -> Response {
    host.invoke(request).expect("the invocation runs")
}

fn body(response: &Response) -> Value {
    response.json().expect("a JSON body")
}

fn s3_calls(host: &TestHost) -> Vec<(String, Value, Option<AwsErrorKind>)> {
    host.aws()
        .calls()
        .into_iter()
        .filter(|c| c.service == AwsService::S3)
        .map(|c| (c.operation, c.params, c.error.map(|e| e.kind)))
        .collect()
}

#[test]
fn a_stored_object_is_served_with_its_content_type_and_etag() {
    let host = host();
    let response = call(&host, Request::get("/hello.txt"));
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().expect("text"), "Hello from S3!\n");
    assert_eq!(response.header("content-type"), Some("text/plain"));
    let stored = host.aws().s3_object("files", "hello.txt").expect("seeded");
    assert_eq!(response.header("etag"), Some(stored.etag.as_str()));
    // S3's entity tag of a single-part upload: the quoted hex MD5 of the body (`md5sum`).
    assert_eq!(stored.etag, "\"d466edb0173b718cc4f62b2c0f0ce909\"");

    let calls = host.aws().calls();
    assert_eq!(calls[0].service, AwsService::Auth);
    assert_eq!(calls[0].operation, "AssumeRole");
    assert_eq!(calls[0].principal, ROLE);
    assert_eq!(calls[1].operation, "GetObject");
    assert_eq!(calls[1].resource, "files");
    assert_eq!(calls[1].principal, ROLE);
    assert_eq!(calls[1].params, json!({"key": "hello.txt"}));
}

#[test]
fn put_then_get_round_trips_and_records_the_calls() {
    let host = host();
    let put = call(
        &host,
        Request::new("PUT", "/notes/today.md")
            .header("content-type", "text/markdown")
            .body("# Today\n"),
    );
    assert_eq!(put.status(), 201);
    let etag = "\"1d40a55e3b2164548ef094b371d4095f\"";
    assert_eq!(body(&put), json!({"key": "notes/today.md", "etag": etag}));

    let stored = host
        .aws()
        .s3_object("files", "notes/today.md")
        .expect("stored");
    assert_eq!(stored.body, b"# Today\n");
    assert_eq!(
        stored.metadata,
        [("content-type".to_owned(), "text/markdown".to_owned())]
    );
    assert_eq!(stored.etag, etag);

    let get = call(&host, Request::get("/notes/today.md"));
    assert_eq!(get.status(), 200);
    assert_eq!(get.body(), b"# Today\n");
    assert_eq!(get.header("content-type"), Some("text/markdown"));
    assert_eq!(
        s3_calls(&host),
        [
            (
                "PutObject".into(),
                json!({"key": "notes/today.md", "size": 8, "metadata": {"content-type": "text/markdown"}}),
                None
            ),
            ("GetObject".into(), json!({"key": "notes/today.md"}), None),
        ]
    );
}

#[test]
fn objects_without_a_content_type_are_binary() {
    let host = host();
    let put = call(&host, Request::new("PUT", "/blob").body(vec![0u8, 1, 2]));
    assert_eq!(put.status(), 201);
    let get = call(&host, Request::get("/blob"));
    assert_eq!(get.header("content-type"), Some("binary/octet-stream"));
    assert_eq!(get.body(), [0, 1, 2]);
}

#[test]
fn listing_by_prefix() {
    let host = host();
    let response = call(&host, Request::get("/").query_param("prefix", "reports/"));
    assert_eq!(response.status(), 200);
    let keys: Vec<Value> = body(&response)["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .map(|o| o["key"].clone())
        .collect();
    assert_eq!(keys, [json!("reports/q1.csv"), json!("reports/q2.csv")]);
    assert_eq!(
        body(&response)["objects"][0]["size"],
        "month,total\njan,10\n".len()
    );
    let everything = call(&host, Request::get("/"));
    assert_eq!(
        body(&everything)["objects"].as_array().map(Vec::len),
        Some(3)
    );
    // Listing goes to S3's REST endpoint through signed HTTP; the call records the request.
    assert_eq!(
        s3_calls(&host)[0].1,
        json!({"method": "GET", "key": null, "query": ["list-type=2", "prefix=reports/"], "size": 0})
    );
}

#[test]
fn delete_removes_the_object() {
    let host = host();
    assert_eq!(
        call(&host, Request::new("DELETE", "/hello.txt")).status(),
        204
    );
    assert_eq!(host.aws().s3_object("files", "hello.txt"), None);
    assert_eq!(call(&host, Request::get("/hello.txt")).status(), 404);
    // Deleting what is not there succeeds, as with S3.
    assert_eq!(
        call(&host, Request::new("DELETE", "/hello.txt")).status(),
        204
    );
    assert_eq!(
        host.aws().s3_keys("files"),
        Some(vec!["reports/q1.csv".into(), "reports/q2.csv".into()])
    );
}

#[test]
fn a_missing_object_is_a_404() {
    let host = host();
    let response = call(&host, Request::get("/nothing-here"));
    assert_eq!(response.status(), 404);
    assert_eq!(
        body(&response)["message"],
        "no object `nothing-here` in bucket `files`"
    );
    assert_eq!(
        s3_calls(&host),
        [("GetObject".into(), json!({"key": "nothing-here"}), None)]
    );
}

#[test]
fn a_missing_bucket_is_a_404_from_s3() {
    let host = load(builder().env("FILES_BUCKET", "no-such-bucket"));
    let response = call(&host, Request::get("/hello.txt"));
    assert_eq!(response.status(), 404);
    assert!(
        body(&response)["message"]
            .as_str()
            .unwrap_or_default()
            .contains("NoSuchBucket"),
    );
}

#[test]
fn a_role_the_host_does_not_allow_is_unauthorized() {
    let host = load(
        TestHost::builder()
            .env("FILES_ROLE_ARN", ROLE)
            .aws_role("arn:aws:iam::123456789012:role/someone-else")
            .s3_bucket(S3Bucket::new("files")),
    );
    let response = call(&host, Request::get("/hello.txt"));
    assert_eq!(response.status(), 403);
    assert_eq!(
        body(&response)["message"],
        format!(
            "AWS refused the credentials: AccessDenied: the function host is not authorized to perform: sts:AssumeRole on resource: {ROLE}"
        )
    );
    let calls = host.aws().calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].operation, "AssumeRole");
    assert_eq!(
        calls[0].error.as_ref().map(|e| e.kind),
        Some(AwsErrorKind::Unauthorized)
    );
}

#[test]
fn an_injected_access_denied_stops_the_write() {
    let host = host();
    host.aws().inject_fault(
        AwsFault::unauthorized()
            .service(AwsService::S3)
            .operation("PutObject"),
    );
    let response = call(&host, Request::new("PUT", "/secret.txt").body("x"));
    assert_eq!(response.status(), 403);
    assert!(
        body(&response)["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("S3 refused the credentials: AccessDenied")
    );
    assert_eq!(host.aws().s3_object("files", "secret.txt"), None);
    // Reads are not affected.
    assert_eq!(call(&host, Request::get("/hello.txt")).status(), 200);
}

#[test]
fn malformed_requests_are_400() {
    let host = host();
    let no_key = call(&host, Request::new("PUT", "/").body("x"));
    assert_eq!(no_key.status(), 400);
    assert!(s3_calls(&host).is_empty());

    let long_key = format!("/{}", "k".repeat(1100));
    let too_long = call(&host, Request::new("PUT", long_key).body("x"));
    assert_eq!(too_long.status(), 400);
    assert!(
        body(&too_long)["message"]
            .as_str()
            .unwrap_or_default()
            .contains("KeyTooLongError"),
    );
    assert_eq!(s3_calls(&host)[0].2, Some(AwsErrorKind::Malformed));

    let bad_type = call(
        &host,
        Request::new("PUT", "/x")
            .header("content-type", "text/plain\u{7f}")
            .body("x"),
    );
    assert_eq!(bad_type.status(), 400);
}

#[test]
fn an_unconfigured_function_is_a_500() {
    let host = load(TestHost::builder().s3_bucket(S3Bucket::new("files")));
    let response = call(&host, Request::get("/hello.txt"));
    assert_eq!(response.status(), 500);
    assert_eq!(
        body(&response)["message"],
        "FILES_ROLE_ARN is not configured"
    );
    assert!(host.aws().calls().is_empty());
}

#[test]
fn the_fixtures_file_sets_up_the_same_host() {
    let host = load(
        TestHost::builder().fixtures_file(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures.toml")),
    );
    let response = call(&host, Request::get("/reports/q1.csv"));
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("content-type"), Some("text/csv"));
}

#[test]
fn a_malformed_region_is_400_and_a_throttled_role_429() {
    let on_mars = load(builder().env("FILES_REGION", "mars-north"));
    let response = call(&on_mars, Request::get("/hello.txt"));
    assert_eq!(response.status(), 400);
    assert_eq!(
        body(&response)["message"],
        "malformed AWS credentials request: ValidationError: `mars-north` is not an AWS region (e.g. us-east-1)"
    );

    let host = host();
    host.aws().inject_fault(
        AwsFault::throttled()
            .service(AwsService::Auth)
            .operation("AssumeRole")
            .times(1),
    );
    assert_eq!(call(&host, Request::get("/hello.txt")).status(), 429);
    assert_eq!(call(&host, Request::get("/hello.txt")).status(), 200);
    assert_eq!(host.aws().sessions(), 1);
}
