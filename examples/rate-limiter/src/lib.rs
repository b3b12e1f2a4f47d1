//! A fixed-window rate limiter on a Valkey cluster.
//!
//! Each caller (the `x-client-id` header, else `anonymous`) may make `RATE_LIMIT` requests (default 5) per
//! window of `RATE_WINDOW_SECS` seconds (default 60). The count lives in the cluster `RATE_CLUSTER`
//! (default `rate-limits`) under `rate:<client>`: `INCR` counts the request, and the first request of a
//! window sets the window's expiry with `PEXPIRE`. Within the limit the answer is 200 with
//! `x-ratelimit-remaining`; past it 429 with `retry-after` (the seconds until the window ends, from
//! `PTTL`).

use std::time::Duration;

use momento_functions::{FunctionResult, RequestContext, StatusCode, WebResponse, valkey};

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

momento_functions::get!(limit);
fn limit(request: RequestContext) -> FunctionResult<WebResponse> {
    let limit: i64 = setting("RATE_LIMIT", 5);
    let window = Duration::from_secs(setting("RATE_WINDOW_SECS", 60));
    let cluster = valkey::cluster(
        &std::env::var("RATE_CLUSTER").unwrap_or_else(|_| "rate-limits".to_owned()),
    );
    let client = request.header("x-client-id").unwrap_or("anonymous");
    let key = format!("rate:{client}");

    let count = cluster.incr(key.as_str())?;
    if count == 1 {
        cluster.expire(key.as_str(), window)?;
    }
    if count > limit {
        let retry = cluster
            .ttl(key.as_str())?
            .unwrap_or(window)
            .as_secs_f64()
            .ceil()
            .max(1.0);
        return Ok(WebResponse::new()
            .with_status(StatusCode::TOO_MANY_REQUESTS)
            .with_header("retry-after", format!("{retry}"))
            .with_body(format!(
                "rate limit of {limit} per {}s reached for {client}",
                window.as_secs()
            )));
    }
    Ok(WebResponse::new()
        .with_header("x-ratelimit-limit", limit.to_string())
        .with_header("x-ratelimit-remaining", (limit - count).to_string())
        .with_body(format!("request {count} of {limit} for {client}")))
}
