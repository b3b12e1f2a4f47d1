//! {{name}}: typed JSON in and out. `POST /` with `{"name": "Ada"}` answers
//! `{"message": "Hello, Ada!"}`; a body that is not such JSON is answered 400 naming line, column and
//! field.

use momento_functions::{FunctionError, FunctionResult, log};

#[derive(serde::Deserialize)]
struct Request {
    name: String,
    /// Optional: `"Hello"` unless given.
    greeting: Option<String>,
}

#[derive(serde::Serialize)]
struct Response {
    message: String,
}

momento_functions::post!(greet, Request, Response);

fn greet(request: Request) -> FunctionResult<Response> {
    if request.name.trim().is_empty() {
        return Err(FunctionError::bad_request("name must not be empty"));
    }
    let greeting = request.greeting.as_deref().unwrap_or("Hello");
    log::info!("{greeting}, {}", request.name);
    Ok(Response {
        message: format!("{greeting}, {}!", request.name),
    })
}
