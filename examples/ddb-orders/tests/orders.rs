//! The orders API, built to wasm and run against the test host's in-memory DynamoDB and Secrets Manager:
//! typed and raw items, conditional writes, deletes, and queries with every sort-key condition.

use momento_functions_test_host::aws::{
    AwsErrorKind, AwsFault, AwsService, DynamoDbTable, KeyType,
};
use momento_functions_test_host::{Request, Response, TestHost, TestHostBuilder};
use serde_json::{Value, json};

const KEY_ID: &str = "AKIAORDERSEXAMPLE";
const SECRET: &str = "orders-example-secret";
const API_KEY: &str = "let-me-in";

fn order(customer: &str, order_id: &str, item: &str, quantity: u32) -> Value {
    json!({"customer_id": customer, "order_id": order_id, "item": item, "quantity": quantity, "status": "pending"})
}

fn orders() -> DynamoDbTable {
    DynamoDbTable::new("orders", "customer_id", KeyType::S)
        .sort_key("order_id", KeyType::S)
        .item(order("c1", "2026-01-05#1", "tea", 1))
        .item(order("c1", "2026-02-11#1", "coffee", 2))
        .item(order("c1", "2026-02-20#1", "cocoa", 3))
        .item(order("c1", "2026-03-01#1", "mate", 4))
        .item(order("c2", "2026-02-01#1", "water", 5))
        .item(json!({"customer_id": "c3", "order_id": "2026-01-01#1", "item": "odd", "quantity": "many"}))
}

fn builder() -> TestHostBuilder {
    TestHost::builder()
        .build_env("ORDERS_AWS_ACCESS_KEY_ID", KEY_ID)
        .build_env("ORDERS_AWS_SECRET_ACCESS_KEY", SECRET)
        .aws_credentials(KEY_ID, SECRET)
        .secret("orders/api-key", API_KEY)
        .dynamodb_table(orders())
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
    host.invoke(request.header("x-api-key", API_KEY))
        .expect("the invocation runs")
}

fn body(response: &Response) -> Value {
    response.json().expect("a JSON body")
}

fn message(response: &Response) -> String {
    body(response)["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn list(host: &TestHost, params: &[(&str, &str)]) -> Response {
    let mut request = Request::get("/").query_param("customer_id", "c1");
    for (k, v) in params {
        request = request.query_param(k, v);
    }
    call(host, request)
}

/// The order ids of a listing.
fn ids(response: &Response) -> Vec<String> {
    assert_eq!(
        response.status(),
        200,
        "{}",
        response.text().unwrap_or_default()
    );
    body(response)["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .map(|o| o["order_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn ddb_calls(host: &TestHost) -> Vec<momento_functions_test_host::aws::AwsCall> {
    host.aws()
        .calls()
        .into_iter()
        .filter(|c| c.service == AwsService::DynamoDb)
        .collect()
}

#[test]
fn create_stores_a_typed_item_once() {
    let host = host();
    let new = order("c9", "2026-04-01#1", "juice", 2);
    let created = call(&host, Request::post("/").json(&new));
    assert_eq!(created.status(), 201);
    assert_eq!(body(&created), new);
    assert_eq!(
        host.aws().dynamodb_item(
            "orders",
            &json!({"customer_id": "c9", "order_id": "2026-04-01#1"})
        ),
        Some(new.clone())
    );
    let put = &ddb_calls(&host)[0];
    assert_eq!(
        (put.operation.as_str(), put.resource.as_str()),
        ("PutItem", "orders")
    );
    // Calls are recorded as DynamoDB received them; `expression` fills in the placeholders, `plain` reads
    // attribute maps as plain JSON.
    assert_eq!(
        put.expression("ConditionExpression").as_deref(),
        Some("attribute_not_exists(order_id)")
    );
    assert_eq!(put.plain("Item"), Some(new.clone()));

    let again = call(
        &host,
        Request::post("/").json(&order("c9", "2026-04-01#1", "beer", 9)),
    );
    assert_eq!(again.status(), 409);
    assert_eq!(
        message(&again),
        "DynamoDB condition failed: ConditionalCheckFailedException: The conditional request failed"
    );
    assert_eq!(
        ddb_calls(&host)[1].error.as_ref().map(|e| e.kind),
        Some(AwsErrorKind::ConditionFailed)
    );
    assert_eq!(
        host.aws()
            .dynamodb_item(
                "orders",
                &json!({"customer_id": "c9", "order_id": "2026-04-01#1"})
            )
            .map(|o| o["item"].clone()),
        Some(json!("juice"))
    );
}

#[test]
fn an_invalid_order_is_400() {
    let host = host();
    let response = call(
        &host,
        Request::post("/")
            .json(&json!({"customer_id": "c1", "order_id": "x", "item": "tea", "quantity": -1})),
    );
    assert_eq!(response.status(), 400);
    let response = call(
        &host,
        Request::post("/")
            .json(&json!({"customer_id": "", "order_id": "x", "item": "tea", "quantity": 1})),
    );
    assert_eq!(response.status(), 400);
    assert!(message(&response).contains("cannot contain an empty string value. Key: customer_id"));
}

#[test]
fn get_reads_one_typed_order_or_404() {
    let host = host();
    let found = call(
        &host,
        Request::get("/")
            .query_param("customer_id", "c1")
            .query_param("order_id", "2026-02-11#1"),
    );
    assert_eq!(found.status(), 200);
    assert_eq!(body(&found), order("c1", "2026-02-11#1", "coffee", 2));
    assert_eq!(
        ddb_calls(&host)[0].plain("Key"),
        Some(json!({"customer_id": "c1", "order_id": "2026-02-11#1"}))
    );

    let missing = call(
        &host,
        Request::get("/")
            .query_param("customer_id", "c1")
            .query_param("order_id", "1999-01-01#1"),
    );
    assert_eq!(missing.status(), 404);
    assert_eq!(message(&missing), "no order 1999-01-01#1");
}

#[test]
fn an_item_that_does_not_fit_the_type_is_a_500_naming_the_attribute() {
    let response = call(
        &host(),
        Request::get("/")
            .query_param("customer_id", "c3")
            .query_param("order_id", "2026-01-01#1"),
    );
    assert_eq!(response.status(), 500);
    assert_eq!(
        message(&response),
        "a stored item does not fit the requested type: attribute `quantity`: invalid type: string \"many\", expected u32"
    );
}

#[test]
fn queries_read_the_partition_in_sort_key_order() {
    let host = host();
    let all = [
        "2026-01-05#1",
        "2026-02-11#1",
        "2026-02-20#1",
        "2026-03-01#1",
    ];
    assert_eq!(ids(&list(&host, &[])), all);
    let mut reversed = all;
    reversed.reverse();
    assert_eq!(ids(&list(&host, &[("descending", "true")])), reversed);
    let query = &ddb_calls(&host)[0];
    assert_eq!(query.operation, "Query");
    assert_eq!(
        query.expression("KeyConditionExpression").as_deref(),
        Some("customer_id = \"c1\"")
    );
    // Ascending is DynamoDB's default: only the descending query says `ScanIndexForward: false`.
    assert_eq!(query.params.get("ScanIndexForward"), None);
    assert_eq!(ddb_calls(&host)[1].params["ScanIndexForward"], false);
}

#[test]
fn every_sort_key_condition() {
    let host = host();
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: [Case<'_>; 7] = [
        (
            &[("op", "eq"), ("value", "2026-02-11#1")],
            &["2026-02-11#1"],
        ),
        (
            &[("op", "lt"), ("value", "2026-02-11#1")],
            &["2026-01-05#1"],
        ),
        (
            &[("op", "le"), ("value", "2026-02-11#1")],
            &["2026-01-05#1", "2026-02-11#1"],
        ),
        (
            &[("op", "gt"), ("value", "2026-02-11#1")],
            &["2026-02-20#1", "2026-03-01#1"],
        ),
        (
            &[("op", "ge"), ("value", "2026-02-20#1")],
            &["2026-02-20#1", "2026-03-01#1"],
        ),
        (
            &[("op", "begins_with"), ("value", "2026-02")],
            &["2026-02-11#1", "2026-02-20#1"],
        ),
        (
            &[
                ("op", "between"),
                ("value", "2026-02"),
                ("high", "2026-02-31"),
            ],
            &["2026-02-11#1", "2026-02-20#1"],
        ),
    ];
    for (params, expected) in cases {
        assert_eq!(ids(&list(&host, params)), expected, "{params:?}");
    }
    let conditions: Vec<Value> = ddb_calls(&host)
        .iter()
        .map(|c| json!(c.expression("KeyConditionExpression")))
        .collect();
    assert_eq!(
        conditions,
        [
            json!("customer_id = \"c1\" AND order_id = \"2026-02-11#1\""),
            json!("customer_id = \"c1\" AND order_id < \"2026-02-11#1\""),
            json!("customer_id = \"c1\" AND order_id <= \"2026-02-11#1\""),
            json!("customer_id = \"c1\" AND order_id > \"2026-02-11#1\""),
            json!("customer_id = \"c1\" AND order_id >= \"2026-02-20#1\""),
            json!("customer_id = \"c1\" AND begins_with(order_id, \"2026-02\")"),
            json!("customer_id = \"c1\" AND order_id BETWEEN \"2026-02\" AND \"2026-02-31\""),
        ]
    );
}

#[test]
fn limit_and_pages() {
    let host = host();
    let first = list(&host, &[("limit", "3")]);
    assert_eq!(
        ids(&first),
        ["2026-01-05#1", "2026-02-11#1", "2026-02-20#1"]
    );
    assert_eq!(body(&first)["next"], "2026-02-20#1");
    let second = list(&host, &[("limit", "3"), ("after", "2026-02-20#1")]);
    assert_eq!(ids(&second), ["2026-03-01#1"]);
    assert_eq!(body(&second)["next"], Value::Null);
    // A page that ends exactly at the limit says "maybe more", as DynamoDB does; the next page is empty.
    let exact = list(&host, &[("limit", "1"), ("after", "2026-02-20#1")]);
    assert_eq!(body(&exact)["next"], "2026-03-01#1");
    assert!(ids(&list(&host, &[("after", "2026-03-01#1")])).is_empty());
    let backwards = list(
        &host,
        &[
            ("descending", "true"),
            ("limit", "2"),
            ("after", "2026-02-20#1"),
        ],
    );
    assert_eq!(ids(&backwards), ["2026-02-11#1", "2026-01-05#1"]);
}

#[test]
fn invalid_queries_are_400_with_dynamodb_messages() {
    let host = host();
    let backwards = list(
        &host,
        &[("op", "between"), ("value", "2026-03"), ("high", "2026-01")],
    );
    assert_eq!(backwards.status(), 400);
    assert!(
        message(&backwards).contains(
            "ValidationException: Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound"
        ),
        "{}",
        message(&backwards)
    );
    let zero = list(&host, &[("limit", "0")]);
    assert_eq!(zero.status(), 400);
    assert!(message(&zero).contains("Member must have value greater than or equal to 1"));
    let unknown = list(&host, &[("op", "near"), ("value", "x")]);
    assert_eq!(unknown.status(), 400);
    assert_eq!(
        ddb_calls(&host)
            .iter()
            .map(|c| c.error.as_ref().map(|e| e.code.clone()))
            .collect::<Vec<_>>(),
        [
            Some("ValidationException".to_owned()),
            Some("ValidationException".to_owned())
        ]
    );
}

#[test]
fn replace_needs_the_order_to_exist_or_to_be_in_a_status() {
    let host = host();
    let mut shipped = order("c1", "2026-01-05#1", "tea", 1);
    shipped["status"] = json!("shipped");
    shipped["carrier"] = json!("post");
    let replaced = call(&host, Request::new("PUT", "/").json(&shipped));
    assert_eq!(replaced.status(), 200);
    assert_eq!(body(&replaced), shipped);
    assert_eq!(
        host.aws().dynamodb_item(
            "orders",
            &json!({"customer_id": "c1", "order_id": "2026-01-05#1"})
        ),
        Some(shipped.clone())
    );
    assert_eq!(
        ddb_calls(&host)[0]
            .expression("ConditionExpression")
            .as_deref(),
        Some("attribute_exists(order_id)")
    );

    let ghost = call(
        &host,
        Request::new("PUT", "/").json(&order("c1", "2030-01-01#1", "ghost", 1)),
    );
    assert_eq!(ghost.status(), 409);
    assert_eq!(
        host.aws().dynamodb_item(
            "orders",
            &json!({"customer_id": "c1", "order_id": "2030-01-01#1"})
        ),
        None
    );

    let only_pending = Request::new("PUT", "/")
        .query_param("if_status", "pending")
        .json(&order("c1", "2026-01-05#1", "tea", 5));
    assert_eq!(call(&host, only_pending.clone()).status(), 409);
    assert_eq!(
        ddb_calls(&host)[2]
            .expression("ConditionExpression")
            .as_deref(),
        Some("status = \"pending\"")
    );
    let pending = Request::new("PUT", "/")
        .query_param("if_status", "pending")
        .json(&order("c1", "2026-02-11#1", "coffee", 7));
    assert_eq!(call(&host, pending).status(), 200);
}

#[test]
fn replace_with_a_key_missing_from_the_item_is_400() {
    let host = host();
    let response = call(
        &host,
        Request::new("PUT", "/").json(&json!({"customer_id": "c1", "item": "tea"})),
    );
    assert_eq!(response.status(), 400);
    assert_eq!(
        message(&response),
        "malformed DynamoDB request: ValidationException: One or more parameter values were invalid: Missing the key order_id in the item"
    );
    let response = call(
        &host,
        Request::new("PUT", "/").json(&json!({"customer_id": "c1", "order_id": 7})),
    );
    assert!(message(&response).contains("Type mismatch for key order_id expected: S actual: N"));
}

#[test]
fn delete_removes_the_order() {
    let host = host();
    let key = [("customer_id", "c1"), ("order_id", "2026-01-05#1")];
    let mut request = Request::new("DELETE", "/");
    for (k, v) in key {
        request = request.query_param(k, v);
    }
    assert_eq!(call(&host, request.clone()).status(), 204);
    assert_eq!(
        host.aws().dynamodb_item(
            "orders",
            &json!({"customer_id": "c1", "order_id": "2026-01-05#1"})
        ),
        None
    );
    assert_eq!(
        host.aws().dynamodb_items("orders").map(|o| o.len()),
        Some(5)
    );
    assert_eq!(call(&host, request).status(), 204);
    let deletes: Vec<_> = ddb_calls(&host)
        .into_iter()
        .map(|c| (c.operation.clone(), c.plain("Key"), c.error))
        .collect();
    assert_eq!(
        deletes[0],
        (
            "DeleteItem".to_owned(),
            Some(json!({"customer_id": "c1", "order_id": "2026-01-05#1"})),
            None
        )
    );
    let missing_key = call(
        &host,
        Request::new("DELETE", "/").query_param("customer_id", "c1"),
    );
    assert_eq!(missing_key.status(), 400);
}

#[test]
fn callers_need_the_api_key_from_secrets_manager() {
    let host = host();
    let anonymous = host
        .invoke(Request::get("/").query_param("customer_id", "c1"))
        .expect("the invocation runs");
    assert_eq!(anonymous.status(), 401);
    let wrong = host
        .invoke(
            Request::get("/")
                .query_param("customer_id", "c1")
                .header("x-api-key", "guess"),
        )
        .expect("the invocation runs");
    assert_eq!(wrong.status(), 401);
    let secret_reads: Vec<_> = host
        .aws()
        .calls()
        .into_iter()
        .filter(|c| c.service == AwsService::SecretsManager)
        .map(|c| (c.operation, c.resource, c.error))
        .collect();
    assert_eq!(
        secret_reads,
        [
            (
                "GetSecretValue".to_owned(),
                "orders/api-key".to_owned(),
                None
            ),
            (
                "GetSecretValue".to_owned(),
                "orders/api-key".to_owned(),
                None
            )
        ]
    );
    assert!(ddb_calls(&host).is_empty());
}

#[test]
fn a_binary_secret_works_too() {
    let host = load(builder().secret("orders/api-key", API_KEY.as_bytes().to_vec()));
    assert_eq!(list(&host, &[]).status(), 200);
}

#[test]
fn a_missing_secret_is_a_404_and_throttling_a_429() {
    let without_secret = load(
        TestHost::builder()
            .build_env("ORDERS_AWS_ACCESS_KEY_ID", KEY_ID)
            .build_env("ORDERS_AWS_SECRET_ACCESS_KEY", SECRET)
            .dynamodb_table(orders()),
    );
    let response = list(&without_secret, &[]);
    assert_eq!(response.status(), 404);
    assert_eq!(
        message(&response),
        "secret not found: ResourceNotFoundException: Secrets Manager can't find the specified secret `orders/api-key`"
    );

    let host = host();
    host.aws()
        .inject_fault(AwsFault::throttled().service(AwsService::SecretsManager));
    assert_eq!(list(&host, &[]).status(), 429);
    host.aws().clear_faults();
    assert_eq!(list(&host, &[]).status(), 200);
}

#[test]
fn wrong_baked_in_keys_are_unauthorized() {
    let host = load(builder().build_env("ORDERS_AWS_SECRET_ACCESS_KEY", "not-it"));
    let response = list(&host, &[]);
    assert_eq!(response.status(), 403);
    assert_eq!(
        message(&response),
        "Secrets Manager refused the credentials: InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
    );
}
