//! `serve`'s topic streams: `GET /_momento/topics/{name}` answers with a server-sent-events stream of the
//! topic (`text/event-stream`, chunked), one event per message as it is published, so that a browser
//! (`new EventSource(...)`) can watch what a function publishes. The path is reserved: requests under
//! `/_momento/topics/` never reach the function.
//!
//! Events: a text message is a `message` event whose `data` lines are the text's lines; a binary message
//! is a `binary` event whose data is the message in base64. Every event's `id` is the message's sequence
//! number. Comments (`: ...`) open the stream, keep it alive every 15 seconds, and report messages the
//! stream missed because its client read too slowly. The stream ends when the server shuts down.

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use hyper::{Method, StatusCode};
use tokio::sync::{mpsc, watch};

use super::{TopicMessage, TopicValue, TopicsMock};

/// The reserved prefix of topic streams.
pub(crate) const PREFIX: &str = "/_momento/topics/";

/// The headers of a topic stream: an event stream, not cached, readable by a page from anywhere (e.g. a
/// local file).
pub(crate) const HEADERS: [(&str, &str); 3] = [
    ("content-type", "text/event-stream"),
    ("cache-control", "no-cache"),
    ("access-control-allow-origin", "*"),
];

/// How often an idle stream sends a comment, so that proxies and browsers keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Events waiting for a slow client before the stream stops reading the topic (the subscription's own
/// backlog then fills and drops the oldest, reported as a comment).
const CHANNEL_EVENTS: usize = 64;

/// Is `path` a topic stream's? `Some` with the topic name (percent-decoded) or why it is not usable.
pub(crate) fn topic_of(path: &str) -> Option<Result<String, String>> {
    let encoded = path.strip_prefix(PREFIX)?;
    Some(match percent_decode(encoded) {
        Some(name) if name.is_empty() => Err("the topic name is empty".to_owned()),
        Some(name) => Ok(name),
        None => Err("the topic name is not valid percent-encoded UTF-8".to_owned()),
    })
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What a request for a reserved topic path gets.
#[derive(Debug)]
pub(crate) enum TopicAnswer<M> {
    /// 200 with [`HEADERS`]: the frames of the stream, each a message `M` made from its bytes.
    Stream(mpsc::Receiver<M>),
    /// An error status with a text body (405 also needs `Allow: GET`).
    Refused {
        /// The status.
        status: StatusCode,
        /// Why.
        text: String,
    },
}

/// Answer a request for a reserved topic path: a stream for `GET` of a valid name, else an error. Must be
/// called inside a tokio runtime (the stream's task is spawned on it); the stream ends when `shutdown`
/// turns true or the receiver is dropped (the client left).
pub(crate) fn answer<M: From<Bytes> + Send + 'static>(
    method: &Method,
    topic: Result<String, String>,
    topics: &TopicsMock,
    shutdown: watch::Receiver<bool>,
) -> TopicAnswer<M> {
    if method != Method::GET {
        return TopicAnswer::Refused {
            status: StatusCode::METHOD_NOT_ALLOWED,
            text: format!("{PREFIX}{{topic}} is reserved for topic streams: only GET\n"),
        };
    }
    let name = match topic {
        Ok(name) => name,
        Err(why) => {
            return TopicAnswer::Refused {
                status: StatusCode::BAD_REQUEST,
                text: format!("{why}\n"),
            };
        }
    };
    let subscription = topics.subscribe(name.clone());
    let (tx, frames) = mpsc::channel::<M>(CHANNEL_EVENTS);
    let opening = format!(": subscribed to topic {}\n\n", one_line(&name));
    let _ = tx.try_send(M::from(Bytes::from(opening)));
    tokio::spawn(async move {
        let mut shutdown = shutdown;
        loop {
            let frame = tokio::select! {
                (message, dropped) = subscription.recv_async() => event(&message, dropped),
                () = tokio::time::sleep(KEEP_ALIVE) => ": keep-alive\n\n".to_owned(),
                () = tx.closed() => break,
                _ = shutdown.wait_for(|stop| *stop) => break,
            };
            if tx.send(M::from(Bytes::from(frame))).await.is_err() {
                break;
            }
        }
    });
    TopicAnswer::Stream(frames)
}

/// A name shown in a comment: control characters would end the comment line.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// One server-sent event for `message`, after a comment about `dropped` messages if any.
fn event(message: &TopicMessage, dropped: u64) -> String {
    let mut out = String::new();
    if dropped > 0 {
        out.push_str(&format!(
            ": {dropped} message(s) dropped: this stream fell behind\n\n"
        ));
    }
    out.push_str(&format!("id: {}\n", message.sequence));
    match &message.value {
        TopicValue::Text(text) => {
            // Every line of the text is a `data` line; the client joins them with `\n`.
            for line in text.split("\r\n").flat_map(|l| l.split(['\r', '\n'])) {
                out.push_str("data: ");
                out.push_str(line);
                out.push('\n');
            }
        }
        TopicValue::Binary(bytes) => {
            out.push_str("event: binary\ndata: ");
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(bytes));
            out.push('\n');
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::topic::MessageOrigin;

    fn message(value: TopicValue) -> TopicMessage {
        TopicMessage {
            topic: "t".into(),
            value,
            origin: MessageOrigin::Publish,
            invocation_id: "i".into(),
            sequence: 7,
            published_at: std::time::UNIX_EPOCH,
        }
    }

    #[test]
    fn reserved_paths_decode_their_topic() {
        assert_eq!(topic_of("/other"), None);
        assert_eq!(topic_of("/_momento/topics/chat"), Some(Ok("chat".into())));
        assert_eq!(
            topic_of("/_momento/topics/room%2F1%20a"),
            Some(Ok("room/1 a".into()))
        );
        assert!(matches!(topic_of("/_momento/topics/"), Some(Err(m)) if m.contains("empty")));
        assert!(matches!(topic_of("/_momento/topics/%zz"), Some(Err(_))));
        assert!(matches!(topic_of("/_momento/topics/%ff"), Some(Err(_))));
    }

    #[test]
    fn events_carry_lines_ids_and_base64() {
        assert_eq!(
            event(&message(TopicValue::Text("a\nb\r\nc".into())), 0),
            "id: 7\ndata: a\ndata: b\ndata: c\n\n"
        );
        assert_eq!(
            event(&message(TopicValue::Binary(vec![0, 1, 2])), 2),
            ": 2 message(s) dropped: this stream fell behind\n\nid: 7\nevent: binary\ndata: AAEC\n\n"
        );
    }
}
