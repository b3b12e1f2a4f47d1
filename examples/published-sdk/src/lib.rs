//! Notes kept in the function's cache, written with Momento's published SDK (0.27.0):
//!
//! - `PUT /?id=7` with `{"title": "...", "text": "..."}` stores note 7 for an hour (201);
//! - `GET /?id=7` answers it as JSON (404 when there is none);
//! - `DELETE /?id=7` removes it (204);
//! - no `id` is a 400, another method a 405.
//!
//! `tests/notes.rs` runs the compiled component in `momento-functions-test-host`.

use std::time::Duration;

use momento_functions_bytes::Data;
use momento_functions_bytes::encoding::{Extract, Json};
use momento_functions_guest_web::{WebEnvironment, WebResponse, WebResult, invoke};

/// How long a note stays.
const TTL: Duration = Duration::from_secs(3600);

#[derive(serde::Serialize, serde::Deserialize)]
struct Note {
    title: String,
    text: String,
}

invoke!(notes);
fn notes(body: Data) -> WebResult<WebResponse> {
    let environment = WebEnvironment::load();
    let Some(id) = environment.query_parameters().get("id") else {
        return Ok(WebResponse::new()
            .with_status(400)
            .with_body("the query needs ?id=")?);
    };
    let key = format!("note:{id}");
    match environment.http_method() {
        "GET" => match momento_functions_cache::get::<Json<Note>>(key)? {
            Some(note) => Ok(WebResponse::new()
                .header("content-type", "application/json")
                .with_body(note)?),
            None => Ok(WebResponse::new()
                .with_status(404)
                .with_body(format!("no note {id}"))?),
        },
        "PUT" => {
            let note = match Json::<Note>::extract(body) {
                Ok(note) => note,
                Err(error) => {
                    return Ok(WebResponse::new()
                        .with_status(400)
                        .with_body(format!("not a note: {error}"))?);
                }
            };
            momento_functions_cache::set(key, note, TTL)?;
            Ok(WebResponse::new().with_status(201))
        }
        "DELETE" => {
            momento_functions_cache::delete(key)?;
            Ok(WebResponse::new().with_status(204))
        }
        _ => Ok(WebResponse::new()
            .with_status(405)
            .header("allow", "GET, PUT, DELETE")),
    }
}
