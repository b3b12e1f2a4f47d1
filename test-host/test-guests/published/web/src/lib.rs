//! One web function built with Momento's published SDK (0.27.0) that exercises a capability per path, for
//! the test host's conformance tests (`test-host/tests/published_sdk.rs`). Query parameters tune each one.
//!
//! | path | what it does |
//! |---|---|
//! | `headers` | JSON of method, path, headers, query and token metadata (all read through `WebEnvironment`); each request header `h` comes back as response header `x-echo-h` |
//! | `env` | JSON of `__CACHE_NAME`, `__FUNCTION_NAME`, `__INVOCATION_ID`, the support call's invocation id and `$GREETING` |
//! | `echo` | the request body, passed back as the host buffer it arrived in |
//! | `cache?op=...&key=K` | one cache-scalar operation: `get`, `set` (body is the value, `ttl` ms), `set-if` (`cond`, `cmp`), `delete`, `get-with-hash`, `set-if-hash` (`cond`, `hash` in hex); answers the outcome as text |
//! | `log?topic=T` | configures logging to topic `T` (info, system logs at warn), then logs at every level |
//! | `s3?role=R&bucket=B&key=K` | PUT the body with metadata `origin: published-web` through role `R`, GET it back; JSON of body, metadata, etag, version id |
//! | `secret?name=N&stale=S` | the secret `N` as a string, allowed to be `S` seconds stale |
//! | `http?url=U` | GET `U` and answer with its status and body |
//! | `sse?fail=S` | three events through `sse_streaming_response` (a named one, one with an id and two-line data, a data-only one); with `fail`, then returns status `S` (the host's `http-error` event) |
//! | `sse-relay?url=U` | GET `U` and relay its events (parsed with the published `sse::SseStream`) as they come |
//! | `raw` | `raw_streaming_response(201, x-stream: raw)` and three chunks |
use std::collections::BTreeMap;
use std::time::Duration;

use momento_functions_aws_auth::{Authorization, IamRole, provider};
use momento_functions_aws_s3::{PutObjectRequest, S3Client};
use momento_functions_aws_secrets_manager::{GetSecretValueRequest, SecretsManagerClient};
use momento_functions_bytes::Data;
use momento_functions_cache::{ConditionalSetResult, SetIfCondition, SetIfHashCondition, SetIfHashResult};
use momento_functions_guest_web::{SseEvent, WebEnvironment, WebError, WebResponse, WebResult, invoke};
use momento_functions_host_log::{LogConfiguration, LogDestination, configure_logs};

invoke!(handle);
fn handle(body: Data) -> WebResult<WebResponse> {
    let environment = WebEnvironment::load();
    let query = environment.query_parameters().clone();
    let param = |name: &str| query.get(name).cloned().unwrap_or_default();
    match environment.http_path() {
        "headers" => headers(environment),
        "env" => {
            let var = |name: &str| std::env::var(name).unwrap_or_else(|_| "<unset>".to_owned());
            #[allow(deprecated)]
            let from_call = momento_functions_guest_web::wit::momento::web_function::web_function_support::invocation_id();
            let json = serde_json::json!({
                "cache_name": var("__CACHE_NAME"),
                "function_name": var("__FUNCTION_NAME"),
                "invocation_id": var("__INVOCATION_ID"),
                "invocation_id_call": from_call,
                "greeting": var("GREETING"),
                "environment_invocation_id": environment.invocation_id(),
            });
            Ok(WebResponse::new().with_body(json)?)
        }
        "echo" => Ok(WebResponse::new().with_body(body)?),
        "cache" => cache(&param("op"), param("key"), body, &param),
        "log" => {
            configure_logs([LogConfiguration::new(LogDestination::topic(param("topic")))
                .with_log_level(log::LevelFilter::Info)
                .with_system_log_level(log::LevelFilter::Warn)])
            .map_err(|e| WebError::message(format!("configure_logs: {e}")))?;
            log::trace!("a trace line");
            log::debug!("a debug line");
            log::info!("an info line");
            log::warn!("a warn line");
            log::error!("an error line");
            Ok(WebResponse::new().with_body("logged")?)
        }
        "s3" => {
            let credentials = provider(
                &Authorization::Federated(IamRole { role_arn: param("role") }),
                "us-east-1",
            )?;
            let client = S3Client::new(&credentials);
            let put = client.put(
                PutObjectRequest::new(param("bucket"), param("key"), body)
                    .with_metadata_entry("origin", "published-web"),
            )?;
            let Some(object) = client.get::<Vec<u8>>(param("bucket"), param("key"))? else {
                return Ok(WebResponse::new().with_status(404));
            };
            let metadata: BTreeMap<String, String> = object.metadata.into_iter().collect();
            let json = serde_json::json!({
                "body": String::from_utf8_lossy(&object.body),
                "metadata": metadata,
                "etag": put.etag,
                "version_id": put.version_id,
            });
            Ok(WebResponse::new().with_body(json)?)
        }
        "secret" => {
            let credentials = provider(
                &Authorization::Federated(IamRole { role_arn: param("role") }),
                "us-east-1",
            )?;
            let stale: u64 = param("stale").parse().unwrap_or(0);
            let value: String = SecretsManagerClient::new(&credentials)
                .get_secret_value(GetSecretValueRequest::new(param("name")), Duration::from_secs(stale))?;
            Ok(WebResponse::new().with_body(value)?)
        }
        "http" => {
            let response = momento_functions_http::invoke(momento_functions_http::Request::new(param("url"), "GET"))?;
            Ok(WebResponse::new()
                .with_status(response.status)
                .with_body(response.body)?)
        }
        "sse" => {
            let mut stream = momento_functions_guest_web::sse_streaming_response();
            stream.send(SseEvent::from_event("hello")).map_err(WebError::message)?;
            stream
                .send(SseEvent::from_data("line one\nline two").with_event_id("2"))
                .map_err(WebError::message)?;
            stream.send(SseEvent::from_data("three")).map_err(WebError::message)?;
            match param("fail").parse::<u16>() {
                Ok(status) => Ok(WebResponse::new().with_status(status).with_body("it failed")?),
                Err(_) => Ok(WebResponse::new().with_status(200).header("x-dropped", "yes")),
            }
        }
        "sse-relay" => {
            let response = momento_functions_http::invoke(momento_functions_http::Request::new(param("url"), "GET"))?;
            let mut stream = momento_functions_guest_web::sse_streaming_response();
            for event in momento_functions_http::sse::SseStream::from_data(response.body) {
                let event = event.map_err(|e| WebError::message(format!("upstream: {e}")))?;
                let mut relayed = SseEvent::from_data(event.data().unwrap_or_default().to_owned());
                if let Some(name) = event.event() {
                    relayed = relayed.with_event(name);
                }
                stream.send(relayed).map_err(WebError::message)?;
            }
            Ok(WebResponse::new())
        }
        "raw" => {
            let mut stream = momento_functions_guest_web::raw_streaming_response(
                201,
                vec![("x-stream".to_owned(), "raw".to_owned())],
            )
            .map_err(WebError::message)?;
            for chunk in ["one ", "two ", "three"] {
                stream.send(chunk).map_err(WebError::message)?;
            }
            Ok(WebResponse::new())
        }
        other => Ok(WebResponse::new()
            .with_status(404)
            .with_body(format!("no such path: {other}"))?),
    }
}

fn headers(environment: &WebEnvironment) -> WebResult<WebResponse> {
    let headers: BTreeMap<&String, &String> = environment.headers().iter().collect();
    let query: BTreeMap<&String, &String> = environment.query_parameters().iter().collect();
    let json = serde_json::json!({
        "method": environment.http_method(),
        "path": environment.http_path(),
        "headers": headers,
        "query": query,
        "token_metadata": environment.token_metadata(),
    });
    let echoed = environment
        .headers()
        .iter()
        .map(|(name, value)| (format!("x-echo-{name}"), value.clone()))
        .collect();
    Ok(WebResponse::new().with_headers(echoed).with_body(json)?)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .filter_map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

fn cache(op: &str, key: String, body: Data, param: &dyn Fn(&str) -> String) -> WebResult<WebResponse> {
    let ttl = Duration::from_millis(param("ttl").parse().unwrap_or(60_000));
    let text = match op {
        "get" => match momento_functions_cache::get::<Vec<u8>>(key)? {
            Some(value) => format!("hit {}", String::from_utf8_lossy(&value)),
            None => "miss".to_owned(),
        },
        "set" => {
            momento_functions_cache::set(key, body, ttl)?;
            "set".to_owned()
        }
        "set-if" => {
            let cmp = || Data::from(param("cmp").into_bytes());
            let condition = match param("cond").as_str() {
                "present" => SetIfCondition::Present,
                "absent" => SetIfCondition::Absent,
                "equal" => SetIfCondition::Equal(cmp()),
                "not-equal" => SetIfCondition::NotEqual(cmp()),
                "present-and-not-equal" => SetIfCondition::PresentAndNotEqual(cmp()),
                "absent-or-equal" => SetIfCondition::AbsentOrEqual(cmp()),
                other => return Err(WebError::message(format!("no condition {other}"))),
            };
            match momento_functions_cache::set_if(key, body, ttl, condition)? {
                ConditionalSetResult::Stored(()) => "stored".to_owned(),
                ConditionalSetResult::NotStored => "not-stored".to_owned(),
            }
        }
        "delete" => {
            momento_functions_cache::delete(key)?;
            "deleted".to_owned()
        }
        "get-with-hash" => match momento_functions_cache::get_with_hash::<Vec<u8>>(key)? {
            Some(found) => format!("hit {} {}", String::from_utf8_lossy(&found.value), hex(&found.hash)),
            None => "miss".to_owned(),
        },
        "set-if-hash" => {
            let hash = || Data::from(unhex(&param("hash")));
            let condition = match param("cond").as_str() {
                "present-and-hash-equal" => SetIfHashCondition::PresentAndHashEqual(hash()),
                "present-and-not-hash-equal" => SetIfHashCondition::PresentAndNotHashEqual(hash()),
                "absent-or-hash-equal" => SetIfHashCondition::AbsentOrHashEqual(hash()),
                "absent-or-not-hash-equal" => SetIfHashCondition::AbsentOrNotHashEqual(hash()),
                "unconditional" => SetIfHashCondition::Unconditional,
                other => return Err(WebError::message(format!("no hash condition {other}"))),
            };
            match momento_functions_cache::set_if_hash(key, body, ttl, condition)? {
                SetIfHashResult::Stored(hash) => format!("stored {}", hex(&hash)),
                SetIfHashResult::NotStored => "not-stored".to_owned(),
            }
        }
        other => return Err(WebError::message(format!("no cache op {other}"))),
    };
    Ok(WebResponse::new().with_body(text)?)
}
