//! An event-stream endpoint that relays an upstream's server-sent events to the caller as they arrive.
//!
//! `GET /?only=<name>` connects to `UPSTREAM_URL` (an event stream), and sends each upstream event on —
//! only those named `<name>` when `only` is given — with ids of its own (`1`, `2`, …), then a final
//! `done` event with the count. An upstream that cannot be reached or answers with an error status is a
//! `502` before the stream starts; one that breaks in the middle ends the stream with the host's
//! `http-error` event (the `?` below), so the client learns why it ended.

use momento_functions::stream::{EventStream, SseEvent, Streamed};
use momento_functions::{FunctionError, FunctionResult, RequestContext, http, log};

/// Where the events come from unless `UPSTREAM_URL` says otherwise.
const DEFAULT_UPSTREAM: &str = "https://events.example.com/stream";

momento_functions::get!(relay);
fn relay(request: RequestContext) -> FunctionResult<Streamed> {
    let only = request.query_param("only");
    let upstream = std::env::var("UPSTREAM_URL").unwrap_or_else(|_| DEFAULT_UPSTREAM.to_owned());
    let response = http::Request::get(&upstream)
        .header("accept", "text/event-stream")
        .send()
        .and_then(http::Response::error_for_status)
        .map_err(|e| FunctionError::bad_gateway(format!("the upstream failed: {e}")))?;

    let mut events = EventStream::new();
    let mut sent = 0u64;
    for event in response.events() {
        let event = event.map_err(|e| {
            FunctionError::bad_gateway(format!(
                "the upstream stream broke after {sent} events: {e}"
            ))
        })?;
        if only.is_some_and(|only| event.event() != Some(only)) {
            continue;
        }
        sent += 1;
        events.send(SseEvent::from(event).with_id(sent.to_string()))?;
    }
    log::info!("relayed {sent} events from {upstream}");
    events.send(SseEvent::data(sent.to_string()).with_event("done"))?;
    Ok(events.finish())
}
