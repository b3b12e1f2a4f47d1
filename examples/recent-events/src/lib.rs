//! The most recent events of a feed, in a cache list capped at `MAX_EVENTS` (default 100).
//!
//! - `POST /?feed=orders` with an event (any text up to 4 KB) appends it to the list `feed:orders`,
//!   dropping the oldest beyond the cap, and renews the list's TTL (`FEED_TTL_SECS`, default one day):
//!   `{"length": n}`.
//! - `GET /?feed=orders&n=10` answers the `n` (default 20) newest events, oldest first, as a JSON array
//!   (`[]` for a feed with no events).
//! - `DELETE /?feed=orders` clears the feed.
//!
//! A feed name that already holds a plain cache value is the cache's `FailedPrecondition` (409).
//!
//! ```text
//! cargo run -q -p momento-functions-test-host -- invoke examples/recent-events --path '/?feed=orders' --data 'order 42 shipped'
//! ```

use std::time::Duration;

use momento_functions::cache::list::{self, ListTtl};
use momento_functions::{FunctionError, FunctionResult, Json, Query};

/// Default cap of a feed.
const DEFAULT_MAX_EVENTS: u32 = 100;
/// Default life of an idle feed.
const DEFAULT_TTL_SECS: u64 = 24 * 60 * 60;
/// The largest event.
const MAX_EVENT_BYTES: usize = 4096;

#[derive(serde::Deserialize)]
struct Params {
    feed: String,
    #[serde(default)]
    n: Option<u32>,
}

#[derive(serde::Serialize)]
struct Appended {
    length: u32,
}

momento_functions::route!(get: latest, post: append, delete: clear);

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn key(feed: &str) -> FunctionResult<String> {
    if feed.is_empty()
        || feed.len() > 64
        || !feed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(FunctionError::bad_request(
            "feed must be 1 to 64 letters, digits, `-` or `_`",
        ));
    }
    Ok(format!("feed:{feed}"))
}

fn append(Query(params): Query<Params>, event: String) -> FunctionResult<Json<Appended>> {
    let key = key(&params.feed)?;
    if event.is_empty() || event.len() > MAX_EVENT_BYTES {
        return Err(FunctionError::bad_request(format!(
            "an event is 1 to {MAX_EVENT_BYTES} bytes"
        )));
    }
    let ttl = ListTtl::refreshed(Duration::from_secs(env_number(
        "FEED_TTL_SECS",
        DEFAULT_TTL_SECS,
    )));
    let max = env_number("MAX_EVENTS", DEFAULT_MAX_EVENTS);
    let length = list::push_back_capped(&key, event, ttl, max)?;
    Ok(Json(Appended { length }))
}

fn latest(Query(params): Query<Params>) -> FunctionResult<Json<Vec<String>>> {
    let key = key(&params.feed)?;
    let n = params.n.unwrap_or(20).clamp(1, 1000);
    let n = i32::try_from(n).unwrap_or(1000);
    Ok(Json(list::fetch_strings(&key, -n..)?.unwrap_or_default()))
}

fn clear(Query(params): Query<Params>) -> FunctionResult<Json<Option<u32>>> {
    let key = key(&params.feed)?;
    Ok(Json(list::erase_all(&key)?))
}
