//! Test guest for the test host's own tests: each POST names one operation of the SDK's cache or HTTP
//! client (or reads the clock) as JSON, runs it, and answers `{"ok": <result>}`; a client error is
//! answered with the status `?` would give it and `{"kind": <variant>, "message": <message>}`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use momento_functions::{FunctionError, Json, StatusCode, WebResponse, cache, http};
use serde_json::{Value, json};

/// Invocations this instance has served: always 1, since every invocation gets a fresh instance.
static INVOCATIONS: AtomicU32 = AtomicU32::new(0);

#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Condition {
    Absent,
    Present,
    Equal(String),
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(serde::Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Op {
    Get {
        key: String,
    },
    GetString {
        key: String,
    },
    GetPoint {
        key: String,
    },
    Set {
        key: String,
        value: String,
        #[serde(default = "one")]
        repeat: usize,
        ttl_ms: u64,
    },
    SetPoint {
        key: String,
        x: i32,
        y: i32,
        ttl_ms: u64,
    },
    SetIf {
        key: String,
        value: String,
        ttl_ms: u64,
        condition: Condition,
    },
    Delete {
        key: String,
    },
    Increment {
        key: String,
        amount: i64,
        ttl_ms: u64,
    },
    Http {
        method: String,
        url: String,
        #[serde(default)]
        headers: Vec<(String, String)>,
        #[serde(default)]
        body: Option<String>,
        #[serde(default)]
        json: Option<Value>,
        #[serde(default)]
        timeout_ms: Option<u64>,
        #[serde(default)]
        error_for_status: bool,
        #[serde(default)]
        parse_json: bool,
        #[serde(default)]
        read_text: bool,
    },
    /// `set_json` / `Request::json` of a value JSON cannot represent (a map with non-string keys).
    SetUnserializable {
        key: String,
    },
    HttpUnserializable {
        url: String,
    },
    Counter,
    Now,
    WaitForClock {
        secs: u64,
    },
}

fn one() -> usize {
    1
}

momento_functions::post!(probe);

fn probe(Json(op): Json<Op>) -> WebResponse {
    match run(op) {
        Ok(value) => reply(StatusCode::OK, &json!({ "ok": value })),
        Err(Failure { kind, error }) => {
            let status = error.status();
            reply(status, &json!({ "kind": kind, "message": error.message() }))
        }
    }
}

fn reply(status: StatusCode, body: &Value) -> WebResponse {
    WebResponse::new()
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
}

/// A client error: its variant name and what `?` makes of it.
struct Failure {
    kind: String,
    error: FunctionError,
}

fn failure<E: std::error::Error + Send + Sync + 'static>(error: E) -> Failure {
    let debug = format!("{error:?}");
    let kind = debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_owned();
    Failure {
        kind,
        error: FunctionError::from(error),
    }
}

impl From<cache::Error> for Failure {
    fn from(error: cache::Error) -> Self {
        failure(error)
    }
}

impl From<http::Error> for Failure {
    fn from(error: http::Error) -> Self {
        failure(error)
    }
}

/// A value serde_json refuses: map keys must be strings.
fn unserializable() -> std::collections::BTreeMap<Vec<u8>, u8> {
    std::collections::BTreeMap::from([(vec![1], 1)])
}

fn ttl(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn run(op: Op) -> Result<Value, Failure> {
    Ok(match op {
        Op::Get { key } => match cache::get(&key)? {
            Some(bytes) => json!({ "len": bytes.len(), "text": String::from_utf8_lossy(&bytes) }),
            None => Value::Null,
        },
        Op::GetString { key } => json!(cache::get_string(&key)?),
        Op::GetPoint { key } => json!(cache::get_json::<Point>(&key)?),
        Op::Set {
            key,
            value,
            repeat,
            ttl_ms,
        } => {
            cache::set(&key, value.repeat(repeat), ttl(ttl_ms))?;
            json!("stored")
        }
        Op::SetPoint { key, x, y, ttl_ms } => {
            cache::set_json(&key, &Point { x, y }, ttl(ttl_ms))?;
            json!("stored")
        }
        Op::SetIf {
            key,
            value,
            ttl_ms,
            condition,
        } => {
            let condition = match condition {
                Condition::Absent => cache::SetCondition::Absent,
                Condition::Present => cache::SetCondition::Present,
                Condition::Equal(expected) => cache::SetCondition::equal(expected),
            };
            json!(cache::set_if(&key, &value, ttl(ttl_ms), condition)?)
        }
        Op::Delete { key } => {
            cache::delete(&key)?;
            json!("deleted")
        }
        Op::Increment {
            key,
            amount,
            ttl_ms,
        } => json!(cache::increment(&key, amount, ttl(ttl_ms))?),
        Op::Http {
            method,
            url,
            headers,
            body,
            json: json_body,
            timeout_ms,
            error_for_status,
            parse_json,
            read_text,
        } => {
            let mut request = http::Request::new(method, url).headers(headers);
            if let Some(body) = body {
                request = request.body(body);
            }
            if let Some(value) = json_body {
                request = request.json(&value);
            }
            if let Some(ms) = timeout_ms {
                request = request.timeout(Duration::from_millis(ms));
            }
            let mut response = request.send()?;
            if error_for_status {
                response = response.error_for_status()?;
            }
            let body = if parse_json {
                response.json::<Value>()?
            } else if read_text {
                json!(response.text()?)
            } else {
                json!(String::from_utf8_lossy(response.body()))
            };
            json!({
                "status": response.status(),
                "headers": response.headers(),
                "body": body,
            })
        }
        Op::SetUnserializable { key } => {
            cache::set_json(&key, &unserializable(), Duration::from_secs(1))?;
            json!("stored")
        }
        Op::HttpUnserializable { url } => {
            let response = http::Request::post(url).json(&unserializable()).send()?;
            json!(response.status())
        }
        Op::Counter => {
            let global = INVOCATIONS.fetch_add(1, Ordering::Relaxed) + 1;
            let shared = cache::increment("probe:counter", 1, Duration::from_secs(3600))?;
            json!({ "global": global, "cache": shared })
        }
        Op::Now => {
            let since_epoch = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let start = Instant::now();
            let mut spins = 0u64;
            for i in 0..100_000u64 {
                spins = spins.wrapping_add(i);
            }
            json!({
                "unix_ms": since_epoch.as_millis() as u64,
                "elapsed_ns": start.elapsed().as_nanos() as u64,
                "spins": spins,
            })
        }
        Op::WaitForClock { secs } => {
            // Spin until the monotonic clock has moved `secs` (a test advances it from another thread).
            let start = Instant::now();
            let target = Duration::from_secs(secs);
            while start.elapsed() < target {
                std::hint::spin_loop();
            }
            json!({ "elapsed_secs": start.elapsed().as_secs() })
        }
    })
}
