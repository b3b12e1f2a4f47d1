//! The chat room on the test host: a subscriber receives the room's messages in order, logs reach their
//! destinations, and the platform's errors become statuses.

use std::time::{Duration, UNIX_EPOCH};

use momento_functions_test_host::{
    Clock, Level, LineKind, MessageOrigin, Request, TestHost, TestHostBuilder, TopicError,
};
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/chat-logs";

fn host(builder: TestHostBuilder) -> TestHost {
    builder
        .clock(Clock::manual(
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        ))
        .build_crate(env!("CARGO_MANIFEST_DIR"))
        .expect("the function builds and loads")
}

fn post(host: &TestHost, body: Value) -> momento_functions_test_host::Response {
    host.invoke(Request::post("/").json(&body)).expect("invoke")
}

#[test]
fn subscribers_receive_the_rooms_messages_in_order() {
    let host = host(TestHost::builder());
    let lobby = host.topics().subscribe("chat-lobby");
    let kitchen = host.topics().subscribe("chat-kitchen");
    for (user, text) in [("ada", "hi"), ("grace", "hello"), ("ada", "tea?")] {
        let response = post(&host, json!({"room": "lobby", "user": user, "text": text}));
        assert_eq!(response.status(), 200, "{:?}", response.text());
        assert_eq!(
            response.json::<Value>().unwrap(),
            json!({"topic": "chat-lobby"})
        );
    }
    let received: Vec<Value> = lobby
        .drain()
        .iter()
        .map(|m| serde_json::from_str(&m.text()).unwrap())
        .collect();
    assert_eq!(
        received,
        [
            json!({"user": "ada", "text": "hi", "at": 1_700_000_000_000u64}),
            json!({"user": "grace", "text": "hello", "at": 1_700_000_000_000u64}),
            json!({"user": "ada", "text": "tea?", "at": 1_700_000_000_000u64}),
        ]
    );
    assert!(kitchen.is_empty());
    assert_eq!(host.topics().published("chat-lobby").len(), 3);
}

#[test]
fn logs_go_to_the_log_topic_and_warnings_to_cloudwatch() {
    let host = host(
        TestHost::builder()
            .env("LOG_ROLE_ARN", ROLE)
            .env("LOG_GROUP", "/chat/warnings"),
    );
    let logs = host.topics().subscribe("chat-logs");
    post(&host, json!({"room": "lobby", "user": "ada", "text": "hi"}));
    let refused = post(
        &host,
        json!({"room": "no spaces", "user": "ada", "text": "hi"}),
    );
    assert_eq!(refused.status(), 400);

    let on_topic: Vec<(MessageOrigin, String)> = logs
        .drain()
        .into_iter()
        .map(|m| (m.origin, m.text().into_owned()))
        .collect();
    assert_eq!(
        on_topic,
        [
            (
                MessageOrigin::FunctionLog,
                "example_chat_room: ada posted to chat-lobby".to_owned()
            ),
            (
                MessageOrigin::FunctionLog,
                "example_chat_room: refused a post to room \"no spaces\" by \"ada\"".to_owned()
            ),
        ]
    );
    let cloudwatch: Vec<(Level, LineKind, String)> = host
        .logging()
        .cloudwatch("/chat/warnings")
        .into_iter()
        .map(|d| (d.level, d.kind, d.line))
        .collect();
    assert_eq!(
        cloudwatch,
        [(
            Level::Warn,
            LineKind::Function,
            "example_chat_room: refused a post to room \"no spaces\" by \"ada\"".to_owned()
        )]
    );
}

#[test]
fn bad_posts_and_platform_errors_become_statuses() {
    let host = host(TestHost::builder());
    let long = "x".repeat(1001);
    assert_eq!(
        post(&host, json!({"room": "lobby", "user": "ada", "text": long})).status(),
        400
    );
    assert_eq!(
        post(&host, json!({"room": "lobby", "user": "ada", "text": ""})).status(),
        400
    );
    // 1,000 four-byte characters and a long user name make a message over the topic's 4 KiB limit:
    // the platform's refusal.
    let wide = "🍵".repeat(1000);
    let user = "u".repeat(64);
    let too_big = post(&host, json!({"room": "lobby", "user": user, "text": wide}));
    assert_eq!(too_big.status(), 413, "{:?}", too_big.text());
    host.topics().fail_topic(
        "chat-locked",
        TopicError::PermissionDenied("read-only room".into()),
    );
    let locked = post(
        &host,
        json!({"room": "locked", "user": "ada", "text": "hi"}),
    );
    assert_eq!(locked.status(), 403);
    assert!(locked.text().unwrap().contains("read-only room"));
}
