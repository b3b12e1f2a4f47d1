//! A chat room on Momento topics.
//!
//! `POST /` with `{"room": "lobby", "user": "ada", "text": "hi"}` publishes
//! `{"user": "ada", "text": "hi", "at": <unix ms>}` to the topic `chat-lobby` of the function's cache,
//! where every subscriber (a browser with a disposable token, another service) receives it, and answers
//! `{"topic": "chat-lobby"}`. Room and user names are letters, digits, `-` and `_`; text is 1 to 1,000
//! characters (the topic's 4 KB limit is the platform's: a larger message is its `LimitExceeded`, 413).
//!
//! Logging: each invocation sends its `info` records to the topic `chat-logs` and, when
//! `LOG_ROLE_ARN` and `LOG_GROUP` are set, its warnings (and the platform's system lines at `warn`) to
//! that CloudWatch log group. Nothing is logged on Momento before that configuration.
//!
//! ```text
//! cargo run -q -p momento-functions-test-host -- serve examples/chat-room
//! curl -N http://127.0.0.1:8080/_momento/topics/chat-lobby &      # watch the room
//! curl -d '{"room":"lobby","user":"ada","text":"hi"}' http://127.0.0.1:8080/
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use momento_functions::logging::{LogConfig, LogDestination, configure_logging};
use momento_functions::{FunctionError, FunctionResult, topics};

/// The longest message text, in characters.
const MAX_TEXT_CHARS: usize = 1000;

#[derive(serde::Deserialize)]
struct Post {
    room: String,
    user: String,
    text: String,
}

#[derive(serde::Serialize)]
struct Message<'a> {
    user: &'a str,
    text: &'a str,
    at: u64,
}

#[derive(serde::Serialize)]
struct Posted {
    topic: String,
}

momento_functions::post!(post, Post, Posted);

fn configure_logs() {
    let mut destinations =
        vec![LogConfig::new(LogDestination::topic("chat-logs")).log_level(log::LevelFilter::Info)];
    if let (Ok(role), Ok(group)) = (std::env::var("LOG_ROLE_ARN"), std::env::var("LOG_GROUP")) {
        destinations.push(
            LogConfig::new(LogDestination::cloudwatch(role, group))
                .log_level(log::LevelFilter::Warn)
                .system_log_level(log::LevelFilter::Warn),
        );
    }
    if let Err(error) = configure_logging(destinations) {
        log::warn!("{error}");
    }
}

fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn post(post: Post) -> FunctionResult<Posted> {
    configure_logs();
    if !is_name(&post.room) || !is_name(&post.user) {
        log::warn!("refused a post to room {:?} by {:?}", post.room, post.user);
        return Err(FunctionError::bad_request(
            "room and user must be 1 to 64 letters, digits, `-` or `_`",
        ));
    }
    let chars = post.text.chars().count();
    if chars == 0 || chars > MAX_TEXT_CHARS {
        return Err(FunctionError::bad_request(format!(
            "text must be 1 to {MAX_TEXT_CHARS} characters"
        )));
    }
    let at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default();
    let topic = format!("chat-{}", post.room);
    topics::publish_json(
        &topic,
        &Message {
            user: &post.user,
            text: &post.text,
            at,
        },
    )?;
    log::info!("{} posted to {topic}", post.user);
    Ok(Posted { topic })
}
