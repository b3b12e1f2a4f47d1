//! `web-function-stream`: a response sent in pieces while the function runs — raw frames after
//! `send-response-start`, or server-sent events (`send-sse`).
//!
//! The rules are the ones Momento's WIT documents: `send-response-start` once, before any `send-data`; the
//! first `send-sse` commits `content-type: text/event-stream`, `cache-control: no-cache` and
//! `connection: keep-alive` (status 200) unless the response was already started; an event's name and id
//! hold no `\n`, `\r` or NUL and are at most 512 bytes; its data is UTF-8, at most 1 MiB, one `data:` line
//! per line of it (`\n`, `\r` and `\r\n` all end a line). After `invoke` returns, the returned headers are
//! dropped, and an event stream whose returned status is not 2xx ends with an `http-error` event
//! `HTTP <status>: <body>` (cut to 1 MiB, invalid UTF-8 replaced).
//!
//! Where the frames go depends on who runs the invocation: `serve` and `invoke_streaming` install a
//! [`StreamSink`] on the thread for the invocation's length (see [`with_stream_sink`]) and each frame goes
//! straight to it; otherwise (a test's `invoke`) the frames are kept, with their arrival times, within the
//! response limit.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use bytes::Bytes;

use crate::bindings::momento::web_function::web_function_stream as wit;
use crate::error::InvokeError;
use crate::logs::{Level, LogRecord, LogSource};
use crate::services::View;
use crate::state::{Cancelled, InvocationState};
use crate::stream::{Frame, Stream, StreamKind};

/// Longest event name or id, in bytes.
const MAX_FIELD_BYTES: usize = 512;
/// Longest data of one event, in bytes (also the cut of the `http-error` event's data).
const MAX_DATA_BYTES: usize = 1 << 20;

/// The headers the first `send-sse` commits.
const SSE_HEADERS: [(&str, &str); 3] = [
    ("content-type", "text/event-stream"),
    ("cache-control", "no-cache"),
    ("connection", "keep-alive"),
];

/// Where a streamed response goes while the function runs.
pub(crate) trait StreamSink {
    /// The response starts (once, before any data).
    fn start(
        &self,
        status: u16,
        headers: &[(String, String)],
        deadline: Option<Instant>,
    ) -> Result<(), SinkError>;
    /// One frame of the body. May wait (the client reads slowly), never past `deadline`.
    fn data(&self, bytes: Bytes, deadline: Option<Instant>) -> Result<(), SinkError>;
}

/// Why a sink took no more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SinkError {
    /// The client went away: the invocation is cancelled, as Momento drops it.
    Gone,
    /// The client did not take the frame before the invocation's deadline.
    #[cfg_attr(
        not(feature = "serve"),
        expect(dead_code, reason = "only serve's sink waits for a client")
    )]
    Deadline,
}

thread_local! {
    /// The sink of the invocation running on this thread, if its runner installed one.
    static CURRENT_SINK: RefCell<Option<Rc<dyn StreamSink>>> = const { RefCell::new(None) };
}

/// Run `f` (an invocation) with its streamed frames going to `sink` as they are sent.
pub(crate) fn with_stream_sink<R>(sink: Rc<dyn StreamSink>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Rc<dyn StreamSink>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT_SINK.with(|current| *current.borrow_mut() = previous);
        }
    }
    let previous = CURRENT_SINK.with(|current| current.borrow_mut().replace(sink));
    let _restore = Restore(previous);
    f()
}

fn current_sink() -> Option<Rc<dyn StreamSink>> {
    CURRENT_SINK.with(|current| current.borrow().clone())
}

/// The stream of one invocation.
#[derive(Debug)]
pub(crate) struct StreamState {
    /// `None` until the response starts.
    kind: Option<StreamKind>,
    status: u16,
    headers: Vec<(String, String)>,
    /// A sink was installed when the invocation began: frames go there and are not kept.
    to_sink: bool,
    /// Frames kept for the test (no sink), within `limit` bytes in all.
    frames: Vec<Frame>,
    kept_bytes: usize,
    limit: usize,
    /// All bytes sent, kept or not.
    sent_bytes: usize,
    /// The stream outgrew `limit` (no sink): the bytes it tried to send in all.
    overflow: Option<usize>,
}

impl StreamState {
    pub(crate) fn new(response_limit: usize) -> Self {
        StreamState {
            kind: None,
            status: 0,
            headers: Vec::new(),
            to_sink: CURRENT_SINK.with(|current| current.borrow().is_some()),
            frames: Vec::new(),
            kept_bytes: 0,
            limit: response_limit,
            sent_bytes: 0,
            overflow: None,
        }
    }

    /// Has the function started a streamed response?
    pub(crate) fn started(&self) -> bool {
        self.kind.is_some()
    }
}

/// A sink's refusal as the trap that ends the invocation.
fn sink_error(error: SinkError) -> wasmtime::Error {
    match error {
        SinkError::Gone => wasmtime::Error::new(Cancelled),
        SinkError::Deadline => wasmtime::Error::new(wasmtime::Trap::Interrupt),
    }
}

impl InvocationState {
    fn start_stream(
        &mut self,
        kind: StreamKind,
        status: u16,
        headers: Vec<(String, String)>,
    ) -> wasmtime::Result<()> {
        let deadline = self.deadline();
        let stream = &mut self.stream;
        stream.kind = Some(kind);
        stream.status = status;
        stream.headers = headers;
        if stream.to_sink
            && let Some(sink) = current_sink()
        {
            sink.start(status, &stream.headers, deadline)
                .map_err(sink_error)?;
        }
        Ok(())
    }

    /// Send one frame: to the sink, or kept for the test.
    fn send_frame(&mut self, bytes: Bytes) -> wasmtime::Result<Result<(), String>> {
        let at = self.started.elapsed();
        let deadline = self.deadline();
        let stream = &mut self.stream;
        stream.sent_bytes = stream.sent_bytes.saturating_add(bytes.len());
        if stream.to_sink {
            if !bytes.is_empty()
                && let Some(sink) = current_sink()
            {
                sink.data(bytes, deadline).map_err(sink_error)?;
            }
            return Ok(Ok(()));
        }
        let kept = stream.kept_bytes.saturating_add(bytes.len());
        if kept > stream.limit {
            let attempted = stream.sent_bytes;
            stream.overflow = Some(attempted);
            if self.warn_only {
                self.warn(InvokeError::ResponseTooLarge {
                    size: attempted,
                    limit: self.stream.limit,
                });
            } else {
                return Ok(Err(format!(
                    "the streamed response passed the response limit of {} bytes the test host keeps for a test ({attempted} bytes sent)",
                    stream.limit
                )));
            }
        }
        let stream = &mut self.stream;
        stream.kept_bytes = kept;
        stream.frames.push(Frame { bytes, at });
        Ok(Ok(()))
    }
}

/// Why an event name or id cannot be sent, if it cannot.
fn field_problem(value: &str) -> Option<String> {
    if value.len() > MAX_FIELD_BYTES {
        return Some(format!(
            "{} bytes, over the limit of {MAX_FIELD_BYTES}",
            value.len()
        ));
    }
    value
        .bytes()
        .find(|b| matches!(b, b'\n' | b'\r' | 0))
        .map(|b| format!("contains {:?}, which an event field may not", char::from(b)))
}

/// An event in the wire format: `event:`, `id:`, one `data:` line per line of `data`, a blank line.
fn format_event(event: Option<&str>, id: Option<&str>, data: Option<&str>) -> Vec<u8> {
    let mut frame = Vec::with_capacity(
        event.map_or(0, str::len) + id.map_or(0, str::len) + data.map_or(0, str::len) + 32,
    );
    let mut field = |name: &[u8], value: &str| {
        frame.extend_from_slice(name);
        frame.push(b':');
        if !value.is_empty() {
            frame.push(b' ');
            frame.extend_from_slice(value.as_bytes());
        }
        frame.push(b'\n');
    };
    if let Some(event) = event {
        field(b"event", event);
    }
    if let Some(id) = id {
        field(b"id", id);
    }
    if let Some(data) = data {
        // `\r\n`, `\r` and `\n` each end a line.
        let data = data.replace("\r\n", "\n").replace('\r', "\n");
        for line in data.split('\n') {
            field(b"data", line);
        }
    }
    frame.push(b'\n');
    frame
}

/// Cut `text` to at most `max` bytes at a character boundary.
fn cut(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

/// Validate a header of `send-response-start`.
fn header_problem(name: &str, value: &str) -> Option<String> {
    if http::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Some(format!(
            "bad header: `{}` is not a header name",
            name.escape_debug()
        ));
    }
    if http::header::HeaderValue::from_str(value).is_err() {
        return Some(format!(
            "bad header: the value of `{name}` holds a character a header may not"
        ));
    }
    None
}

impl wit::Host for View<'_, ()> {
    fn send_sse(
        &mut self,
        event: Option<String>,
        event_id: Option<String>,
        data: Option<wit::Data>,
    ) -> wasmtime::Result<Result<(), String>> {
        self.inv.host_call("web-function-stream")?;
        let data = match data {
            Some(data) => Some(crate::services::bytes::take_data(self.inv, data)?),
            None => None,
        };
        if event.is_none() && data.is_none() {
            return Ok(Err("event or data must be provided".to_owned()));
        }
        if let Some(problem) = event.as_deref().and_then(field_problem) {
            return Ok(Err(format!("bad event name: {problem}")));
        }
        if let Some(problem) = event_id.as_deref().and_then(field_problem) {
            return Ok(Err(format!("bad event id: {problem}")));
        }
        let text = match &data {
            Some(bytes) if bytes.len() > MAX_DATA_BYTES => {
                return Ok(Err(format!(
                    "bad data: {} bytes, over the limit of {MAX_DATA_BYTES} for one event",
                    bytes.len()
                )));
            }
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => Some(text),
                Err(e) => {
                    return Ok(Err(format!(
                        "bad data: not UTF-8 (invalid byte at offset {})",
                        e.valid_up_to()
                    )));
                }
            },
            None => None,
        };
        let frame = format_event(event.as_deref(), event_id.as_deref(), text);
        match self.inv.stream.kind {
            None => {
                let headers = SSE_HEADERS
                    .iter()
                    .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
                    .collect();
                self.inv.start_stream(StreamKind::Sse, 200, headers)?;
            }
            // Events in a response started with `send-response-start` (and the function's own headers).
            Some(StreamKind::Raw) => self.inv.stream.kind = Some(StreamKind::Sse),
            Some(StreamKind::Sse) => {}
        }
        self.inv.send_frame(Bytes::from(frame))
    }

    fn send_response_start(
        &mut self,
        status: u16,
        headers: Vec<wit::Header>,
    ) -> wasmtime::Result<Result<(), String>> {
        self.inv.host_call("web-function-stream")?;
        if self.inv.stream.started() {
            return Ok(Err(
                "the response has already started: send-response-start is called once, before any send-data or send-sse"
                    .to_owned(),
            ));
        }
        if !(200..=599).contains(&status) {
            return Ok(Err(format!(
                "bad status: {status} (a response's status is 200-599)"
            )));
        }
        if let Some(problem) = headers
            .iter()
            .find_map(|header| header_problem(&header.name, &header.value))
        {
            return Ok(Err(problem));
        }
        let headers = headers.into_iter().map(|h| (h.name, h.value)).collect();
        self.inv.start_stream(StreamKind::Raw, status, headers)?;
        Ok(Ok(()))
    }

    fn send_data(&mut self, data: wit::Data) -> wasmtime::Result<Result<(), String>> {
        self.inv.host_call("web-function-stream")?;
        let bytes = crate::services::bytes::take_data(self.inv, data)?;
        if !self.inv.stream.started() {
            return Ok(Err(
                "send-response-start must be called before send-data".to_owned()
            ));
        }
        self.inv.send_frame(bytes)
    }
}

/// The response of a function that streamed: what `invoke` returned is applied as Momento documents it
/// (headers dropped; an event stream with a non-2xx status ends with an `http-error` event). Anything
/// else it returned cannot be sent any more and is reported in a warning record. `None` when the
/// function did not stream.
pub(crate) fn finish(
    inv: &mut InvocationState,
    returned_status: u16,
    returned_body: &Bytes,
) -> wasmtime::Result<Option<crate::runtime::Answer>> {
    let Some(kind) = inv.stream.kind else {
        return Ok(None);
    };
    let success = (200..300).contains(&returned_status);
    if kind == StreamKind::Sse && !success {
        let mut data = format!(
            "HTTP {returned_status}: {}",
            String::from_utf8_lossy(returned_body)
        );
        cut(&mut data, MAX_DATA_BYTES);
        let frame = format_event(Some("http-error"), None, Some(&data));
        // The client may be gone already: the function is done either way.
        let _ = inv.send_frame(Bytes::from(frame));
    } else if !success || !returned_body.is_empty() {
        let record = LogRecord {
            level: Level::Warn,
            target: "stream".to_owned(),
            message: format!(
                "the function streamed its response, then returned status {returned_status} and a {}-byte body: they are not sent (the stream was the response)",
                returned_body.len()
            ),
            source: LogSource::Host,
            invocation_id: inv.id.clone(),
        };
        inv.push_log(record);
    }
    if let Some(size) = inv.stream.overflow
        && !inv.warn_only
    {
        return Err(wasmtime::Error::new(StreamTooLarge {
            size,
            limit: inv.stream.limit,
        }));
    }
    let stream = &mut inv.stream;
    let frames = std::mem::take(&mut stream.frames);
    let mut body = Vec::with_capacity(stream.kept_bytes);
    for frame in &frames {
        body.extend_from_slice(&frame.bytes);
    }
    Ok(Some(crate::runtime::Answer {
        status: stream.status,
        headers: std::mem::take(&mut stream.headers),
        body: Bytes::from(body),
        stream: Some(Stream {
            kind,
            frames,
            sent: stream.sent_bytes,
        }),
    }))
}

/// A streamed response kept for a test outgrew the response limit.
#[derive(Debug, thiserror::Error)]
#[error("the streamed response is {size} bytes, over the limit of {limit}")]
pub(crate) struct StreamTooLarge {
    pub(crate) size: usize,
    pub(crate) limit: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_formatted_one_data_line_per_line() {
        let frame = format_event(Some("tick"), Some("7"), Some("a\r\nb\rc\n"));
        assert_eq!(
            String::from_utf8(frame).unwrap(),
            "event: tick\nid: 7\ndata: a\ndata: b\ndata: c\ndata:\n\n"
        );
        assert_eq!(format_event(None, None, Some("")), b"data:\n\n");
        assert_eq!(format_event(Some("ping"), None, None), b"event: ping\n\n");
    }

    #[test]
    fn event_fields_are_checked() {
        assert!(field_problem("tick").is_none());
        assert!(field_problem("a\nb").unwrap().contains("'\\n'"));
        assert!(field_problem("a\0").is_some());
        assert!(field_problem(&"x".repeat(512)).is_none());
        assert!(
            field_problem(&"x".repeat(513))
                .unwrap()
                .contains("513 bytes")
        );
    }

    #[test]
    fn the_error_event_is_cut_at_a_character_boundary() {
        let mut text = "é".repeat(3);
        cut(&mut text, 5);
        assert_eq!(text, "éé");
    }

    #[test]
    fn what_a_function_sends_round_trips_through_the_parser() {
        let data = "line one\n\nline three\n";
        let frame = format_event(Some("x"), None, Some(data));
        let mut parser = crate::stream::SseParser::default();
        let mut events = Vec::new();
        parser.push(&frame, std::time::Duration::ZERO, &mut events);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].data(), Some(data));
    }
}
