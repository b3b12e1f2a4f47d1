//! The function's stdout and stderr, captured in the order it wrote them.
//!
//! Both streams write into one [`StdioCapture`], which splits what arrives into lines as it arrives and
//! keeps the completed lines of both streams in one queue, in the order they were completed. The
//! invocation's log takes them from there before each `log` record it keeps, and once more at the end
//! (`InvocationState::drain_stdio`), so stdout lines, stderr lines and `log` records end up in the order
//! the function produced them. A line is placed where its newline was written; a last line without one
//! comes at the end.
//!
//! Bounds: each stream takes at most `capacity` bytes (further writes fail, as a full pipe would; the
//! guest sees a closed stream); a line keeps at most `MAX_LINE` bytes (cut further by the log record's
//! own limit, which marks the cut); at most `max_lines` completed lines wait in the queue, further ones
//! are only counted (they could not be kept within the record budget anyway).

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError, StreamResult};

use crate::logs::LogSource;
use crate::state::MAX_MESSAGE_BYTES;

/// Bytes of one line kept: a record's message limit, plus a little so that the record marks the cut.
const MAX_LINE: usize = MAX_MESSAGE_BYTES + 4;

/// One completed line: its stream and its bytes (without the newline).
pub(crate) type Line = (LogSource, Vec<u8>);

/// The shared capture of one invocation's stdout and stderr. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct StdioCapture(Arc<Mutex<Captured>>);

#[derive(Debug)]
struct Captured {
    /// Bytes a stream may take.
    capacity: usize,
    /// Completed lines waiting to become log records.
    max_lines: usize,
    lines: Vec<Line>,
    /// Lines completed while the queue was full.
    lines_dropped: usize,
    stdout: Stream,
    stderr: Stream,
}

/// One stream's bytes written and its unfinished line.
#[derive(Debug, Default)]
struct Stream {
    written: usize,
    /// Everything written to it (up to the capacity): stderr for the panic message of a trap, both for
    /// the system lines `configure-logging` destinations receive after the invocation.
    bytes: Vec<u8>,
    partial: Vec<u8>,
    /// Has anything been written since the last completed line? (An empty unfinished line still
    /// counts once something was written to it: only a final newline ends without a new line.)
    open: bool,
}

impl StdioCapture {
    /// A capture taking at most `capacity` bytes per stream and queueing at most `max_lines` lines.
    pub(crate) fn new(capacity: usize, max_lines: usize) -> Self {
        StdioCapture(Arc::new(Mutex::new(Captured {
            capacity,
            max_lines,
            lines: Vec::new(),
            lines_dropped: 0,
            stdout: Stream::default(),
            stderr: Stream::default(),
        })))
    }

    /// The stream `source` (stdout or stderr) for the guest's WASI context.
    pub(crate) fn pipe(&self, source: LogSource) -> StdioPipe {
        StdioPipe {
            source,
            capture: self.clone(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Captured> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Take the completed lines, in order, and the number dropped since the last call; with `finish`,
    /// the unfinished line of each stream too (stdout's first).
    pub(crate) fn take_lines(&self, finish: bool) -> (Vec<Line>, usize) {
        let mut captured = self.lock();
        if finish {
            for source in [LogSource::Stdout, LogSource::Stderr] {
                let stream = captured.stream(source);
                if stream.open {
                    stream.open = false;
                    let line = std::mem::take(&mut stream.partial);
                    captured.complete(source, line);
                }
            }
        }
        let dropped = std::mem::take(&mut captured.lines_dropped);
        (std::mem::take(&mut captured.lines), dropped)
    }

    /// What the guest wrote to stdout and to stderr, taken out (at the end of the invocation).
    pub(crate) fn take_bytes(&self) -> (Vec<u8>, Vec<u8>) {
        let mut captured = self.lock();
        (
            std::mem::take(&mut captured.stdout.bytes),
            std::mem::take(&mut captured.stderr.bytes),
        )
    }

    /// How many bytes the guest has written to stdout and to stderr so far.
    pub(crate) fn written(&self) -> (usize, usize) {
        let captured = self.lock();
        (captured.stdout.written, captured.stderr.written)
    }

    /// Bytes `source` may still take.
    fn remaining(&self, source: LogSource) -> usize {
        let mut captured = self.lock();
        let capacity = captured.capacity;
        capacity.saturating_sub(captured.stream(source).written)
    }

    /// Take `bytes` written to `source`, or fail when they do not fit.
    fn write(&self, source: LogSource, bytes: &[u8]) -> Result<(), ()> {
        let mut captured = self.lock();
        let capacity = captured.capacity;
        let stream = captured.stream(source);
        if bytes.len() > capacity.saturating_sub(stream.written) {
            return Err(());
        }
        stream.written += bytes.len();
        stream.bytes.extend_from_slice(bytes);
        let mut rest = bytes;
        while !rest.is_empty() {
            let stream = captured.stream(source);
            stream.open = true;
            match rest.iter().position(|&b| b == b'\n') {
                Some(at) => {
                    keep(&mut stream.partial, &rest[..at]);
                    stream.open = false;
                    let mut line = std::mem::take(&mut stream.partial);
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                    captured.complete(source, line);
                    rest = &rest[at + 1..];
                }
                None => {
                    keep(&mut stream.partial, rest);
                    rest = &[];
                }
            }
        }
        Ok(())
    }
}

/// Append to an unfinished line, up to [`MAX_LINE`] bytes.
fn keep(partial: &mut Vec<u8>, bytes: &[u8]) {
    let room = MAX_LINE.saturating_sub(partial.len());
    partial.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

impl Captured {
    fn stream(&mut self, source: LogSource) -> &mut Stream {
        match source {
            LogSource::Stderr => &mut self.stderr,
            _ => &mut self.stdout,
        }
    }

    fn complete(&mut self, source: LogSource, line: Vec<u8>) {
        if self.lines.len() < self.max_lines {
            self.lines.push((source, line));
        } else {
            self.lines_dropped += 1;
        }
    }
}

/// The guest's stdout or stderr: writes go to the shared [`StdioCapture`].
#[derive(Debug, Clone)]
pub(crate) struct StdioPipe {
    source: LogSource,
    capture: StdioCapture,
}

impl IsTerminal for StdioPipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for StdioPipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for StdioPipe {
    async fn ready(&mut self) {}
}

#[wasmtime_wasi::async_trait]
impl OutputStream for StdioPipe {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.capture
            .write(self.source, &bytes)
            .map_err(|()| StreamError::trap("write beyond the capacity of the captured stream"))
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        match self.capture.remaining(self.source) {
            0 => Err(StreamError::Closed),
            n => Ok(n),
        }
    }
}

impl AsyncWrite for StdioPipe {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let take = buf.len().min(self.capture.remaining(self.source));
        if take == 0 && !buf.is_empty() {
            return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
        }
        let written = self
            .capture
            .write(self.source, &buf[..take])
            .map(|()| take)
            .map_err(|()| std::io::Error::from(std::io::ErrorKind::WriteZero));
        Poll::Ready(written)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<(LogSource, String)> {
        lines
            .iter()
            .map(|(s, l)| (*s, String::from_utf8_lossy(l).into_owned()))
            .collect()
    }

    #[test]
    fn lines_of_both_streams_come_in_the_order_they_were_completed() {
        let capture = StdioCapture::new(1 << 20, 100);
        let (mut out, mut err) = (
            capture.pipe(LogSource::Stdout),
            capture.pipe(LogSource::Stderr),
        );
        OutputStream::write(&mut out, Bytes::from_static(b"one\ntw")).unwrap();
        OutputStream::write(&mut err, Bytes::from_static(b"three\r\n")).unwrap();
        OutputStream::write(&mut out, Bytes::from_static(b"o\n")).unwrap();
        let (lines, dropped) = capture.take_lines(false);
        assert_eq!(dropped, 0);
        assert_eq!(
            text(&lines),
            [
                (LogSource::Stdout, "one".to_owned()),
                (LogSource::Stderr, "three".to_owned()),
                (LogSource::Stdout, "two".to_owned()),
            ]
        );
        OutputStream::write(&mut err, Bytes::from_static(b"last")).unwrap();
        assert!(capture.take_lines(false).0.is_empty(), "not finished yet");
        assert_eq!(
            text(&capture.take_lines(true).0),
            [(LogSource::Stderr, "last".to_owned())]
        );
        assert_eq!(capture.take_bytes().1, b"three\r\nlast");
    }

    #[test]
    fn bounds_hold() {
        let capture = StdioCapture::new(8, 2);
        let mut out = capture.pipe(LogSource::Stdout);
        assert_eq!(OutputStream::check_write(&mut out).unwrap(), 8);
        OutputStream::write(&mut out, Bytes::from_static(b"\n\n\n\n")).unwrap();
        assert!(OutputStream::write(&mut out, Bytes::from_static(b"12345")).is_err());
        OutputStream::write(&mut out, Bytes::from_static(b"1234")).unwrap();
        assert!(matches!(
            OutputStream::check_write(&mut out),
            Err(StreamError::Closed)
        ));
        let (lines, dropped) = capture.take_lines(true);
        assert_eq!((lines.len(), dropped), (2, 3));

        let capture = StdioCapture::new(1 << 20, 10);
        let mut err = capture.pipe(LogSource::Stderr);
        OutputStream::write(&mut err, Bytes::from(vec![b'x'; MAX_LINE + 100])).unwrap();
        let (lines, _) = capture.take_lines(true);
        assert_eq!(lines[0].1.len(), MAX_LINE);
    }
}
