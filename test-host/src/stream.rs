//! Streamed responses as tests see them: the frames a function sent with `web-function-stream`, when each
//! arrived, and the server-sent events in them.
//!
//! A function that calls `send-response-start` (then `send-data`) answers with a raw stream; one that calls
//! `send-sse` answers with an event stream. [`Response::stream`](crate::Response::stream) holds what it sent:
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use momento_functions_test_host::{Request, TestHost};
//!
//! let host = TestHost::for_crate("examples/sse-relay")?;
//! let response = host.invoke(Request::get("/"))?;
//! let stream = response.stream().expect("a streamed response");
//! for event in stream.events() {
//!     println!("{:?} {:?} after {:?}", event.event(), event.data(), event.at());
//! }
//! # Ok(())
//! # }
//! ```

use std::time::Duration;

use bytes::Bytes;

/// How a function streamed its response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// `send-response-start`, then `send-data` frames, sent as they are.
    Raw,
    /// Server-sent events (`send-sse`): `text/event-stream`.
    Sse,
}

/// One frame of a streamed response: the bytes of one `send-data` or `send-sse` call (or the host's final
/// `http-error` event), and when the host received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub(crate) bytes: Bytes,
    pub(crate) at: Duration,
}

impl Frame {
    /// The bytes as sent on the wire (an SSE frame is the formatted event, ending with a blank line).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Time since the invocation started.
    pub fn at(&self) -> Duration {
        self.at
    }
}

/// A streamed response: its kind and its frames in order. The response's body is all frames together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    pub(crate) kind: StreamKind,
    pub(crate) frames: Vec<Frame>,
    pub(crate) sent: usize,
}

impl Stream {
    /// Raw frames or server-sent events?
    pub fn kind(&self) -> StreamKind {
        self.kind
    }

    /// The frames in the order they were sent (empty when they went to
    /// [`TestHost::invoke_streaming`](crate::TestHost::invoke_streaming)'s callback or a `serve` client).
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }

    /// Bytes the function streamed in all, with the host's final `http-error` event if any.
    pub fn bytes_sent(&self) -> usize {
        self.sent
    }

    /// The server-sent events in the frames, in order (empty for a raw stream that holds no events).
    ///
    /// Every event the function sent is listed, also one with no `data:` line (a browser's `EventSource`
    /// would not deliver that one). A `retry:` field or a comment is not an event.
    pub fn events(&self) -> Vec<SseEvent> {
        let mut parser = SseParser::default();
        let mut events = Vec::new();
        for frame in &self.frames {
            parser.push(&frame.bytes, frame.at, &mut events);
        }
        events
    }
}

/// One server-sent event: its `event:`, `id:` and `data:` fields, and when its frame arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    event: Option<String>,
    id: Option<String>,
    data: Option<String>,
    at: Duration,
}

impl SseEvent {
    /// The `event:` field (the event's name), if it had one.
    pub fn event(&self) -> Option<&str> {
        self.event.as_deref()
    }

    /// The `id:` field, if it had one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The data: its `data:` lines joined with `\n`; `None` when it had no `data:` line.
    pub fn data(&self) -> Option<&str> {
        self.data.as_deref()
    }

    /// When the frame holding it arrived, since the invocation started.
    pub fn at(&self) -> Duration {
        self.at
    }
}

impl std::fmt::Display for SseEvent {
    /// `event=<name> id=<id> data=<data>` with the parts it has (newlines in the data escaped).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        let mut part = |f: &mut std::fmt::Formatter<'_>, name: &str, value: &str| {
            let space = if first { "" } else { " " };
            first = false;
            write!(f, "{space}{name}={}", value.escape_debug())
        };
        if let Some(event) = &self.event {
            part(f, "event", event)?;
        }
        if let Some(id) = &self.id {
            part(f, "id", id)?;
        }
        if let Some(data) = &self.data {
            part(f, "data", data)?;
        }
        Ok(())
    }
}

/// An incremental parser of the `text/event-stream` format: lines end with `\n`, `\r\n` or `\r`, a blank
/// line ends an event, `field: value` with one optional space after the colon, `:` starts a comment.
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    /// The unfinished last line.
    line: Vec<u8>,
    /// The previous byte was `\r` (a `\n` right after it ends no second line).
    after_cr: bool,
    event: Option<String>,
    id: Option<String>,
    data: Option<String>,
}

impl SseParser {
    /// Feed `bytes` (which arrived at `at`), appending each completed event to `out`.
    pub(crate) fn push(&mut self, bytes: &[u8], at: Duration, out: &mut Vec<SseEvent>) {
        for &byte in bytes {
            match byte {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    let line = std::mem::take(&mut self.line);
                    self.line(&line, at, out);
                }
                _ => {
                    self.after_cr = false;
                    self.line.push(byte);
                }
            }
        }
    }

    fn line(&mut self, line: &[u8], at: Duration, out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            if self.event.is_some() || self.id.is_some() || self.data.is_some() {
                out.push(SseEvent {
                    event: self.event.take(),
                    id: self.id.take(),
                    data: self.data.take(),
                    at,
                });
            }
            return;
        }
        if line[0] == b':' {
            return;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        let value = String::from_utf8_lossy(value);
        match field {
            b"event" => self.event = Some(value.into_owned()),
            b"id" => self.id = Some(value.into_owned()),
            b"data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(&value);
                }
                None => self.data = Some(value.into_owned()),
            },
            _ => {}
        }
    }
}

/// What [`TestHost::invoke_streaming`](crate::TestHost::invoke_streaming) hands its callback while the
/// function runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamPart<'a> {
    /// The response starts: its status and headers (once, before any data).
    Start {
        /// The status.
        status: u16,
        /// The headers.
        headers: &'a [(String, String)],
    },
    /// Bytes of the body, as the function sent them (one frame).
    Data(&'a [u8]),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(frames: &[&str]) -> Vec<SseEvent> {
        let stream = Stream {
            sent: 0,
            kind: StreamKind::Sse,
            frames: frames
                .iter()
                .enumerate()
                .map(|(i, f)| Frame {
                    bytes: Bytes::copy_from_slice(f.as_bytes()),
                    at: Duration::from_millis(i as u64),
                })
                .collect(),
        };
        stream.events()
    }

    #[test]
    fn events_are_parsed_across_frames_and_line_endings() {
        let events = parse(&[
            "event: tick\nid: 1\ndata: a\ndata:\ndata: b\n\n",
            ": a comment\r\ndata:x\r",
            "\r\nevent: only\n\n",
        ]);
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].event(), Some("tick"));
        assert_eq!(events[0].id(), Some("1"));
        assert_eq!(events[0].data(), Some("a\n\nb"));
        assert_eq!(events[0].at(), Duration::from_millis(0));
        assert_eq!(events[1].data(), Some("x"));
        assert_eq!(events[1].event(), None);
        // The blank line ending it came in the third frame.
        assert_eq!(events[1].at(), Duration::from_millis(2));
        assert_eq!(events[2].event(), Some("only"));
        assert_eq!(events[2].data(), None);
        assert_eq!(events[2].to_string(), "event=only");
    }

    #[test]
    fn an_unfinished_event_is_not_reported() {
        assert!(parse(&["data: half"]).is_empty());
        assert!(parse(&["retry: 10\n\n"]).is_empty());
    }
}
