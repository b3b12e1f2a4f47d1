//! Reading an upstream's server-sent events: [`Response::events`](crate::Response::events) turns a
//! `text/event-stream` response into an iterator of [`Event`]s.
//!
//! ```no_run
//! # fn main() -> Result<(), momento_functions_http::Error> {
//! let response = momento_functions_http::Request::get("https://prices.example.com/stream")
//!     .header("accept", "text/event-stream")
//!     .send()?
//!     .error_for_status()?;
//! for event in response.events() {
//!     let event = event?;
//!     if event.event() == Some("price") {
//!         println!("{}", event.data().unwrap_or_default());
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! The body is read in chunks as the events are taken, never whole. Parsing follows the
//! `text/event-stream` format: lines end with `\n`, `\r\n` or `\r`; a blank line ends an event; a line
//! `field: value` sets a field (one space after the colon is dropped); `data` lines are joined with `\n`;
//! a line starting with `:` is a comment. Unlike a browser's `EventSource`, an event with a name but no
//! data is delivered too (with [`Event::data`] `None`) — heartbeats stay visible — and a stream that ends
//! in the middle of an event drops that event.

use std::io::Read;

use momento_functions_host::Data;

use crate::Error;

/// Largest event the reader accepts (its lines together), so that an upstream cannot make the function
/// buffer without end: 16 MiB.
pub const MAX_EVENT_BYTES: usize = 16 << 20;

/// Bytes asked of the host per read.
const READ_CHUNK: usize = 16 << 10;

/// One server-sent event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    event: Option<String>,
    id: Option<String>,
    data: Option<String>,
    retry: Option<u64>,
}

impl Event {
    /// The event's name (`event:`), if it had one. `EventSource` calls an unnamed event `message`.
    pub fn event(&self) -> Option<&str> {
        self.event.as_deref()
    }

    /// The event's id (`id:`), if it had one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The data: its `data:` lines joined with `\n`; `None` when it had no `data:` line.
    pub fn data(&self) -> Option<&str> {
        self.data.as_deref()
    }

    /// Take the data.
    pub fn into_data(self) -> Option<String> {
        self.data
    }

    /// The reconnection time the server asked for (`retry:`, in milliseconds), if it came with this event.
    pub fn retry(&self) -> Option<u64> {
        self.retry
    }
}

/// The events of a response body, read as they are taken. See the [module](self) documentation.
#[derive(Debug)]
pub struct Events {
    body: Data,
    /// Bytes read and not yet parsed.
    pending: Vec<u8>,
    /// Start of the unparsed part of `pending`.
    start: usize,
    /// `pending[start..scanned]` holds no line end (searched already).
    scanned: usize,
    /// The last byte parsed was `\r` (a `\n` right after it ends no second line).
    after_cr: bool,
    /// The event being assembled, and the bytes it holds so far.
    current: Event,
    current_bytes: usize,
    /// The body ended (or failed: the error was returned).
    done: bool,
}

impl Events {
    pub(crate) fn new(body: Data) -> Self {
        Events {
            body,
            pending: Vec::new(),
            start: 0,
            scanned: 0,
            after_cr: false,
            current: Event::default(),
            current_bytes: 0,
            done: false,
        }
    }

    /// Parse complete lines of `pending`; `Some` when one ends an event.
    fn parse(&mut self) -> Result<Option<Event>, Error> {
        while self.start < self.pending.len() {
            let rest = &self.pending[self.start..];
            if self.after_cr && rest[0] == b'\n' {
                self.after_cr = false;
                self.start += 1;
                continue;
            }
            let searched = self.scanned.saturating_sub(self.start);
            let Some(end) = rest[searched..]
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .map(|at| searched + at)
            else {
                self.scanned = self.pending.len();
                if self.current_bytes + rest.len() > MAX_EVENT_BYTES {
                    return Err(too_large());
                }
                return Ok(None);
            };
            self.after_cr = rest[end] == b'\r';
            let line_start = self.start;
            self.start += end + 1;
            if let Some(event) = self.line(line_start, line_start + end)? {
                return Ok(Some(event));
            }
        }
        Ok(None)
    }

    /// Apply the line `pending[from..to]`; a blank line completes the event.
    fn line(&mut self, from: usize, to: usize) -> Result<Option<Event>, Error> {
        let line = &self.pending[from..to];
        if line.is_empty() {
            let event = std::mem::take(&mut self.current);
            self.current_bytes = 0;
            let complete = event.event.is_some() || event.data.is_some() || event.id.is_some();
            return Ok(complete.then_some(event));
        }
        if line[0] == b':' {
            return Ok(None);
        }
        self.current_bytes += line.len();
        if self.current_bytes > MAX_EVENT_BYTES {
            return Err(too_large());
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        let value = std::str::from_utf8(value).map_err(Error::Utf8)?;
        match field {
            b"event" => self.current.event = Some(value.to_owned()),
            b"data" => match &mut self.current.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.current.data = Some(value.to_owned()),
            },
            // An id with NUL is ignored, as the format says.
            b"id" if !value.contains('\0') => self.current.id = Some(value.to_owned()),
            b"retry" => {
                if let Ok(ms) = value.parse() {
                    self.current.retry = Some(ms);
                }
            }
            _ => {}
        }
        Ok(None)
    }

    /// Read the next chunk of the body; `false` at its end.
    fn fill(&mut self) -> Result<bool, Error> {
        // Drop what was parsed before reading more.
        if self.start > 0 {
            self.pending.drain(..self.start);
            self.scanned = self.scanned.saturating_sub(self.start);
            self.start = 0;
        }
        let len = self.pending.len();
        self.pending.resize(len + READ_CHUNK, 0);
        let read = self.body.read(&mut self.pending[len..]);
        let read = match read {
            Ok(read) => read,
            Err(e) => {
                self.pending.truncate(len);
                return Err(crate::error::body_read(e));
            }
        };
        self.pending.truncate(len + read);
        Ok(read > 0)
    }
}

fn too_large() -> Error {
    Error::MalformedResponse(format!(
        "a server-sent event is over {MAX_EVENT_BYTES} bytes"
    ))
}

impl Iterator for Events {
    type Item = Result<Event, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.parse() {
                Ok(Some(event)) => return Some(Ok(event)),
                Ok(None) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
            match self.fill() {
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(body: &str) -> Vec<Result<Event, String>> {
        Events::new(Data::from(body))
            .map(|e| e.map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn events_are_parsed() {
        let parsed = events(
            ": hello\nevent: tick\nid: 1\ndata: a\ndata:\ndata:  b\n\ndata:x\r\n\r\nevent: ping\rretry: 3000\r\rdata: unfinished",
        );
        let parsed: Vec<Event> = parsed.into_iter().map(Result::unwrap).collect();
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[0].event(), Some("tick"));
        assert_eq!(parsed[0].id(), Some("1"));
        assert_eq!(parsed[0].data(), Some("a\n\n b"));
        assert_eq!(parsed[1].data(), Some("x"));
        assert_eq!(parsed[1].event(), None);
        assert_eq!(parsed[2].event(), Some("ping"));
        assert_eq!(parsed[2].data(), None);
        assert_eq!(parsed[2].retry(), Some(3000));
    }

    #[test]
    fn events_larger_than_a_read_chunk_are_assembled() {
        let big = "y".repeat(READ_CHUNK * 3 + 5);
        let parsed = events(&format!("data: {big}\n\n"));
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].as_ref().unwrap().data(), Some(big.as_str()));
    }

    #[test]
    fn an_endless_line_is_an_error_not_a_buffer_without_end() {
        let huge = "z".repeat(MAX_EVENT_BYTES + 10);
        let parsed = events(&format!("data: {huge}"));
        assert_eq!(parsed.len(), 1);
        assert!(parsed[0].as_ref().unwrap_err().contains("over"));
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        let parsed: Vec<_> = Events::new(Data::from(&b"data: \xff\n\n"[..])).collect();
        assert!(matches!(parsed[0], Err(Error::Utf8(_))));
    }
}
