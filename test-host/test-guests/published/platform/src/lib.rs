//! A web function built with Momento's published SDK (0.27.0, current generation) that exercises topics,
//! disposable tokens, cache lists and log destinations, one per path, for the test host's conformance tests
//! (`test-host/tests/published_sdk.rs`). Errors answer 500 with the error's `Debug` text, so that tests
//! can see the variant.
//!
//! | path | what it does |
//! |---|---|
//! | `publish?topic=T` | `publish(T, body as text)` |
//! | `publish-bytes?topic=T` | `publish_bytes(T, body)` (the body passed on as the host buffer) |
//! | `token?valid=S&cache=C&prefix=P&topic=T&id=I` | `generate_disposable_token(S, read-only on keys `P*` of cache C and read-only (subscribe) on topic T of C, I)`: JSON of the response |
//! | `list?op=O&name=N...` | one list operation: `push-back`/`push-front` (body, `ttl` ms, `refresh`, `cap`), `concat-back` (body: JSON array), `pop-front`/`pop-back`, `fetch` (`start`, `end`), `length`, `erase` (`begin`, `count`; none: all), `remove` (body), `retain` (`start`, `end`, `ttl`); the result as JSON |
//! | `log?topic=T&group=G&role=R` | logs to topic T at debug (system logs at info) and CloudWatch G through R at warn (system off), then logs at every level and prints a line |
use momento_functions_bytes::Data;
use momento_functions_cache_list::{
    CollectionTtl, EndIndex, EraseRange, EraseResult, LengthResult, ListRange, PopResult,
    RemoveResult, RetainResult, StartIndex,
};
use momento_functions_guest_web::{WebEnvironment, WebResponse, WebResult, invoke};
use momento_functions_host_log::{LogConfiguration, LogDestination, configure_logs};
use momento_functions_token::{CachePermissions, Permissions, TopicPermissions};
use std::time::Duration;

invoke!(handle);
fn handle(body: Data) -> WebResult<WebResponse> {
    let environment = WebEnvironment::load();
    let query = environment.query_parameters().clone();
    let param = |name: &str| query.get(name).cloned().unwrap_or_default();
    let number = |name: &str| param(name).parse::<i64>().ok();
    let result: Result<serde_json::Value, String> = match environment.http_path() {
        "publish" => {
            let text = String::from_utf8_lossy(&body.into_bytes()).into_owned();
            momento_functions_topic::publish(param("topic"), text)
                .map(|()| serde_json::json!("published"))
                .map_err(|e| format!("{e:?}"))
        }
        "publish-bytes" => momento_functions_topic::publish_bytes(param("topic"), body)
            .map(|()| serde_json::json!("published"))
            .map_err(|e| format!("{e:?}")),
        "token" => {
            let permissions = Permissions::new()
                .with_cache(
                    CachePermissions::read_only()
                        .with_cache(param("cache"))
                        .with_key_prefix(param("prefix")),
                )
                .with_topic(
                    TopicPermissions::read_only()
                        .with_cache(param("cache"))
                        .with_topic(param("topic")),
                );
            let id = query.get("id").cloned();
            momento_functions_token::generate_disposable_token(
                number("valid").unwrap_or(60) as u32,
                permissions,
                id,
            )
            .map(|t| {
                serde_json::json!({"api_key": t.api_key, "endpoint": t.endpoint, "valid_until": t.valid_until})
            })
            .map_err(|e| format!("{e:?}"))
        }
        "list" => list(&param("op"), param("name"), body, &param, &number),
        "log" => {
            let mut configurations = vec![LogConfiguration::new(LogDestination::topic(param("topic")))
                .with_log_level(log::LevelFilter::Debug)
                .with_system_log_level(log::LevelFilter::Info)];
            if !param("group").is_empty() {
                configurations.push(
                    LogConfiguration::new(LogDestination::cloudwatch(param("role"), param("group")))
                        .with_log_level(log::LevelFilter::Warn)
                        .with_system_log_level(log::LevelFilter::Off),
                );
            }
            match configure_logs(configurations) {
                Ok(()) => {
                    log::debug!("a debug line");
                    log::info!("an info line");
                    log::warn!("a warn line");
                    log::error!("an error line");
                    println!("a printed line");
                    Ok(serde_json::json!("logged"))
                }
                Err(e) => Err(format!("{e:?}")),
            }
        }
        other => Err(format!("no such path: {other}")),
    };
    match result {
        Ok(value) => Ok(WebResponse::new().with_body(value)?),
        Err(message) => Ok(WebResponse::new().with_status(500).with_body(message)?),
    }
}

fn start(value: Option<i64>) -> StartIndex {
    value.map_or(StartIndex::Unbounded, |i| StartIndex::Inclusive(i as i32))
}

fn end(value: Option<i64>) -> EndIndex {
    value.map_or(EndIndex::Unbounded, |i| EndIndex::Exclusive(i as i32))
}

fn list(
    op: &str,
    name: String,
    body: Data,
    param: &dyn Fn(&str) -> String,
    number: &dyn Fn(&str) -> Option<i64>,
) -> Result<serde_json::Value, String> {
    let ttl = || {
        let ttl = Duration::from_millis(number("ttl").unwrap_or(60_000) as u64);
        if param("refresh") == "0" {
            CollectionTtl::initialize_only(ttl)
        } else {
            CollectionTtl::refresh_on_update(ttl)
        }
    };
    let cap = number("cap").map(|n| n as u32);
    let e = |e: &dyn std::fmt::Debug| format!("{e:?}");
    Ok(match op {
        "push-back" => serde_json::json!(
            momento_functions_cache_list::list_push_back(name, body, ttl(), cap).map_err(|x| e(&x))?
        ),
        "push-front" => serde_json::json!(
            momento_functions_cache_list::list_push_front(name, body, ttl(), cap).map_err(|x| e(&x))?
        ),
        "concat-back" => {
            let values: Vec<String> =
                serde_json::from_slice(&body.into_bytes()).map_err(|x| e(&x))?;
            serde_json::json!(
                momento_functions_cache_list::list_concatenate_back(name, values, ttl(), cap)
                    .map_err(|x| e(&x))?
            )
        }
        "pop-front" | "pop-back" => {
            let popped = if op == "pop-front" {
                momento_functions_cache_list::list_pop_front::<String>(name)
            } else {
                momento_functions_cache_list::list_pop_back::<String>(name)
            };
            match popped.map_err(|x| e(&x))? {
                PopResult::Found { value, list_length } => {
                    serde_json::json!({"value": value, "length": list_length})
                }
                PopResult::Missing => serde_json::Value::Null,
            }
        }
        "fetch" => match momento_functions_cache_list::list_fetch::<String>(
            name,
            start(number("start")),
            end(number("end")),
        )
        .map_err(|x| e(&x))?
        {
            Some(values) => serde_json::json!(
                values
                    .collect::<Result<Vec<String>, _>>()
                    .map_err(|x| e(&x))?
            ),
            None => serde_json::Value::Null,
        },
        "length" => match momento_functions_cache_list::list_length(name).map_err(|x| e(&x))? {
            LengthResult::Found(n) => serde_json::json!(n),
            LengthResult::Missing => serde_json::Value::Null,
        },
        "erase" => {
            let range = match (number("begin"), number("count")) {
                (Some(begin), Some(count)) => EraseRange::Ranges(vec![ListRange {
                    begin_index: begin as u32,
                    count: count as u32,
                }]),
                _ => EraseRange::All,
            };
            match momento_functions_cache_list::list_erase(name, range).map_err(|x| e(&x))? {
                EraseResult::Found(n) => serde_json::json!(n),
                EraseResult::Missing => serde_json::Value::Null,
            }
        }
        "remove" => match momento_functions_cache_list::list_remove(name, body).map_err(|x| e(&x))? {
            RemoveResult::Found(n) => serde_json::json!(n),
            RemoveResult::Missing => serde_json::Value::Null,
        },
        "retain" => match momento_functions_cache_list::list_retain(
            name,
            start(number("start")),
            end(number("end")),
            ttl(),
        )
        .map_err(|x| e(&x))?
        {
            RetainResult::Found(n) => serde_json::json!(n),
            RetainResult::Missing => serde_json::Value::Null,
        },
        other => return Err(format!("unknown list op {other}")),
    })
}
