//! The Lambda caller on the test host: Lambda functions are closures of the test, invocations are
//! recorded as AWS calls, and Lambda's errors become statuses.

use std::sync::{Arc, Mutex};

use momento_functions_test_host::aws::{AwsFault, AwsService, LambdaFunctionError};
use momento_functions_test_host::{Request, TestHost, TestHostBuilder};
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/resizer-caller";

fn builder() -> TestHostBuilder {
    TestHost::builder()
        .env("LAMBDA_ROLE_ARN", ROLE)
        .aws_role(ROLE)
}

fn host(builder: TestHostBuilder) -> TestHost {
    builder
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the function builds and loads")
}

fn resize_function(payload: &[u8]) -> Result<Vec<u8>, LambdaFunctionError> {
    let request: Value = serde_json::from_slice(payload).map_err(|e| e.to_string())?;
    if request["image"] == "broken.png" {
        return Err(LambdaFunctionError::new(
            "ImageError",
            "cannot decode broken.png",
        ));
    }
    let url = format!(
        "https://img.example/{}-{}.png",
        request["image"]
            .as_str()
            .unwrap_or_default()
            .trim_end_matches(".png"),
        request["width"]
    );
    Ok(json!({"url": url}).to_string().into_bytes())
}

#[test]
fn resizes_through_lambda_and_queues_an_audit_event() {
    let audits = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&audits);
    let host = host(builder().lambda("resize-image", resize_function).lambda(
        "audit",
        move |payload: &[u8]| {
            seen.lock()
                .unwrap()
                .push(String::from_utf8_lossy(payload).into_owned());
            Ok(Vec::new())
        },
    ));
    let response = host
        .invoke(Request::post("/").json(&json!({"image": "a.png", "width": 64})))
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text());
    assert_eq!(
        response.json::<Value>().unwrap(),
        json!({"url": "https://img.example/a-64.png"})
    );
    assert_eq!(
        audits.lock().unwrap().as_slice(),
        [r#"{"event":"resized","image":"a.png","url":"https://img.example/a-64.png"}"#]
    );
    let invokes: Vec<(String, Value)> = host
        .aws()
        .calls()
        .into_iter()
        .filter(|c| c.service == AwsService::Lambda)
        .map(|c| (c.resource, c.params["InvocationType"].clone()))
        .collect();
    assert_eq!(
        invokes,
        [
            ("resize-image".to_owned(), json!("RequestResponse")),
            ("audit".to_owned(), json!("Event")),
        ]
    );
}

#[test]
fn lambdas_errors_become_statuses() {
    let host = host(builder().lambda("resize-image", resize_function));
    let call = |body: Value| host.invoke(Request::post("/").json(&body)).unwrap();

    // The function failed: 502 with its error.
    let failed = call(json!({"image": "broken.png", "width": 64}));
    assert_eq!(failed.status(), 502);
    assert!(
        failed.text().unwrap().contains("ImageError"),
        "{:?}",
        failed.text()
    );

    // No audit function: the resize still answers; the failure is logged.
    let ok = call(json!({"image": "a.png", "width": 64}));
    assert_eq!(ok.status(), 200);
    assert!(
        ok.logs()
            .iter()
            .any(|r| r.message.contains("the audit event was not queued")
                && r.message.contains("ResourceNotFoundException")),
        "{:?}",
        ok.logs()
    );

    host.aws().inject_fault(
        AwsFault::throttled()
            .service(AwsService::Lambda)
            .resource("resize-image")
            .times(1),
    );
    assert_eq!(call(json!({"image": "a.png", "width": 64})).status(), 429);
    assert_eq!(call(json!({"image": "a.png", "width": 0})).status(), 400);
}

#[test]
fn an_unknown_function_or_a_refused_role_is_an_error_status() {
    let missing = host(builder());
    let response = missing
        .invoke(Request::post("/").json(&json!({"image": "a.png", "width": 64})))
        .unwrap();
    assert_eq!(response.status(), 404, "{:?}", response.text());

    let refused = host(
        TestHost::builder()
            .env("LAMBDA_ROLE_ARN", "arn:aws:iam::123456789012:role/stranger")
            .aws_role(ROLE)
            .lambda("resize-image", resize_function),
    );
    let response = refused
        .invoke(Request::post("/").json(&json!({"image": "a.png", "width": 64})))
        .unwrap();
    assert_eq!(response.status(), 403, "{:?}", response.text());
}
