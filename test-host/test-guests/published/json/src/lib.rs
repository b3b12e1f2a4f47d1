//! Typed JSON with Momento's published SDK: a body that is not a `Greeting` answers 400 (the SDK's own
//! extraction error), otherwise a JSON answer.
use momento_functions_bytes::encoding::Json;
use momento_functions_guest_web::invoke;

#[derive(serde::Deserialize)]
struct Greeting {
    name: String,
    times: u32,
}

#[derive(serde::Serialize)]
struct Answer {
    message: String,
    length: usize,
}

invoke!(greet);
fn greet(Json(greeting): Json<Greeting>) -> Json<Answer> {
    let message = vec![format!("Hello, {}!", greeting.name); greeting.times as usize].join(" ");
    Json(Answer {
        length: message.len(),
        message,
    })
}
