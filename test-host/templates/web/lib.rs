//! {{name}}: `GET /?name=Ada` greets by name, `POST /` echoes the request body; other methods are
//! answered 405.

use momento_functions::{Data, Query, log};

#[derive(serde::Deserialize)]
struct Greeting {
    name: Option<String>,
}

momento_functions::route!(get: greet, post: echo);

fn greet(Query(greeting): Query<Greeting>) -> String {
    let name = greeting.name.as_deref().unwrap_or("world");
    log::info!("greeting {name}");
    format!("Hello, {name}!")
}

/// The body goes back as the host buffer it arrived in, without being copied into the function.
fn echo(body: Data) -> Data {
    body
}
