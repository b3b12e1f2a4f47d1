use momento_functions::{FunctionResult, Headers, Json, Method, Query, RequestContext, StatusCode};

#[derive(serde::Deserialize)]
struct Params {
    #[allow(dead_code)]
    q: String,
}

mod handlers {
    use super::*;

    pub fn read(_query: Query<Params>, _context: RequestContext, _method: Method) -> FunctionResult<String> {
        Ok(String::new())
    }

    pub fn write(
        _context: RequestContext,
        _headers: Headers,
        Json(value): Json<serde_json::Value>,
    ) -> (StatusCode, Json<serde_json::Value>) {
        (StatusCode::CREATED, Json(value))
    }

    pub fn nothing() {}
}

momento_functions::route!(get: handlers::read, post: handlers::write, delete: handlers::nothing,);

fn main() {}
