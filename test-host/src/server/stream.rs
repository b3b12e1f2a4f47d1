//! Streamed responses under `serve`: each frame a function sends reaches its client while the function
//! still runs.
//!
//! The invocation runs on its serving thread outside the thread's tokio runtime (see `serve_core`). Its
//! [`ServeSink`] puts each part of the stream on a small channel and then drives the runtime just long
//! enough for the channel to take it and for the connection's task to write it out: a frame is on the wire
//! before the function's `send-sse` or `send-data` returns, unless the client reads slowly — then the
//! channel fills and the function waits (backpressure), never past its deadline. The connection's
//! [`ResponseBody`] reads the channel. A client that goes away drops the body; the next send finds the
//! channel closed and the invocation is cancelled, as Momento drops it.

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Frame, SizeHint};
use tokio::sync::mpsc;

use super::ClientWatch;
use crate::services::web::stream::{SinkError, StreamSink};
use crate::state::Cancel;

/// Frames that may wait for a slow client before the function waits too.
pub(super) const STREAM_BUFFER: usize = 16;

/// One part of a streamed response, from the serving thread to the connection.
#[derive(Debug)]
pub(super) enum StreamMessage {
    /// Status and headers: the response starts.
    Start(u16, Vec<(String, String)>),
    /// Bytes of the body.
    Data(Bytes),
    /// The invocation failed after the stream started: end the response abnormally (the client sees a
    /// body cut short, not a complete one).
    Failed,
}

/// Bytes of the body (a topic stream's frames, `services::topic::sse`).
impl From<Bytes> for StreamMessage {
    fn from(bytes: Bytes) -> Self {
        StreamMessage::Data(bytes)
    }
}

/// The sink of one invocation under `serve`.
pub(super) struct ServeSink {
    pub(super) runtime: Rc<tokio::runtime::Runtime>,
    pub(super) parts: mpsc::Sender<StreamMessage>,
    pub(super) cancel: Cancel,
    /// The watch on the invocation's client, told when the response starts.
    pub(super) watch: Arc<ClientWatch>,
    pub(super) watched: u64,
    /// The response has started.
    pub(super) started: Cell<bool>,
}

impl ServeSink {
    /// Hand `message` to the connection and let it write, within `deadline`.
    pub(super) fn deliver(
        &self,
        message: StreamMessage,
        deadline: Option<Instant>,
    ) -> Result<(), SinkError> {
        self.runtime.block_on(async {
            let wait = async {
                match deadline {
                    Some(deadline) => {
                        tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)).await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                sent = self.parts.send(message) => sent.map_err(|_| SinkError::Gone)?,
                () = self.cancel.cancelled() => return Err(SinkError::Gone),
                () = wait => return Err(SinkError::Deadline),
            }
            // The connection's task was woken by the send: let it run (and write) before returning.
            tokio::task::yield_now().await;
            Ok(())
        })
    }
}

impl StreamSink for ServeSink {
    fn start(
        &self,
        status: u16,
        headers: &[(String, String)],
        deadline: Option<Instant>,
    ) -> Result<(), SinkError> {
        self.watch.streaming(self.watched);
        self.started.set(true);
        self.deliver(StreamMessage::Start(status, headers.to_vec()), deadline)
    }

    fn data(&self, bytes: Bytes, deadline: Option<Instant>) -> Result<(), SinkError> {
        self.deliver(StreamMessage::Data(bytes), deadline)
    }
}

/// A response body: the whole function's answer, or a stream read from the serving thread.
#[derive(Debug)]
pub(crate) enum ResponseBody {
    Full(Full<Bytes>),
    Stream(mpsc::Receiver<StreamMessage>),
}

impl ResponseBody {
    pub(super) fn full(bytes: Bytes) -> Self {
        ResponseBody::Full(Full::new(bytes))
    }
}

/// The invocation failed after its response started streaming.
#[derive(Debug, thiserror::Error)]
#[error("the invocation failed after its response started streaming")]
pub(crate) struct StreamFailed;

impl hyper::body::Body for ResponseBody {
    type Data = Bytes;
    type Error = StreamFailed;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, StreamFailed>>> {
        match self.get_mut() {
            ResponseBody::Full(full) => Pin::new(full)
                .poll_frame(cx)
                .map_err(|never| match never {}),
            ResponseBody::Stream(parts) => loop {
                return match parts.poll_recv(cx) {
                    Poll::Ready(Some(StreamMessage::Data(bytes))) => {
                        Poll::Ready(Some(Ok(Frame::data(bytes))))
                    }
                    Poll::Ready(Some(StreamMessage::Failed)) => {
                        Poll::Ready(Some(Err(StreamFailed)))
                    }
                    // The start was taken before the body was made; a second one cannot come.
                    Poll::Ready(Some(StreamMessage::Start(..))) => continue,
                    Poll::Ready(None) => Poll::Ready(None),
                    Poll::Pending => Poll::Pending,
                };
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ResponseBody::Full(full) => full.is_end_stream(),
            ResponseBody::Stream(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ResponseBody::Full(full) => full.size_hint(),
            ResponseBody::Stream(_) => SizeHint::default(),
        }
    }
}
