//! A forwarding proxy.
//!
//! `POST`/`PUT`/`PATCH /some/path?query` is sent to `$UPSTREAM_URL/some/path?query` with the same method
//! and body, the headers in [`FORWARDED_REQUEST_HEADERS`] (others, such as cookies, stay behind), and an
//! `x-forwarded-by` header naming the function and invocation. The upstream's status and body come
//! back as they are, with the headers in [`RETURNED_RESPONSE_HEADERS`]. If the upstream cannot be
//! reached the answer is 502, if it is too slow ($UPSTREAM_TIMEOUT_MS, default 5000) 504.
//!
//! Neither body passes through the function's memory: the request body is a
//! [`Data`](momento_functions::Data) handed to the
//! outbound request as it is, and the upstream's body is handed back to the host as the response body.
//! The query is forwarded in its decoded-then-re-encoded form (the host hands the function decoded
//! parameters).
//!
//! `tests/proxy.rs` runs it on the test host against mock routes and against a real server on
//! 127.0.0.1: `cargo test -p example-http-proxy`.

use std::time::Duration;

use momento_functions::{FunctionError, FunctionResult, StatusCode, WebRequest, WebResponse, http};

/// Request headers passed to the upstream.
pub const FORWARDED_REQUEST_HEADERS: &[&str] =
    &["content-type", "accept", "authorization", "x-request-id"];

/// Response headers passed back to the caller.
pub const RETURNED_RESPONSE_HEADERS: &[&str] =
    &["content-type", "cache-control", "etag", "x-request-id"];

const DEFAULT_TIMEOUT_MS: u64 = 5000;

momento_functions::route!(post: proxy, put: proxy, patch: proxy);

fn proxy(request: WebRequest) -> FunctionResult<WebResponse> {
    let base = std::env::var("UPSTREAM_URL")
        .map_err(|_| FunctionError::internal("UPSTREAM_URL is not configured"))?;
    let timeout = std::env::var("UPSTREAM_TIMEOUT_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(DEFAULT_TIMEOUT_MS);

    let (context, body) = request.into_parts();
    let mut url = format!("{}{}", base.trim_end_matches('/'), context.path());
    if !context.query_string().is_empty() {
        url.push('?');
        url.push_str(context.query_string());
    }
    let mut upstream = http::Request::new(context.method().clone(), url)
        .body(body)
        .timeout(Duration::from_millis(timeout))
        .header(
            "x-forwarded-by",
            format!("{}/{}", context.function_name(), context.invocation_id()),
        );
    for (name, value) in context.headers().iter() {
        if FORWARDED_REQUEST_HEADERS
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(name))
        {
            upstream = upstream.header(name, value);
        }
    }

    let (status, headers, body) = upstream.send()?.into_parts();
    let status = StatusCode::from_u16(status).ok_or_else(|| {
        FunctionError::bad_gateway(format!("the upstream answered with status {status}"))
    })?;
    let mut response = WebResponse::new().with_status(status).with_body(body);
    for (name, value) in headers {
        if RETURNED_RESPONSE_HEADERS
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(&name))
        {
            response = response.with_header(name, value);
        }
    }
    Ok(response)
}
