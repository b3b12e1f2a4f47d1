//! Responses sent in pieces while the function runs: server-sent events ([`EventStream`]) and raw
//! streamed bodies ([`ResponseStream`]), over Momento's `web-function-stream` interface.
//!
//! A handler that streams sends its status and headers first and its body in frames after, each reaching
//! the client when it is sent; then it returns [`Streamed`] (from [`EventStream::finish`] or
//! [`ResponseStream::finish`]). Any handler can stream — `post!`, `get!` or a `route!` arm:
//!
//! ```no_run
//! use momento_functions::stream::{EventStream, SseEvent, Streamed};
//! use momento_functions::FunctionResult;
//!
//! momento_functions::get!(countdown);
//! fn countdown() -> FunctionResult<Streamed> {
//!     let mut events = EventStream::new();
//!     for n in (1..=3).rev() {
//!         events.send(SseEvent::data(n.to_string()).with_event("tick").with_id(n.to_string()))?;
//!     }
//!     events.send(SseEvent::data("liftoff"))?;
//!     Ok(events.finish())
//! }
//! ```
//!
//! # What the host does with it
//!
//! - The first event commits status 200 and `content-type: text/event-stream`, `cache-control: no-cache`,
//!   `connection: keep-alive` — unless the stream was started with [`EventStream::with_head`].
//! - Each event is `event:`, `id:` and one `data:` line per line of its data, then a blank line.
//! - The status and headers a streaming handler returns are not sent (the head went out already). If it
//!   returns an error (`Err(FunctionError)`, or any non-2xx response) after events went out, the host ends
//!   the event stream with an `http-error` event whose data is `HTTP <status>: <body>`: `?` in a streaming
//!   handler tells the client what went wrong.
//! - A client that goes away ends the invocation (the function is stopped at its next send).

use std::marker::PhantomData;

use momento_functions_host::wit::data_into_wit;
use momento_functions_host::wit::momento::web_function::web_function_stream as wit;
use momento_functions_host::wit::momento::web_function::web_function_support::Header as WitHeader;

use crate::{Data, Headers, IntoResponse, StatusCode, WebResponse};

/// Longest event name or id the host accepts, in bytes.
pub const MAX_EVENT_FIELD_BYTES: usize = 512;
/// Largest data of one event the host accepts, in bytes (1 MiB).
pub const MAX_EVENT_DATA_BYTES: usize = 1 << 20;

/// Why a frame or event was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamError {
    /// The response head was already sent: a stream starts once.
    AlreadyStarted,
    /// An event that cannot be sent as it is: no event name and no data, a name or id with a line break
    /// or NUL or over 512 bytes, data that is not UTF-8 or over 1 MiB.
    InvalidEvent(String),
    /// The host refused the frame (its message, which is informational and may change).
    Host(String),
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::AlreadyStarted => f.write_str(
                "the response has already started: a stream's status and headers are sent once",
            ),
            StreamError::InvalidEvent(problem) => write!(f, "invalid event: {problem}"),
            StreamError::Host(message) => write!(f, "the host refused the frame: {message}"),
        }
    }
}

impl std::error::Error for StreamError {}

/// What a streaming handler returns once it has sent its frames.
///
/// Returned as a response it is `200` with no headers and no body, which the host ignores for a
/// streamed response (see the [module](self) documentation).
#[derive(Debug)]
#[must_use = "return it from the handler"]
pub struct Streamed(());

impl IntoResponse for Streamed {
    fn into_response(self) -> WebResponse {
        WebResponse::new()
    }
}

/// One server-sent event: a name (`event:`), an id (`id:`) and data (`data:` lines). At least a name or
/// data is needed; an event with a name and no data is a common heartbeat.
///
/// ```
/// use momento_functions::stream::SseEvent;
/// let update = SseEvent::data(r#"{"price":42}"#).with_event("price").with_id("17");
/// let heartbeat = SseEvent::named("ping");
/// # let _ = (update, heartbeat);
/// ```
#[derive(Debug, Default)]
pub struct SseEvent {
    event: Option<String>,
    id: Option<String>,
    data: Option<Data>,
}

impl SseEvent {
    /// An event with this data (UTF-8; each line becomes a `data:` line).
    pub fn data(data: impl Into<Data>) -> Self {
        SseEvent {
            data: Some(data.into()),
            ..SseEvent::default()
        }
    }

    /// An event with this name and no data.
    pub fn named(event: impl Into<String>) -> Self {
        SseEvent {
            event: Some(event.into()),
            ..SseEvent::default()
        }
    }

    /// An event whose data is `value` as JSON.
    ///
    /// # Errors
    /// When `value` cannot be serialized.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        Ok(SseEvent::data(serde_json::to_vec(value)?))
    }

    /// Set the name (`event:` field).
    pub fn with_event(mut self, event: impl Into<String>) -> Self {
        self.event = Some(event.into());
        self
    }

    /// Set the id (`id:` field; a reconnecting browser sends the last one in `Last-Event-ID`).
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Set the data.
    pub fn with_data(mut self, data: impl Into<Data>) -> Self {
        self.data = Some(data.into());
        self
    }

    /// The name, if set.
    pub fn event(&self) -> Option<&str> {
        self.event.as_deref()
    }

    /// The id, if set.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The data, if set.
    pub fn data_ref(&self) -> Option<&Data> {
        self.data.as_ref()
    }

    /// Why the host would refuse this event, checked here so that the error is typed. Data still on the
    /// host is checked by the host.
    fn problem(&self) -> Option<String> {
        if self.event.is_none() && self.data.is_none() {
            return Some("an event needs a name or data".to_owned());
        }
        let field = |what: &str, value: &Option<String>| {
            let value = value.as_deref()?;
            if value.len() > MAX_EVENT_FIELD_BYTES {
                return Some(format!(
                    "the {what} is {} bytes, over {MAX_EVENT_FIELD_BYTES}",
                    value.len()
                ));
            }
            value
                .contains(['\n', '\r', '\0'])
                .then(|| format!("the {what} holds a line break or NUL"))
        };
        if let Some(problem) = field("event name", &self.event).or_else(|| field("id", &self.id)) {
            return Some(problem);
        }
        let bytes = self.data.as_ref().and_then(Data::as_bytes)?;
        if bytes.len() > MAX_EVENT_DATA_BYTES {
            return Some(format!(
                "the data is {} bytes, over {MAX_EVENT_DATA_BYTES}",
                bytes.len()
            ));
        }
        std::str::from_utf8(bytes)
            .err()
            .map(|e| format!("the data is not UTF-8 (at byte {})", e.valid_up_to()))
    }
}

/// An upstream's event (from [`http::Response::events`](crate::http::Response::events)) passed on as it
/// came: name, id and data (a `retry:` field cannot be sent by a function and is dropped).
impl From<crate::http::sse::Event> for SseEvent {
    fn from(event: crate::http::sse::Event) -> Self {
        SseEvent {
            event: event.event().map(str::to_owned),
            id: event.id().map(str::to_owned),
            data: event.into_data().map(Data::from),
        }
    }
}

/// A server-sent event stream (`text/event-stream`): the response of a handler that pushes events.
///
/// Not `Send`: a stream belongs to its invocation.
#[derive(Debug)]
pub struct EventStream {
    _invocation: PhantomData<*const ()>,
}

impl Default for EventStream {
    fn default() -> Self {
        EventStream::new()
    }
}

impl EventStream {
    /// An event stream with the standard head (200, `text/event-stream`), sent with the first event.
    pub fn new() -> Self {
        EventStream {
            _invocation: PhantomData,
        }
    }

    /// An event stream with a head of your own, sent now. Set `content-type: text/event-stream` yourself
    /// (the host adds nothing).
    ///
    /// # Errors
    /// [`StreamError::AlreadyStarted`] when a response was already started, [`StreamError::Host`] for a
    /// status or header the host refuses.
    pub fn with_head(status: StatusCode, headers: impl Into<Headers>) -> Result<Self, StreamError> {
        start(status, headers.into())?;
        Ok(EventStream::new())
    }

    /// Send one event. It reaches the client before this returns (unless the client reads slowly).
    ///
    /// # Errors
    /// [`StreamError::InvalidEvent`] for an event the host would refuse; [`StreamError::Host`] when it
    /// refuses it anyway.
    pub fn send(&mut self, event: SseEvent) -> Result<(), StreamError> {
        if let Some(problem) = event.problem() {
            return Err(StreamError::InvalidEvent(problem));
        }
        let SseEvent { event, id, data } = event;
        wit::send_sse(event.as_deref(), id.as_deref(), data.map(data_into_wit))
            .map_err(StreamError::Host)
    }

    /// Send an event with only data.
    ///
    /// # Errors
    /// As [`send`](Self::send).
    pub fn send_data(&mut self, data: impl Into<Data>) -> Result<(), StreamError> {
        self.send(SseEvent::data(data))
    }

    /// Done: the value the handler returns.
    pub fn finish(self) -> Streamed {
        Streamed(())
    }
}

/// A raw streamed body: status and headers first, then bytes in frames, sent as they are.
///
/// ```no_run
/// use momento_functions::stream::{ResponseStream, Streamed};
/// use momento_functions::{FunctionResult, StatusCode};
///
/// momento_functions::get!(lines);
/// fn lines() -> FunctionResult<Streamed> {
///     let mut body = ResponseStream::start(StatusCode::OK, [("content-type", "text/plain")])?;
///     for n in 0..3 {
///         body.send(format!("line {n}\n"))?;
///     }
///     Ok(body.finish())
/// }
/// ```
#[derive(Debug)]
pub struct ResponseStream {
    _invocation: PhantomData<*const ()>,
}

impl ResponseStream {
    /// Send the status and headers now.
    ///
    /// # Errors
    /// [`StreamError::AlreadyStarted`] when a response was already started, [`StreamError::Host`] for a
    /// status or header the host refuses (a status outside 200–599, a malformed header).
    pub fn start<N: Into<String>, V: Into<String>>(
        status: StatusCode,
        headers: impl IntoIterator<Item = (N, V)>,
    ) -> Result<Self, StreamError> {
        start(status, headers.into_iter().collect())?;
        Ok(ResponseStream {
            _invocation: PhantomData,
        })
    }

    /// Send bytes of the body (a [`Data`] still on the host is passed on without entering the function).
    ///
    /// # Errors
    /// [`StreamError::Host`] when the host refuses the frame.
    pub fn send(&mut self, chunk: impl Into<Data>) -> Result<(), StreamError> {
        wit::send_data(data_into_wit(chunk.into())).map_err(StreamError::Host)
    }

    /// Done: the value the handler returns.
    pub fn finish(self) -> Streamed {
        Streamed(())
    }
}

/// `send-response-start`, with the host's "already started" as its own error.
fn start(status: StatusCode, headers: Headers) -> Result<(), StreamError> {
    let headers: Vec<WitHeader> = headers
        .into_vec()
        .into_iter()
        .map(|(name, value)| WitHeader { name, value })
        .collect();
    wit::send_response_start(status.as_u16(), &headers).map_err(|message| {
        if message.contains("already started") {
            StreamError::AlreadyStarted
        } else {
            StreamError::Host(message)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_checked_before_the_host_sees_them() {
        assert!(
            SseEvent::default()
                .problem()
                .unwrap()
                .contains("name or data")
        );
        assert!(
            SseEvent::named("a\nb")
                .problem()
                .unwrap()
                .contains("line break")
        );
        assert!(
            SseEvent::data("x")
                .with_id("x".repeat(513))
                .problem()
                .unwrap()
                .contains("513 bytes")
        );
        assert!(
            SseEvent::data(vec![0xff])
                .problem()
                .unwrap()
                .contains("UTF-8")
        );
        assert!(SseEvent::data("ok").with_event("tick").problem().is_none());
        assert!(SseEvent::named("ping").problem().is_none());
    }
}
