//! Handler dispatch, extraction and responses, natively (no host needed: these paths make no host calls).

use momento_functions::__private::{call, call_get, call_json, method_not_allowed};
use momento_functions::{
    Data, FunctionError, FunctionResult, Headers, Json, Method, Query, RequestContext, StatusCode,
    WebRequest, WebResponse,
};
use serde_json::{Value, json};

fn body_json(response: &WebResponse) -> Value {
    let bytes = response.body().as_bytes().expect("a body in memory");
    serde_json::from_slice(bytes).expect("a JSON body")
}

#[test]
fn bytes_in_bytes_out() {
    fn echo(body: Vec<u8>) -> FunctionResult<Vec<u8>> {
        Ok(body)
    }
    let response = call(echo, WebRequest::new("POST", "/").with_body("hi"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), b"hi");
    assert_eq!(
        response.headers().get("Content-Type"),
        Some("application/octet-stream")
    );
}

#[test]
fn question_mark_on_any_error_is_a_500_with_the_message_chain() {
    fn parse(body: String) -> FunctionResult<String> {
        let n: u64 = body.trim().parse()?;
        Ok((n * 2).to_string())
    }
    assert_eq!(
        call(parse, WebRequest::new("POST", "/").with_body("21")).body(),
        b"42"
    );
    let response = call(parse, WebRequest::new("POST", "/").with_body("x"));
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body_json(&response),
        json!({"status": 500, "error": "Internal Server Error", "message": "invalid digit found in string"})
    );
}

#[test]
fn rejections_converted_with_question_mark_keep_their_400() {
    fn manual(request: WebRequest) -> FunctionResult<String> {
        use momento_functions::FromRequest;
        let text = String::from_request(request)?;
        Ok(text)
    }
    let response = call(manual, WebRequest::new("POST", "/").with_body(vec![0xff]));
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn function_error_constructors_choose_the_status() {
    for (error, status) in [
        (FunctionError::bad_request("x"), 400),
        (FunctionError::unauthorized("x"), 401),
        (FunctionError::forbidden("x"), 403),
        (FunctionError::not_found("x"), 404),
        (FunctionError::conflict("x"), 409),
        (FunctionError::too_many_requests("x"), 429),
        (FunctionError::internal("x"), 500),
        (FunctionError::bad_gateway("x"), 502),
        (FunctionError::unavailable("x"), 503),
        (FunctionError::gateway_timeout("x"), 504),
        (
            FunctionError::internal("x").with_status(StatusCode::GONE),
            410,
        ),
    ] {
        let response = call(
            move || -> FunctionResult<()> { Err(error) },
            WebRequest::new("POST", "/"),
        );
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(body_json(&response)["status"], status);
        assert_eq!(
            response.headers().get("content-type"),
            Some("application/json")
        );
    }
}

#[test]
fn json_in_json_out_with_field_paths_in_errors() {
    #[derive(serde::Deserialize)]
    struct Order {
        items: Vec<Item>,
    }
    #[derive(serde::Deserialize)]
    struct Item {
        #[allow(dead_code, reason = "only deserialized, to check the error path")]
        qty: u32,
    }
    fn count(Json(order): Json<Order>) -> Json<usize> {
        Json(order.items.len())
    }
    let ok = call(
        count,
        WebRequest::new("POST", "/").with_body(r#"{"items":[{"qty":1},{"qty":2}]}"#),
    );
    assert_eq!(ok.body(), b"2");
    let bad = call(
        count,
        WebRequest::new("POST", "/").with_body(r#"{"items":[{"qty":1},{"qty":"two"}]}"#),
    );
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body = body_json(&bad);
    assert_eq!(body["details"]["field"], "items[1].qty");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("at field `items[1].qty`"),
        "{body}"
    );
}

#[test]
fn typed_json_handlers() {
    #[derive(serde::Deserialize)]
    struct In {
        a: i32,
    }
    #[derive(serde::Serialize)]
    struct Out {
        doubled: i32,
    }
    fn double(input: In) -> FunctionResult<Out> {
        if input.a < 0 {
            return Err(FunctionError::bad_request("a must not be negative"));
        }
        Ok(Out {
            doubled: input.a * 2,
        })
    }
    let ok = call_json(double, WebRequest::new("POST", "/").with_body(r#"{"a":4}"#));
    assert_eq!(body_json(&ok), json!({"doubled": 8}));
    assert_eq!(ok.headers().get("content-type"), Some("application/json"));
    let err = call_json(
        double,
        WebRequest::new("POST", "/").with_body(r#"{"a":-1}"#),
    );
    assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body_json(&err)["message"], "a must not be negative");
    let eof = call_json(double, WebRequest::new("POST", "/").with_body(""));
    assert_eq!(body_json(&eof)["details"]["kind"], "invalid_json");
}

#[test]
fn json_responses_that_fail_to_serialize_are_500() {
    fn bad_map() -> Json<std::collections::HashMap<(u8, u8), u8>> {
        Json([((1, 2), 3)].into_iter().collect())
    }
    let response = call(bad_map, WebRequest::new("POST", "/"));
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        body_json(&response)["message"]
            .as_str()
            .unwrap()
            .starts_with("failed to serialize")
    );
}

#[test]
fn head_extractors_for_get() {
    #[derive(serde::Deserialize)]
    struct Q {
        tag: Vec<String>,
        limit: Option<u8>,
    }
    fn handler(
        Query(q): Query<Q>,
        method: Method,
        headers: Headers,
        context: RequestContext,
    ) -> String {
        format!(
            "{method} {} {:?} {:?} {:?}",
            context.path(),
            q.tag,
            q.limit,
            headers.get_all("x-a").collect::<Vec<_>>()
        )
    }
    let request = WebRequest::new("GET", "/p")
        .with_query("tag=a&tag=b%20c&limit=3")
        .with_header("X-A", "1")
        .with_header("x-a", "2");
    assert_eq!(
        call_get(handler, request).body(),
        br#"GET /p ["a", "b c"] Some(3) ["1", "2"]"#
    );
    let bad = call_get(
        handler,
        WebRequest::new("GET", "/").with_query("tag=a&limit=999"),
    );
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body_json(&bad)["details"]["kind"], "invalid_query");
}

#[test]
fn responses_of_every_kind() {
    assert_eq!(
        call(|| (), WebRequest::new("POST", "/")).status(),
        StatusCode::NO_CONTENT
    );
    let text = call(|| "hi", WebRequest::new("POST", "/"));
    assert_eq!(
        text.headers().get("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let bytes = call(|| &b"\x00\x01"[..], WebRequest::new("POST", "/"));
    assert_eq!(bytes.body(), b"\x00\x01");
    let created = call(
        || (StatusCode::CREATED, "made"),
        WebRequest::new("POST", "/"),
    );
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.body(), b"made");
    let custom_err = call(
        || -> Result<String, (StatusCode, String)> { Err((StatusCode::CONFLICT, "taken".into())) },
        WebRequest::new("POST", "/"),
    );
    assert_eq!(custom_err.status(), StatusCode::CONFLICT);
    assert_eq!(custom_err.body(), "taken");
}

#[test]
fn method_not_allowed_lists_the_allowed_methods() {
    let response = method_not_allowed(&Method::from("put"), "GET, POST");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers().get("Allow"), Some("GET, POST"));
    assert_eq!(
        body_json(&response)["message"],
        "method PUT is not allowed; this function serves GET, POST"
    );
}

#[test]
fn data_bodies_pass_through_unread() {
    fn pass(body: Data) -> Data {
        body
    }
    let response = call(pass, WebRequest::new("POST", "/").with_body("as is"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(response.body(), "as is");

    fn parts(request: WebRequest) -> WebResponse {
        let (context, body) = request.into_parts();
        WebResponse::new()
            .with_header("x-path", context.path())
            .with_body(body)
    }
    let response = call(parts, WebRequest::new("PUT", "/p").with_body(vec![0u8, 1]));
    let (status, headers, body) = response.into_parts();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("x-path"), Some("/p"));
    assert_eq!(body.into_bytes(), [0, 1]);
}

#[test]
fn hand_built_requests_carry_the_invocation_metadata() {
    fn who(context: RequestContext) -> String {
        format!(
            "{} {} {} {:?}",
            context.invocation_id(),
            context.function_name(),
            context.cache_name(),
            context.token_metadata()
        )
    }
    let request = WebRequest::new("GET", "/")
        .with_invocation_id("inv-7")
        .with_function_name("greeter")
        .with_cache_name("default")
        .with_token_metadata(r#"{"tenant":"t1"}"#);
    assert_eq!(
        call_get(who, request).body(),
        r#"inv-7 greeter default Some("{\"tenant\":\"t1\"}")"#
    );
}

#[test]
fn a_partly_read_body_extracts_what_is_left() {
    use std::io::Read;
    let mut request = WebRequest::new("POST", "/").with_body("skip:rest");
    let mut skip = [0u8; 5];
    request.body_mut().read_exact(&mut skip).expect("in memory");
    fn rest(body: String) -> String {
        body
    }
    assert_eq!(call(rest, request).body(), "rest");
}
