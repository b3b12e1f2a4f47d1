//! A greeter with a typed JSON POST and a typed-query GET, served by one function.
//!
//! - `POST /` with `{"name": "Ada"}` → `{"message": "Hello, Ada!"}` (typed JSON: a body that does not fit is
//!   answered 400 with a JSON body naming line, column and field; an empty name is the handler's own 500);
//! - `GET /?name=Ada&name=Grace&shout=true` → `HELLO, ADA AND GRACE!` as text (repeated keys are kept);
//! - any other method → 405 with `Allow: GET, POST`.
//!
//! The greeting word comes from the `GREETING` environment variable (default "Hello"), and every greeting
//! is logged with `log::info!`. On Momento nothing is logged until the function configures a
//! destination: with `LOG_TOPIC` set, each invocation first sends its records to that topic of the
//! function's cache (`configure_logging`). The test host shows the records either way.
//!
//! ```text
//! cargo run -q -p momento-functions-test-host -- invoke examples/greeter --data '{"name":"Ada"}'
//! cargo run -q -p momento-functions-test-host -- invoke examples/greeter -X GET --path '/?name=Ada' --env GREETING=Hi
//! ```

use momento_functions::logging::{LogConfig, LogDestination, configure_logging};
use momento_functions::{FunctionError, FunctionResult, Query, RequestContext};

/// The POST body.
#[derive(serde::Deserialize)]
struct Request {
    name: String,
    /// Greeting word for this request, overriding `GREETING`.
    #[serde(default)]
    greeting: Option<String>,
}

/// The POST response.
#[derive(serde::Serialize)]
struct Response {
    message: String,
}

/// The GET query: `?name=..&name=..&shout=true`.
#[derive(serde::Deserialize)]
struct GreetQuery {
    #[serde(default)]
    name: Vec<String>,
    #[serde(default)]
    shout: bool,
}

momento_functions::route!(get: greet_query, post: (greet, Request, Response));

/// Send log records to the topic `LOG_TOPIC`, when it is set. A destination the platform refuses is
/// logged as a warning (which the test host shows) and the greeting goes on.
fn configure_logs() {
    if let Ok(topic) = std::env::var("LOG_TOPIC")
        && let Err(error) = configure_logging([LogConfig::new(LogDestination::topic(topic))])
    {
        log::warn!("{error}");
    }
}

fn greeting_word() -> String {
    std::env::var("GREETING").unwrap_or_else(|_| "Hello".to_owned())
}

fn greet(request: Request) -> FunctionResult<Response> {
    configure_logs();
    if request.name.trim().is_empty() {
        return Err(FunctionError::internal("cannot greet an empty name"));
    }
    let greeting = request.greeting.unwrap_or_else(greeting_word);
    log::info!("greeting {}", request.name);
    Ok(Response {
        message: format!("{greeting}, {}!", request.name),
    })
}

fn greet_query(Query(query): Query<GreetQuery>, context: RequestContext) -> FunctionResult<String> {
    configure_logs();
    if query.name.is_empty() {
        return Err(FunctionError::bad_request(
            "add at least one `name` query parameter",
        ));
    }
    log::info!(target: "greeter::get", "greeting {} from {}", query.name.join(", "), context.path());
    let message = format!("{}, {}!", greeting_word(), query.name.join(" and "));
    Ok(if query.shout {
        message.to_uppercase()
    } else {
        message
    })
}
