//! Test guest for the test host's own tests.
//!
//! `POST /` with a JSON body names one operation of the SDK (cache and lists, HTTP, logging, topics,
//! tokens, Lambda, request context, or the clock), runs it, and answers `{"ok": <result>}`; a client error is answered with the status `?`
//! would give it and `{"kind": <variant>, "message": <message>}`. A body that is not an operation is
//! answered 400 by the `Json` extractor.
//!
//! | op | fields | result |
//! |---|---|---|
//! | `get` | `key` | `{"len", "text"}` or `null` |
//! | `get_string` | `key` | the text or `null` |
//! | `get_point` | `key` | `{"x", "y"}` (JSON) or `null` |
//! | `get_data` | `key` | `{"len", "text", "host_buffer"}` (was the value a host buffer?) or `null` |
//! | `get_with_hash` | `key` | `{"text", "hash"}` (hash in hex) or `null` |
//! | `set` | `key`, `value`, `repeat` (default 1), `ttl_ms` | `"stored"` |
//! | `set_point` | `key`, `x`, `y`, `ttl_ms` | `"stored"` |
//! | `set_if` | `key`, `value`, `ttl_ms`, `condition`: `"absent"`, `"present"`, `{"equal": v}`, `{"not_equal": v}`, `{"present_and_not_equal": v}`, `{"absent_or_equal": v}` | stored? (bool) |
//! | `set_if_hash` | `key`, `value`, `ttl_ms`, `condition`: `"unconditional"`, `{"present_and_hash_equal": hex}`, `{"present_and_not_hash_equal": hex}`, `{"absent_or_hash_equal": hex}`, `{"absent_or_not_hash_equal": hex}` | the new hash (hex) or `null` |
//! | `delete` | `key` | `"deleted"` |
//! | `increment` | `key`, `amount`, `ttl_ms` | the new value |
//! | `set_unserializable` / `http_unserializable` | `key` / `url` | a `SerializeJson` error |
//! | `http` | `method`, `url`, `headers`, `body`, `json`, `timeout_ms`, `authorization` (`{"sigv4": {access_key_id, secret_access_key, region, service}}` or `{"federated": {role_arn, service}}`), `error_for_status`, `parse_json`, `read_text` | `{"status", "headers", "body"}` |
//! | `configure_logging` | `destinations`: `[{"topic": name} \| {"cloudwatch": {role_arn, log_group}}]`, `log_level`, `system_log_level` (`off`, `error`, `warn`, `info`, `debug`, `trace`; default `info`) | `"configured"` |
//! | `log` | `records`: `[{"level", "message", "target"?}]` | the number of records |
//! | `context` | | method, path, query, headers, token metadata, invocation id, function and cache names (each read twice: the host hands some over once, the SDK keeps them) |
//! | `counter` | | `{"global", "cache"}` |
//! | `now` | | `{"unix_ms", "elapsed_ns", "spins"}` |
//! | `wait_for_clock` | `secs` | `{"elapsed_secs"}` |
//! | `configure_each` | `configs`: `[{"topic": name} \| {"cloudwatch": {role_arn, log_group}}` with `log_level`, `system_log_level`]` | `"configured"` |
//! | `print` | `stdout`, `stderr`: lines | the number of lines |
//! | `sequence` | `ops`: operations | their results in order (stops at the first failure) |
//! | `publish` / `publish_bytes` / `publish_json` | `topic`, `text` / `bytes` (a list of numbers) / `value` | `"published"` |
//! | `token` | `valid_secs`, `token_id`, `permissions`: `[{"cache": {role, cache, key, key_prefix}} \| {"topic": {role, cache, topic, topic_prefix}} \| {"function": {cache, function, function_prefix}}]` (roles `read_write`, `read_only`, `write_only` / `publish_subscribe`, `subscribe_only`, `publish_only`) | `{"api_key", "endpoint", "valid_until"}` |
//! | `list_push_front` / `list_push_back` | `key`, `value`, `ttl_ms`, `refresh` (default true), `max_len` (default 0: none) | the new length |
//! | `list_concat_front` / `list_concat_back` | `key`, `values`, `ttl_ms`, `refresh`, `max_len` | the new length |
//! | `list_pop_front` / `list_pop_back` | `key` | `{"value", "remaining"}` or `null` |
//! | `list_fetch` | `key`, `start`, `end` (exclusive; absent: unbounded) | the elements or `null` |
//! | `list_length` | `key` | the length or `null` |
//! | `list_erase` | `key`, `ranges`: `[[begin, end], ...]` (absent: all) | the new length or `null` |
//! | `list_remove` | `key`, `value` | the new length or `null` |
//! | `list_retain` | `key`, `start`, `end`, `ttl_ms`, `refresh` | the new length or `null` |
//! | `lambda` | `function`, `region` (default `us-east-1`), `role` (federated) or `access_key_id` + `secret_access_key`, `payload` (JSON), `raw_payload` (text), `qualifier`, `kind` (`wait`, `event`, `dry_run`, `json`), `log_tail`, `client_context` | `{"status", "payload", "log_tail", "executed_version", "function_error"}` (`json`: the reply) |
//! | `valkey` | `cluster`, `command`, `args` (strings) | the reply as JSON: `null`, `{"int"}`, `{"data", "host_buffer"}`, `{"array": [...]}`, `"ok"`, `{"status"}`, `{"error"}` |
//! | `valkey_incr` | `cluster`, `key` | the new value (the typed helper) |
//!
//! Other paths take the raw body as [`Data`] (never read by the function unless said):
//!
//! | path | behaviour |
//! |---|---|
//! | `POST /echo-data` | the body back unread, with `x-host-buffer: true\|false` (was it a host buffer?) |
//! | `POST /cache-set-body?key=K&ttl_ms=N` | stores the body unread under K; `{"ok": "stored"}` |
//! | `POST /http-forward-body?url=U` | POSTs the body unread to U and answers with the upstream's status and body, unread |
//! | `POST /http-forward-read?url=U` | the same, reading both bodies into the guest first (the benchmarks' comparison) |

use std::ops::Bound;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use momento_functions::aws::lambda;
use momento_functions::cache::list;
use momento_functions::log;
use momento_functions::logging::{self, LogConfig, LogDestination};
use momento_functions::{
    Data, FromRequest, FunctionError, IntoResponse, Json, Method, RequestContext, StatusCode,
    WebRequest, WebResponse, cache, http, token, topics, valkey,
};
use serde_json::{Value, json};

/// Invocations this instance has served: always 1, since every invocation gets a fresh instance.
static INVOCATIONS: AtomicU32 = AtomicU32::new(0);

#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Condition {
    Absent,
    Present,
    Equal(String),
    NotEqual(String),
    PresentAndNotEqual(String),
    AbsentOrEqual(String),
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum HashCondition {
    Unconditional,
    PresentAndHashEqual(String),
    PresentAndNotHashEqual(String),
    AbsentOrHashEqual(String),
    AbsentOrNotHashEqual(String),
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Authorization {
    Sigv4 {
        access_key_id: String,
        secret_access_key: String,
        region: String,
        service: String,
    },
    Federated {
        role_arn: String,
        service: String,
    },
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Destination {
    Topic(String),
    Cloudwatch { role_arn: String, log_group: String },
}

#[derive(serde::Deserialize)]
struct DestinationConfig {
    #[serde(flatten)]
    destination: Destination,
    #[serde(default)]
    log_level: Option<String>,
    #[serde(default)]
    system_log_level: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Permission {
    Cache {
        role: String,
        #[serde(default)]
        cache: Option<String>,
        #[serde(default)]
        key: Option<String>,
        #[serde(default)]
        key_prefix: Option<String>,
    },
    Topic {
        role: String,
        #[serde(default)]
        cache: Option<String>,
        #[serde(default)]
        topic: Option<String>,
        #[serde(default)]
        topic_prefix: Option<String>,
    },
    Function {
        #[serde(default)]
        cache: Option<String>,
        #[serde(default)]
        function: Option<String>,
        #[serde(default)]
        function_prefix: Option<String>,
    },
}

#[derive(serde::Deserialize)]
struct Record {
    level: String,
    message: String,
    #[serde(default)]
    target: Option<String>,
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(serde::Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Op {
    Valkey {
        cluster: String,
        command: String,
        #[serde(default)]
        args: Vec<String>,
    },
    ValkeyIncr {
        cluster: String,
        key: String,
    },
    Get {
        key: String,
    },
    GetString {
        key: String,
    },
    GetPoint {
        key: String,
    },
    GetData {
        key: String,
    },
    GetWithHash {
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
    SetIfHash {
        key: String,
        value: String,
        ttl_ms: u64,
        condition: HashCondition,
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
        authorization: Option<Authorization>,
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
    ConfigureLogging {
        destinations: Vec<Destination>,
        #[serde(default)]
        log_level: Option<String>,
        #[serde(default)]
        system_log_level: Option<String>,
    },
    Log {
        records: Vec<Record>,
    },
    Context,
    Counter,
    Now,
    WaitForClock {
        secs: u64,
    },
    ConfigureEach {
        configs: Vec<DestinationConfig>,
    },
    Print {
        #[serde(default)]
        stdout: Vec<String>,
        #[serde(default)]
        stderr: Vec<String>,
    },
    Sequence {
        ops: Vec<Op>,
    },
    Publish {
        topic: String,
        text: String,
    },
    PublishBytes {
        topic: String,
        bytes: Vec<u8>,
    },
    PublishJson {
        topic: String,
        value: Value,
    },
    Token {
        valid_secs: u64,
        #[serde(default)]
        token_id: Option<String>,
        permissions: Vec<Permission>,
    },
    ListPushFront {
        key: String,
        value: String,
        ttl_ms: u64,
        #[serde(default = "yes")]
        refresh: bool,
        #[serde(default)]
        max_len: u32,
    },
    ListPushBack {
        key: String,
        value: String,
        ttl_ms: u64,
        #[serde(default = "yes")]
        refresh: bool,
        #[serde(default)]
        max_len: u32,
    },
    ListConcatFront {
        key: String,
        values: Vec<String>,
        ttl_ms: u64,
        #[serde(default = "yes")]
        refresh: bool,
        #[serde(default)]
        max_len: u32,
    },
    ListConcatBack {
        key: String,
        values: Vec<String>,
        ttl_ms: u64,
        #[serde(default = "yes")]
        refresh: bool,
        #[serde(default)]
        max_len: u32,
    },
    ListPopFront {
        key: String,
    },
    ListPopBack {
        key: String,
    },
    ListFetch {
        key: String,
        #[serde(default)]
        start: Option<i32>,
        #[serde(default)]
        end: Option<i32>,
    },
    ListLength {
        key: String,
    },
    ListErase {
        key: String,
        #[serde(default)]
        ranges: Option<Vec<(u32, u32)>>,
    },
    ListRemove {
        key: String,
        value: String,
    },
    ListRetain {
        key: String,
        #[serde(default)]
        start: Option<i32>,
        #[serde(default)]
        end: Option<i32>,
        ttl_ms: u64,
        #[serde(default = "yes")]
        refresh: bool,
    },
    Lambda {
        function: String,
        #[serde(default = "us_east_1")]
        region: String,
        #[serde(default)]
        role: Option<String>,
        #[serde(default)]
        access_key_id: Option<String>,
        #[serde(default)]
        secret_access_key: Option<String>,
        #[serde(default)]
        payload: Option<Value>,
        #[serde(default)]
        raw_payload: Option<String>,
        #[serde(default)]
        qualifier: Option<String>,
        #[serde(default = "wait")]
        kind: String,
        #[serde(default)]
        log_tail: bool,
        #[serde(default)]
        client_context: Option<String>,
    },
}

fn yes() -> bool {
    true
}

fn us_east_1() -> String {
    "us-east-1".to_owned()
}

fn wait() -> String {
    "wait".to_owned()
}

fn one() -> usize {
    1
}

momento_functions::post!(probe);

fn probe(request: WebRequest) -> WebResponse {
    match request.path() {
        "/echo-data" => echo_data(request.into_body()),
        "/cache-set-body" => outcome(cache_set_body(request)),
        "/http-forward-read" => match http_forward_read(request) {
            Ok(response) => response,
            Err(failure) => failure.into_response(),
        },
        "/http-forward-body" => match http_forward_body(request) {
            Ok(response) => response,
            Err(failure) => failure.into_response(),
        },
        _ => match Json::<Op>::from_request(request) {
            Ok(Json(op)) => outcome(run(op)),
            Err(rejection) => rejection.into_response(),
        },
    }
}

fn outcome(result: Result<Value, Failure>) -> WebResponse {
    match result {
        Ok(value) => reply(StatusCode::OK, &json!({ "ok": value })),
        Err(failure) => failure.into_response(),
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

impl Failure {
    fn into_response(self) -> WebResponse {
        let status = self.error.status();
        reply(
            status,
            &json!({ "kind": self.kind, "message": self.error.message() }),
        )
    }
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

impl From<logging::Error> for Failure {
    fn from(error: logging::Error) -> Self {
        failure(error)
    }
}

impl From<topics::Error> for Failure {
    fn from(error: topics::Error) -> Self {
        failure(error)
    }
}

impl From<token::Error> for Failure {
    fn from(error: token::Error) -> Self {
        failure(error)
    }
}

impl From<lambda::Error> for Failure {
    fn from(error: lambda::Error) -> Self {
        failure(error)
    }
}

impl From<momento_functions::aws::auth::Error> for Failure {
    fn from(error: momento_functions::aws::auth::Error) -> Self {
        failure(error)
    }
}

fn list_ttl(ttl_ms: u64, refresh: bool) -> list::ListTtl {
    if refresh {
        list::ListTtl::refreshed(ttl(ttl_ms))
    } else {
        list::ListTtl::fixed(ttl(ttl_ms))
    }
}

fn slice(start: Option<i32>, end: Option<i32>) -> (Bound<i32>, Bound<i32>) {
    (
        start.map_or(Bound::Unbounded, Bound::Included),
        end.map_or(Bound::Unbounded, Bound::Excluded),
    )
}

fn permissions(entries: Vec<Permission>) -> Result<token::Permissions, Failure> {
    let mut permissions = token::Permissions::new();
    for entry in entries {
        permissions = match entry {
            Permission::Cache {
                role,
                cache,
                key,
                key_prefix,
            } => {
                let mut p = match role.as_str() {
                    "read_write" => token::CachePermission::read_write(),
                    "read_only" => token::CachePermission::read_only(),
                    "write_only" => token::CachePermission::write_only(),
                    other => return Err(bad_op(format!("unknown cache role {other}"))),
                };
                if let Some(cache) = cache {
                    p = p.in_cache(cache);
                }
                if let Some(key) = key {
                    p = p.key(key);
                }
                if let Some(prefix) = key_prefix {
                    p = p.key_prefix(prefix);
                }
                permissions.cache(p)
            }
            Permission::Topic {
                role,
                cache,
                topic,
                topic_prefix,
            } => {
                let mut p = match role.as_str() {
                    "publish_subscribe" => token::TopicPermission::publish_subscribe(),
                    "subscribe_only" => token::TopicPermission::subscribe_only(),
                    "publish_only" => token::TopicPermission::publish_only(),
                    other => return Err(bad_op(format!("unknown topic role {other}"))),
                };
                if let Some(cache) = cache {
                    p = p.in_cache(cache);
                }
                if let Some(topic) = topic {
                    p = p.topic(topic);
                }
                if let Some(prefix) = topic_prefix {
                    p = p.topic_prefix(prefix);
                }
                permissions.topic(p)
            }
            Permission::Function {
                cache,
                function,
                function_prefix,
            } => {
                let mut p = token::FunctionPermission::invoke();
                if let Some(cache) = cache {
                    p = p.in_cache(cache);
                }
                if let Some(function) = function {
                    p = p.function(function);
                }
                if let Some(prefix) = function_prefix {
                    p = p.function_prefix(prefix);
                }
                permissions.function(p)
            }
        };
    }
    Ok(permissions)
}

/// A mistake in the operation itself (not a client error).
fn bad_op(message: impl Into<String>) -> Failure {
    Failure {
        kind: "BadOperation".into(),
        error: FunctionError::bad_request(message),
    }
}

/// A value serde_json refuses: map keys must be strings.
fn unserializable() -> std::collections::BTreeMap<Vec<u8>, u8> {
    std::collections::BTreeMap::from([(vec![1], 1)])
}

fn popped(popped: Option<list::Popped>) -> Value {
    match popped {
        Some(popped) => json!({
            "value": String::from_utf8_lossy(&popped.value),
            "remaining": popped.remaining,
        }),
        None => Value::Null,
    }
}

fn ttl(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Result<cache::ValueHash, Failure> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return Err(bad_op(format!("`{text}` is not hex")));
    }
    digits
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(|| bad_op(format!("`{text}` is not hex")))
        })
        .collect::<Result<Vec<u8>, _>>()
        .map(cache::ValueHash::from_bytes)
}

fn level_filter(name: Option<&str>) -> Result<log::LevelFilter, Failure> {
    name.unwrap_or("info")
        .parse()
        .map_err(|_| bad_op(format!("unknown log level {name:?}")))
}

impl From<valkey::Error> for Failure {
    fn from(error: valkey::Error) -> Self {
        failure(error)
    }
}

/// A Valkey reply as JSON (arrays taken element by element from the host).
fn valkey_json(value: valkey::Value) -> Value {
    match value {
        valkey::Value::Nil => Value::Null,
        valkey::Value::Int(n) => json!({ "int": n }),
        valkey::Value::Data(data) => {
            let host_buffer = data.is_host_buffer();
            let bytes = data.into_bytes();
            json!({ "data": String::from_utf8_lossy(&bytes), "host_buffer": host_buffer })
        }
        valkey::Value::Array(values) => {
            json!({ "array": values.map(valkey_json).collect::<Vec<_>>() })
        }
        valkey::Value::Ok => json!("ok"),
        valkey::Value::Status(text) => json!({ "status": text }),
        valkey::Value::Error(text) => json!({ "error": text }),
    }
}

fn run(op: Op) -> Result<Value, Failure> {
    Ok(match op {
        Op::ConfigureEach { configs } => {
            let mut all = Vec::new();
            for config in configs {
                let destination = match config.destination {
                    Destination::Topic(name) => LogDestination::topic(name),
                    Destination::Cloudwatch {
                        role_arn,
                        log_group,
                    } => LogDestination::cloudwatch(role_arn, log_group),
                };
                all.push(
                    LogConfig::new(destination)
                        .log_level(level_filter(config.log_level.as_deref())?)
                        .system_log_level(level_filter(config.system_log_level.as_deref())?),
                );
            }
            logging::configure_logging(all)?;
            json!("configured")
        }
        Op::Print { stdout, stderr } => {
            for line in &stdout {
                println!("{line}");
            }
            for line in &stderr {
                eprintln!("{line}");
            }
            json!(stdout.len() + stderr.len())
        }
        Op::Sequence { ops } => {
            let mut results = Vec::new();
            for op in ops {
                results.push(run(op)?);
            }
            Value::Array(results)
        }
        Op::Publish { topic, text } => {
            topics::publish(&topic, &text)?;
            json!("published")
        }
        Op::PublishBytes { topic, bytes } => {
            topics::publish_bytes(&topic, bytes)?;
            json!("published")
        }
        Op::PublishJson { topic, value } => {
            topics::publish_json(&topic, &value)?;
            json!("published")
        }
        Op::Token {
            valid_secs,
            token_id,
            permissions: entries,
        } => {
            let permissions = permissions(entries)?;
            let valid_for = Duration::from_secs(valid_secs);
            let token = match token_id {
                Some(id) => token::generate_disposable_token_with_id(&permissions, valid_for, &id)?,
                None => token::generate_disposable_token(&permissions, valid_for)?,
            };
            json!({
                "api_key": token.api_key,
                "endpoint": token.endpoint,
                "valid_until": token.valid_until,
            })
        }
        Op::ListPushFront {
            key,
            value,
            ttl_ms,
            refresh,
            max_len,
        } => json!(list::push_front_capped(
            &key,
            value,
            list_ttl(ttl_ms, refresh),
            max_len
        )?),
        Op::ListPushBack {
            key,
            value,
            ttl_ms,
            refresh,
            max_len,
        } => json!(list::push_back_capped(
            &key,
            value,
            list_ttl(ttl_ms, refresh),
            max_len
        )?),
        Op::ListConcatFront {
            key,
            values,
            ttl_ms,
            refresh,
            max_len,
        } => json!(list::concatenate_front_capped(
            &key,
            values,
            list_ttl(ttl_ms, refresh),
            max_len
        )?),
        Op::ListConcatBack {
            key,
            values,
            ttl_ms,
            refresh,
            max_len,
        } => json!(list::concatenate_back_capped(
            &key,
            values,
            list_ttl(ttl_ms, refresh),
            max_len
        )?),
        Op::ListPopFront { key } => popped(list::pop_front(&key)?),
        Op::ListPopBack { key } => popped(list::pop_back(&key)?),
        Op::ListFetch { key, start, end } => json!(list::fetch_strings(&key, slice(start, end))?),
        Op::ListLength { key } => json!(list::length(&key)?),
        Op::ListErase { key, ranges } => json!(match ranges {
            None => list::erase_all(&key)?,
            Some(ranges) => list::erase(&key, ranges.into_iter().map(|(b, e)| b..e))?,
        }),
        Op::ListRemove { key, value } => json!(list::remove_value(&key, value)?),
        Op::ListRetain {
            key,
            start,
            end,
            ttl_ms,
            refresh,
        } => json!(list::retain(
            &key,
            slice(start, end),
            list_ttl(ttl_ms, refresh)
        )?),
        Op::Lambda {
            function,
            region,
            role,
            access_key_id,
            secret_access_key,
            payload,
            raw_payload,
            qualifier,
            kind,
            log_tail,
            client_context,
        } => {
            use momento_functions::aws::auth::{
                Authorization, AwsCredentialsProvider, Credentials,
            };
            let authorization = match (role, access_key_id, secret_access_key) {
                (Some(role), _, _) => Authorization::federated(role),
                (None, Some(id), Some(secret)) => Credentials::new(id, secret).into(),
                _ => return Err(bad_op("lambda needs a role or access keys")),
            };
            let provider = AwsCredentialsProvider::new(region, authorization)?;
            let client = lambda::LambdaClient::new(&provider)?;
            if kind == "json" {
                let reply: Value = client.invoke_json(function, &payload.unwrap_or(Value::Null))?;
                return Ok(reply);
            }
            let mut request = lambda::InvokeRequest::new(function);
            if let Some(payload) = payload {
                request = request.payload(payload.to_string());
            }
            if let Some(raw) = raw_payload {
                request = request.payload(raw);
            }
            if let Some(qualifier) = qualifier {
                request = request.qualifier(qualifier);
            }
            if log_tail {
                request = request.log_tail();
            }
            if let Some(context) = client_context {
                request = request.client_context(context);
            }
            request = match kind.as_str() {
                "wait" => request,
                "event" => request.event(),
                "dry_run" => request.dry_run(),
                other => return Err(bad_op(format!("unknown lambda kind {other}"))),
            };
            let response = client.send(request)?;
            json!({
                "status": response.status,
                "payload": response.payload.as_deref().map(String::from_utf8_lossy),
                "log_tail": response.log_tail,
                "executed_version": response.executed_version,
                "function_error": response.function_error().map(|e| json!({"type": e.error_type, "message": e.message})),
            })
        }
        Op::Valkey {
            cluster,
            command,
            args,
        } => valkey_json(valkey::cluster(&cluster).command(&command, args)?),
        Op::ValkeyIncr { cluster, key } => json!(valkey::cluster(&cluster).incr(key)?),
        Op::Get { key } => match cache::get(&key)? {
            Some(bytes) => json!({ "len": bytes.len(), "text": String::from_utf8_lossy(&bytes) }),
            None => Value::Null,
        },
        Op::GetString { key } => json!(cache::get_string(&key)?),
        Op::GetPoint { key } => json!(cache::get_json::<Point>(&key)?),
        Op::GetData { key } => match cache::get_data(&key)? {
            Some(data) => {
                let host_buffer = data.is_host_buffer();
                let bytes = data
                    .try_into_bytes()
                    .map_err(|e| bad_op(format!("reading the value failed: {e}")))?;
                json!({
                    "len": bytes.len(),
                    "text": String::from_utf8_lossy(&bytes),
                    "host_buffer": host_buffer,
                })
            }
            None => Value::Null,
        },
        Op::GetWithHash { key } => match cache::get_with_hash(&key)? {
            Some(found) => json!({
                "text": String::from_utf8_lossy(&found.value),
                "hash": hex(found.hash.as_bytes()),
            }),
            None => Value::Null,
        },
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
                Condition::Equal(v) => cache::SetCondition::equal(v),
                Condition::NotEqual(v) => cache::SetCondition::not_equal(v),
                Condition::PresentAndNotEqual(v) => cache::SetCondition::present_and_not_equal(v),
                Condition::AbsentOrEqual(v) => cache::SetCondition::absent_or_equal(v),
            };
            json!(cache::set_if(&key, value, ttl(ttl_ms), condition)?)
        }
        Op::SetIfHash {
            key,
            value,
            ttl_ms,
            condition,
        } => {
            let condition = match condition {
                HashCondition::Unconditional => cache::HashCondition::Unconditional,
                HashCondition::PresentAndHashEqual(h) => {
                    cache::HashCondition::PresentAndHashEqual(unhex(&h)?)
                }
                HashCondition::PresentAndNotHashEqual(h) => {
                    cache::HashCondition::PresentAndNotHashEqual(unhex(&h)?)
                }
                HashCondition::AbsentOrHashEqual(h) => {
                    cache::HashCondition::AbsentOrHashEqual(unhex(&h)?)
                }
                HashCondition::AbsentOrNotHashEqual(h) => {
                    cache::HashCondition::AbsentOrNotHashEqual(unhex(&h)?)
                }
            };
            match cache::set_if_hash(&key, value, ttl(ttl_ms), condition)? {
                Some(hash) => json!(hex(hash.as_bytes())),
                None => Value::Null,
            }
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
            authorization,
            error_for_status,
            parse_json,
            read_text,
        } => {
            let mut request = http::Request::new(Method::from(method), url).headers(headers);
            if let Some(body) = body {
                request = request.body(body);
            }
            if let Some(value) = json_body {
                request = request.json(&value);
            }
            if let Some(ms) = timeout_ms {
                request = request.timeout(Duration::from_millis(ms));
            }
            if let Some(authorization) = authorization {
                request = request.authorization(match authorization {
                    Authorization::Sigv4 {
                        access_key_id,
                        secret_access_key,
                        region,
                        service,
                    } => http::Authorization::aws_sigv4(
                        momento_functions::aws::auth::Credentials::new(
                            access_key_id,
                            secret_access_key,
                        ),
                        region,
                        service,
                    ),
                    Authorization::Federated { role_arn, service } => {
                        http::Authorization::federated(role_arn, service)
                    }
                });
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
                json!(String::from_utf8_lossy(response.bytes()?))
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
        Op::ConfigureLogging {
            destinations,
            log_level,
            system_log_level,
        } => {
            let log_level = level_filter(log_level.as_deref())?;
            let system_log_level = level_filter(system_log_level.as_deref())?;
            let configs = destinations.into_iter().map(|destination| {
                let destination = match destination {
                    Destination::Topic(name) => LogDestination::topic(name),
                    Destination::Cloudwatch {
                        role_arn,
                        log_group,
                    } => LogDestination::cloudwatch(role_arn, log_group),
                };
                LogConfig::new(destination)
                    .log_level(log_level)
                    .system_log_level(system_log_level)
            });
            logging::configure_logging(configs)?;
            json!("configured")
        }
        Op::Log { records } => {
            let count = records.len();
            for record in records {
                let level: log::Level = record
                    .level
                    .parse()
                    .map_err(|_| bad_op(format!("unknown log level `{}`", record.level)))?;
                let target = record.target.as_deref().unwrap_or("sdk_probe");
                log::log!(target: target, level, "{}", record.message);
            }
            json!(count)
        }
        Op::Context => {
            let first = context_json(&RequestContext::current());
            let second = context_json(&RequestContext::current());
            json!({ "first": first, "second": second })
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

fn context_json(context: &RequestContext) -> Value {
    json!({
        "method": context.method().as_str(),
        "path": context.path(),
        "query": context.query_params(),
        "query_string": context.query_string(),
        "headers": context.headers().iter().collect::<Vec<_>>(),
        "token_metadata": context.token_metadata(),
        "invocation_id": context.invocation_id(),
        "function_name": context.function_name(),
        "cache_name": context.cache_name(),
    })
}

fn echo_data(body: Data) -> WebResponse {
    let host_buffer = body.is_host_buffer();
    WebResponse::new()
        .with_header("x-host-buffer", host_buffer.to_string())
        .with_body(body)
}

fn cache_set_body(request: WebRequest) -> Result<Value, Failure> {
    let (context, body) = request.into_parts();
    let key = context
        .query_param("key")
        .ok_or_else(|| bad_op("add `?key=`"))?
        .to_owned();
    let ttl_ms: u64 = context
        .query_param("ttl_ms")
        .unwrap_or("60000")
        .parse()
        .map_err(|_| bad_op("`ttl_ms` is not a number"))?;
    cache::set(key, body, ttl(ttl_ms))?;
    Ok(json!("stored"))
}

/// `/http-forward-body`'s twin that reads the body into the guest first and the upstream's answer too:
/// what a function that does not pass `Data` on pays.
fn http_forward_read(request: WebRequest) -> Result<WebResponse, Failure> {
    let (context, body) = request.into_parts();
    let url = context
        .query_param("url")
        .ok_or_else(|| bad_op("add `?url=`"))?;
    let bytes: Vec<u8> = body.into_bytes();
    let (status, _, upstream_body) = http::Request::post(url).body(bytes).send()?.into_parts();
    let status = StatusCode::from_u16(status)
        .ok_or_else(|| bad_op(format!("the upstream answered {status}")))?;
    let upstream: Vec<u8> = upstream_body.into_bytes();
    Ok(WebResponse::new().with_status(status).with_body(upstream))
}

fn http_forward_body(request: WebRequest) -> Result<WebResponse, Failure> {
    let (context, body) = request.into_parts();
    let url = context
        .query_param("url")
        .ok_or_else(|| bad_op("add `?url=`"))?;
    let (status, _, upstream_body) = http::Request::post(url).body(body).send()?.into_parts();
    let status = StatusCode::from_u16(status)
        .ok_or_else(|| bad_op(format!("the upstream answered {status}")))?;
    Ok(WebResponse::new()
        .with_status(status)
        .with_header("x-host-buffer", upstream_body.is_host_buffer().to_string())
        .with_body(upstream_body))
}
