//! A typed JSON function: `{"name": "Ada"}` is answered with `{"message": "Hello, Ada!"}`.
//!
//! Invalid JSON is answered with 400 and a JSON body naming line, column and field; an empty name with
//! a 500 from the handler's own error (to show the error path).
//!
//! ```text
//! cargo run -q -p momento-functions-test-host -- invoke examples/greeter --data '{"name":"Ada"}'
//! ```

use momento_functions::{FunctionError, FunctionResult};

/// The request body.
#[derive(serde::Deserialize)]
struct Request {
    name: String,
    /// Optional greeting word, "Hello" by default.
    #[serde(default)]
    greeting: Option<String>,
}

/// The response body.
#[derive(serde::Serialize)]
struct Response {
    message: String,
}

momento_functions::post!(greet, Request, Response);

fn greet(request: Request) -> FunctionResult<Response> {
    if request.name.trim().is_empty() {
        return Err(FunctionError::internal("cannot greet an empty name"));
    }
    let greeting = request.greeting.as_deref().unwrap_or("Hello");
    Ok(Response {
        message: format!("{greeting}, {}!", request.name),
    })
}
