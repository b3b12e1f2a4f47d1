//! The announced DynamoDB proxy, built to wasm and run against the test host's in-memory DynamoDB.

use momento_functions_test_host::aws::{
    AwsErrorKind, AwsFault, AwsService, DynamoDbTable, KeyType,
};
use momento_functions_test_host::{Request, Response, TestHost, TestHostBuilder};
use serde_json::{Value, json};

/// AWS's documentation example keys: baked into the function and accepted by the host.
const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn users() -> DynamoDbTable {
    DynamoDbTable::new("users", "user_id", KeyType::S)
        .item(json!({"user_id": "u1", "name": "Ada Lovelace", "born": 1815}))
        .typed_item(json!({
            "user_id": {"S": "u3"},
            "name": {"S": "Alan Turing"},
            "born": {"N": "1912"},
            "avatar": {"B": "iVBORw0K"},
            "admin": {"BOOL": true},
            "nickname": {"NULL": true},
            "papers": {"L": [{"S": "On Computable Numbers"}, {"N": "1936"}]},
            "address": {"M": {"city": {"S": "Wilmslow"}}},
            "roles": {"SS": ["admin", "dev"]},
            "scores": {"NS": ["1.5", "2"]},
            "keys": {"BS": ["AQ==", "AgM="]}
        }))
}

/// A host that accepts only the example keys, for a build with `build_env` (key id, secret).
fn builder_built_with(key_id: &str, secret: &str) -> TestHostBuilder {
    TestHost::builder()
        .build_env("AWS_ACCESS_KEY_ID", key_id)
        .build_env("AWS_SECRET_ACCESS_KEY", secret)
        .aws_credentials(KEY_ID, SECRET)
        .dynamodb_table(users())
}

fn load(builder: TestHostBuilder) -> TestHost {
    builder
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the function builds and loads")
}

fn host() -> TestHost {
    load(builder_built_with(KEY_ID, SECRET))
}

fn get_user(host: &TestHost, body: Value) -> Response {
    host.invoke(Request::post("/").json(&body))
        .expect("the invocation runs")
}

fn body(response: &Response) -> Value {
    response.json().expect("a JSON body")
}

#[test]
fn a_stored_user_is_returned_as_plain_json() {
    let host = host();
    let response = get_user(&host, json!({"user": "u1"}));
    assert_eq!(response.status(), 200);
    assert_eq!(
        body(&response),
        json!({"user": {"user_id": "u1", "name": "Ada Lovelace", "born": 1815}})
    );

    let calls = host.aws().calls();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert_eq!(calls[0].service, AwsService::Auth);
    assert_eq!(calls[0].operation, "StaticCredentials");
    let get = &calls[1];
    assert_eq!(
        (get.service, get.operation.as_str(), get.resource.as_str()),
        (AwsService::DynamoDb, "GetItem", "users")
    );
    assert_eq!(get.region, "us-east-1");
    assert_eq!(get.principal, KEY_ID);
    // The call is recorded as DynamoDB received it; `plain` reads an attribute map as plain JSON.
    assert_eq!(get.plain("Key"), Some(json!({"user_id": "u1"})));
    assert_eq!(get.error, None);
    assert_eq!(get.invocation_id, response.invocation_id());
}

#[test]
fn every_attribute_type_reads_back_as_plain_json() {
    let response = get_user(&host(), json!({"user": "u3"}));
    assert_eq!(response.status(), 200);
    assert_eq!(
        body(&response)["user"],
        json!({
            "user_id": "u3",
            "name": "Alan Turing",
            "born": 1912,
            "avatar": "iVBORw0K",
            "admin": true,
            "nickname": null,
            "papers": ["On Computable Numbers", 1936],
            "address": {"city": "Wilmslow"},
            "roles": ["admin", "dev"],
            "scores": [1.5, 2],
            "keys": ["AQ==", "AgM="]
        })
    );
}

#[test]
fn a_missing_user_is_null() {
    let host = host();
    let response = get_user(&host, json!({"user": "nobody"}));
    assert_eq!(response.status(), 200);
    assert_eq!(body(&response), json!({"user": null}));
    let calls = host.aws().calls();
    assert_eq!(calls[1].plain("Key"), Some(json!({"user_id": "nobody"})));
    assert_eq!(calls[1].error, None);
    assert_eq!(
        host.aws().dynamodb_items("users").map(|items| items.len()),
        Some(2)
    );
}

#[test]
fn keys_the_host_does_not_accept_are_unauthorized() {
    let host = load(builder_built_with("AKIAOTHERKEYEXAMPLE", "not-the-secret"));
    let response = get_user(&host, json!({"user": "u1"}));
    assert_eq!(response.status(), 403);
    let message = body(&response)["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        message,
        "DynamoDB refused the credentials: UnrecognizedClientException: The security token included in the request is invalid."
    );
    let calls = host.aws().calls();
    let get = calls.last().expect("the GetItem call is recorded");
    assert_eq!(get.operation, "GetItem");
    assert_eq!(get.principal, "AKIAOTHERKEYEXAMPLE");
    let error = get.error.as_ref().expect("refused");
    assert_eq!(error.kind, AwsErrorKind::Unauthorized);
    assert_eq!(error.code, "UnrecognizedClientException");
}

#[test]
fn a_build_without_keys_is_unauthorized_before_any_aws_call() {
    let host = load(builder_built_with("", ""));
    let response = get_user(&host, json!({"user": "u1"}));
    assert_eq!(response.status(), 403);
    let message = body(&response)["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.starts_with(
            "AWS refused the credentials: the function was built without AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        ),
        "{message}"
    );
    assert!(host.aws().calls().is_empty());
}

#[test]
fn malformed_requests_are_400_without_aws_calls() {
    let host = host();
    for bad in [json!({"usr": "u1"}), json!({"user": 7}), json!([])] {
        let response = get_user(&host, bad.clone());
        assert_eq!(response.status(), 400, "{bad}");
    }
    let response = host
        .invoke(Request::post("/").body("{not json"))
        .expect("the invocation runs");
    assert_eq!(response.status(), 400);
    assert!(host.aws().calls().is_empty());
}

#[test]
fn an_empty_user_id_is_refused_by_dynamodb_as_malformed() {
    let host = host();
    let response = get_user(&host, json!({"user": ""}));
    assert_eq!(response.status(), 400);
    let message = body(&response)["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("ValidationException: One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: user_id"),
        "{message}"
    );
    let error = host.aws().calls()[1].error.clone().expect("refused");
    assert_eq!(error.kind, AwsErrorKind::Malformed);
}

#[test]
fn throttling_is_a_429_and_then_calls_succeed_again() {
    let host = host();
    host.aws().inject_fault(
        AwsFault::throttled()
            .service(AwsService::DynamoDb)
            .operation("GetItem")
            .times(1),
    );
    let throttled = get_user(&host, json!({"user": "u1"}));
    assert_eq!(throttled.status(), 429);
    assert!(
        body(&throttled)["message"]
            .as_str()
            .unwrap_or_default()
            .contains("ThrottlingException: Rate exceeded")
    );
    let again = get_user(&host, json!({"user": "u1"}));
    assert_eq!(again.status(), 200);
    let errors: Vec<_> = host
        .aws()
        .calls()
        .into_iter()
        .filter(|c| c.operation == "GetItem")
        .map(|c| c.error.map(|e| e.kind))
        .collect();
    assert_eq!(errors, [Some(AwsErrorKind::Throttled), None]);
}

#[test]
fn a_missing_table_is_a_404() {
    let host = load(
        TestHost::builder()
            .build_env("AWS_ACCESS_KEY_ID", KEY_ID)
            .build_env("AWS_SECRET_ACCESS_KEY", SECRET),
    );
    let response = get_user(&host, json!({"user": "u1"}));
    assert_eq!(response.status(), 404);
    assert!(
        body(&response)["message"]
            .as_str()
            .unwrap_or_default()
            .contains(
                "ResourceNotFoundException: Requested resource not found: Table: users not found"
            )
    );
}

#[test]
fn the_authenticated_session_stays_hot_across_invocations() {
    let host = host();
    for _ in 0..3 {
        assert_eq!(get_user(&host, json!({"user": "u1"})).status(), 200);
    }
    assert_eq!(host.aws().sessions(), 1);
    assert_eq!(host.aws().calls().len(), 6);
}

#[test]
fn the_fixtures_file_sets_up_the_same_host() {
    let host = load(
        TestHost::builder().fixtures_file(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures.toml")),
    );
    let response = get_user(&host, json!({"user": "u2"}));
    assert_eq!(response.status(), 200);
    assert_eq!(
        body(&response),
        json!({"user": {"user_id": "u2", "name": "Grace Hopper", "languages": ["COBOL", "FLOW-MATIC"], "admiral": true}})
    );
    assert_eq!(
        host.aws()
            .dynamodb_item("users", &json!({"user_id": "u3"}))
            .map(|user| user["roles"].clone()),
        Some(json!(["admin", "dev"]))
    );
}

#[test]
fn calls_are_not_kept_when_the_host_is_told_not_to() {
    let host = load(builder_built_with(KEY_ID, SECRET).keep_aws_calls(false));
    assert_eq!(get_user(&host, json!({"user": "u1"})).status(), 200);
    assert!(host.aws().calls().is_empty());
}
