//! A function built with the older generation of Momento's published SDK (0.27.0: `momento_functions::post!`
//! over `momento-functions-host`), for the test host's conformance tests. The JSON body names one
//! operation; the answer is its result as JSON, or status 500 with the error's `Debug` text.
//!
//! | op | fields | what it does |
//! |---|---|---|
//! | `lambda` | `function`, `qualifier`, `payload`, `role` | `LambdaClient::invoke` (waits) with the payload as JSON: `{"status", "payload"}` |
//! | `lambda_raw` | `function`, `kind` (`event`, `dry_run`), `role` | the generated client with that invocation type: `{"status", "payload"}` |
//! | `publish` | `topic`, `text` | `topics::publish` |
//! | `token` | `valid`, `cache`, `topic` | `token::generate_disposable_token` (read-write on the cache, read-only on the topic) |
//! | `list_push_back` / `list_push_front` | `name`, `value` | the new length |
//! | `list_fetch` | `name` | the elements as text, or `null` |
//! | `list_length` | `name` | the length (through the generated bindings), or `null` |
use std::time::Duration;

use momento_functions::{WebResponse, WebResult};
use momento_functions_host::aws::auth::{AwsCredentialsProvider, Credentials};
use momento_functions_host::aws::lambda::LambdaClient;
use momento_functions_host::cache::{CollectionTtl, EndIndex, StartIndex};
use momento_functions_host::encoding::Json;
use momento_functions_host::token::{CachePermissions, Permissions, TopicPermissions};
use momento_functions_wit::host::momento::functions::cache_list;
use momento_functions_wit::host::momento::host::{aws_auth, aws_lambda};
use serde_json::{Value, json};

momento_functions::post!(handle);
fn handle(payload: Vec<u8>) -> WebResult<WebResponse> {
    let request: Value = serde_json::from_slice(&payload)?;
    let field = |name: &str| request[name].as_str().unwrap_or_default().to_owned();
    let result: Result<Value, String> = match field("op").as_str() {
        "lambda" => lambda(&request, &field),
        "lambda_raw" => lambda_raw(&field),
        "publish" => momento_functions_host::topics::publish(field("topic"), field("text"))
            .map(|()| json!("published"))
            .map_err(|e| format!("{e:?}")),
        "token" => {
            let permissions = Permissions::new()
                .with_cache(CachePermissions::read_write().with_cache(field("cache")))
                .with_topic(TopicPermissions::read_only().with_topic(field("topic")));
            momento_functions_host::token::generate_disposable_token(
                request["valid"].as_u64().unwrap_or(60) as u32,
                permissions,
                None,
            )
            .map(|t| json!({"api_key": t.api_key, "endpoint": t.endpoint, "valid_until": t.valid_until}))
            .map_err(|e| format!("{e:?}"))
        }
        "list_push_back" => momento_functions_host::cache::list_push_back(
            field("name"),
            field("value"),
            CollectionTtl::of(Duration::from_secs(60)),
            None,
        )
        .map(|n| json!(n))
        .map_err(|e| format!("{e:?}")),
        "list_push_front" => momento_functions_host::cache::list_push_front(
            field("name"),
            field("value"),
            CollectionTtl::of(Duration::from_secs(60)),
            None,
        )
        .map(|n| json!(n))
        .map_err(|e| format!("{e:?}")),
        "list_fetch" => match momento_functions_host::cache::list_fetch::<Vec<u8>>(
            field("name"),
            StartIndex::Unbounded,
            EndIndex::Unbounded,
        ) {
            Ok(Some(values)) => values
                .map(|v| v.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
                .collect::<Result<Vec<String>, _>>()
                .map(|v| json!(v))
                .map_err(|e| format!("{e:?}")),
            Ok(None) => Ok(Value::Null),
            Err(e) => Err(format!("{e:?}")),
        },
        "list_length" => match cache_list::list_length(field("name").as_bytes()) {
            Ok(cache_list::LengthResponse::Found(n)) => Ok(json!(n)),
            Ok(cache_list::LengthResponse::Missing) => Ok(Value::Null),
            Err(e) => Err(format!("{e:?}")),
        },
        other => Err(format!("unknown op {other}")),
    };
    let response = match result {
        Ok(value) => WebResponse::new().with_body(value)?,
        Err(message) => WebResponse::new().with_status(500).with_body(message)?,
    };
    Ok(response)
}

fn lambda(request: &Value, field: &dyn Fn(&str) -> String) -> Result<Value, String> {
    let provider = AwsCredentialsProvider::new(
        "us-east-1",
        Credentials::Federated {
            role_arn: field("role"),
        },
    )
    .map_err(|e| format!("{e:?}"))?;
    let client = LambdaClient::new(&provider);
    let payload = Json(request["payload"].clone());
    let response = match request["qualifier"].as_str() {
        Some(qualifier) => client.invoke((field("function"), qualifier), payload),
        None => client.invoke(field("function"), payload),
    };
    let mut response = response.map_err(|e| format!("{e:?}"))?;
    let status = response.status_code();
    let payload: Option<Value> = response
        .extract::<Json<Value>>()
        .ok()
        .map(|Json(value)| value);
    Ok(json!({"status": status, "payload": payload}))
}

fn lambda_raw(field: &dyn Fn(&str) -> String) -> Result<Value, String> {
    let provider = aws_auth::provider(
        &aws_auth::Authorization::Federated(aws_auth::IamRole {
            role_arn: field("role"),
        }),
        "us-east-1",
    )
    .map_err(|e| format!("{e:?}"))?;
    let client = aws_lambda::Client::new(&provider);
    let invocation_type = match field("kind").as_str() {
        "event" => aws_lambda::InvocationType::Event,
        "dry_run" => aws_lambda::InvocationType::DryRun,
        other => return Err(format!("unknown kind {other}")),
    };
    let output = client
        .invoke(&aws_lambda::InvokeRequest {
            function_name: field("function"),
            qualifier: None,
            payload: Some(b"{}".to_vec()),
            invocation_type,
        })
        .map_err(|e| format!("{e:?}"))?;
    Ok(json!({"status": output.status_code, "payload": output.payload}))
}
