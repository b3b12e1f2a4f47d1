//! A read-through cache in front of a JSON API.
//!
//! `GET /?id=42` answers with the item from the cache when it is there (`x-cache: hit`; the cached value
//! goes back to the host as the response body without being read); otherwise it fetches
//! `$UPSTREAM_URL/42`, stores the JSON for `$CACHE_TTL_SECS` (default 60) and answers with it
//! (`x-cache: miss`). The cache is an optimisation, not a dependency: when it fails, the function logs a
//! warning and serves from upstream (`x-cache: error`). Upstream failures become 502 (or 504 for a
//! timeout) through `?`.
//!
//! `tests/read_through.rs` runs it on the test host with a mocked upstream and a test clock:
//! `cargo test -p example-read-through-cache`.

use std::time::Duration;

use momento_functions::{Data, FunctionError, FunctionResult, Query, WebResponse, cache, http};

/// Default time an item stays cached.
const DEFAULT_TTL_SECS: u64 = 60;
/// Time allowed for the upstream request.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(serde::Deserialize)]
struct Params {
    id: String,
}

momento_functions::get!(read_through);

fn read_through(Query(params): Query<Params>) -> FunctionResult<WebResponse> {
    if params.id.is_empty()
        || !params
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(FunctionError::bad_request(
            "id must be letters, digits and dashes",
        ));
    }
    let key = format!("item:{}", params.id);

    let cache_state = match cache::get_data(&key) {
        Ok(Some(cached)) => return Ok(json_response(cached, "hit")),
        Ok(None) => "miss",
        Err(error) => {
            log::warn!("cache read of {key} failed, serving from upstream: {error}");
            "error"
        }
    };

    let body = fetch(&params.id)?;
    if cache_state == "miss"
        && let Err(error) = cache::set(&key, &body, ttl())
    {
        log::warn!("cache write of {key} failed: {error}");
    }
    Ok(json_response(body, cache_state))
}

/// The item from upstream: a 2xx JSON body, or an error whose status `?` picks (502/504).
fn fetch(id: &str) -> FunctionResult<Vec<u8>> {
    let base = std::env::var("UPSTREAM_URL")
        .map_err(|_| FunctionError::internal("UPSTREAM_URL is not configured"))?;
    let mut response = http::Request::get(format!("{}/{id}", base.trim_end_matches('/')))
        .header("accept", "application/json")
        .timeout(UPSTREAM_TIMEOUT)
        .send()?
        .error_for_status()?;
    // Validate before caching: never cache something that is not JSON.
    response.json::<serde_json::Value>()?;
    Ok(response.into_bytes()?)
}

fn ttl() -> Duration {
    let secs = std::env::var("CACHE_TTL_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_TTL_SECS);
    Duration::from_secs(secs)
}

fn json_response(body: impl Into<Data>, cache_state: &str) -> WebResponse {
    WebResponse::new()
        .with_header("content-type", "application/json")
        .with_header("x-cache", cache_state)
        .with_body(body)
}
