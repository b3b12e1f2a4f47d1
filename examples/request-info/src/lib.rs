//! Answers with what it was sent — one handler per method, each showing other extractors and responses:
//!
//! | method | parameters | response |
//! |---|---|---|
//! | GET | `RequestContext` | `Json<Info>`: method, path, query, headers, invocation id, function name, token metadata |
//! | POST | `RequestContext`, `String` | text: `"<path>: <body>"` (a non-UTF-8 body is a 400) |
//! | PUT | `WebRequest` | a `WebResponse` built by hand: 201, `location` header, the body echoed |
//! | PATCH | `Method`, `Headers`, `Json<serde_json::Value>` | `(StatusCode::ACCEPTED, Json<_>)` |
//! | DELETE | none | `()`: 204 |

use momento_functions::{
    FunctionResult, Headers, Json, Method, RequestContext, StatusCode, WebRequest, WebResponse,
};

/// What `GET` reports.
#[derive(serde::Serialize)]
struct Info {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    user_agents: Vec<String>,
    invocation_id: String,
    function_name: String,
    token_metadata: Option<String>,
}

momento_functions::route!(get: info, post: text, put: created, patch: accepted, delete: gone);

fn info(context: RequestContext) -> FunctionResult<Json<Info>> {
    Ok(Json(Info {
        method: context.method().to_string(),
        path: context.path().to_owned(),
        query: context.query_params().to_vec(),
        headers: context
            .headers()
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect(),
        user_agents: context
            .headers()
            .get_all("USER-AGENT")
            .map(str::to_owned)
            .collect(),
        invocation_id: context.invocation_id().to_owned(),
        function_name: context.function_name().to_owned(),
        token_metadata: context.token_metadata().map(str::to_owned),
    }))
}

fn text(context: RequestContext, body: String) -> String {
    format!("{}: {body}", context.path())
}

fn created(request: WebRequest) -> WebResponse {
    let location = format!("{}/1", request.path().trim_end_matches('/'));
    WebResponse::new()
        .with_status(StatusCode::CREATED)
        .with_header("location", location)
        .with_body(request.into_body())
}

fn accepted(
    method: Method,
    headers: Headers,
    Json(value): Json<serde_json::Value>,
) -> (StatusCode, Json<serde_json::Value>) {
    let trace = headers.get("x-trace").unwrap_or("none").to_owned();
    (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "method": method.as_str(), "trace": trace, "value": value })),
    )
}

fn gone() {}
