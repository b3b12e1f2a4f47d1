//! Support for the handler macros. Not public API: no stability guarantees.

pub use momento_functions_host::wit;
pub use momento_functions_host::wit::export_web_function;
pub use momento_functions_host::wit::exports::momento::web_function::guest_function_web::{
    Guest, Response as WitResponse,
};
pub use momento_functions_host::wit::momento::bytes::bytes::Data as WitData;
pub use momento_functions_host::wit::momento::web_function::web_function_support::Header as WitHeader;

pub use crate::handler::{ExtractArgs, ExtractHeadArgs, HandlerFn};
pub use momento_functions_host::spawn_wit;
pub use momento_functions_host::spawn_wit::exports::momento::spawn_function::guest_function_spawn::{
    Guest as SpawnGuest, SpawnFailure, SpawnSuccess,
};
pub use momento_functions_host::spawn_wit::export_spawn_function;
pub use crate::{FunctionResult, Json, Method, StatusCode, WebRequest, WebResponse};

use crate::IntoResponse;
use momento_functions_host::wit::{data_from_wit, data_into_wit};

/// Per-invocation set-up, run before the handler: installs the host logger.
pub fn init() {
    momento_functions_host::logging::init();
}

/// The invocation's request: its body as the host handed it over (not read), the rest asked of the host
/// when used.
pub fn request_from_wit(body: WitData) -> WebRequest {
    WebRequest::current(data_from_wit(body))
}

/// Convert the SDK's response into the generated response record (a host buffer body is handed back
/// as it is).
pub fn response_to_wit(response: WebResponse) -> WitResponse {
    let (status, headers, body) = response.into_parts();
    WitResponse {
        status: status.as_u16(),
        headers: headers
            .into_vec()
            .into_iter()
            .map(|(name, value)| WitHeader { name, value })
            .collect(),
        body: data_into_wit(body),
    }
}

// The bounds below are spelled out (rather than `H: Handler<A>`) so that each mistake gets its own message:
// not a function / too many parameters, a parameter that is not an extractor, a return type that is not a
// response.

/// Call a handler that may read the body.
pub fn call<H, A, M>(handler: H, request: WebRequest) -> WebResponse
where
    H: HandlerFn<A>,
    A: ExtractArgs<M>,
    H::Output: IntoResponse,
{
    crate::Handler::<(M, A)>::call(handler, request)
}

/// Call a handler that reads only the request head.
pub fn call_get<H, A>(handler: H, request: WebRequest) -> WebResponse
where
    H: HandlerFn<A>,
    A: ExtractHeadArgs,
    H::Output: IntoResponse,
{
    crate::GetHandler::<A>::call(handler, request)
}

/// Call a typed JSON handler: `fn(Req) -> FunctionResult<Resp>`.
pub fn call_json<Req, Resp>(
    handler: fn(Req) -> FunctionResult<Resp>,
    request: WebRequest,
) -> WebResponse
where
    Req: serde::de::DeserializeOwned,
    Resp: serde::Serialize,
{
    let parsed = crate::extract::read_body(request.into_body())
        .and_then(|body| crate::extract::parse_json::<Req>(&body, "request body"));
    match parsed {
        Ok(value) => handler(value).map(Json).into_response(),
        Err(rejection) => rejection.into_response(),
    }
}

/// The 405 answer for a method the function does not serve. `allow` is e.g. `"GET, POST"`.
pub fn method_not_allowed(method: &Method, allow: &'static str) -> WebResponse {
    let mut response = crate::FunctionError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method {method} is not allowed; this function serves {allow}"),
    )
    .into_response();
    response.headers_mut().insert("allow", allow);
    response
}

/// Call a spawn handler with the payload the host handed over.
pub fn call_spawn<H, P, R>(handler: H, payload: WitData) -> Result<SpawnSuccess, SpawnFailure>
where
    H: FnOnce(P) -> R,
    P: crate::spawn::FromPayload,
    R: crate::spawn::IntoSpawnOutcome,
{
    use crate::spawn::SpawnOutcome;
    init();
    let payload = match P::from_payload(data_from_wit(payload)) {
        Ok(payload) => payload,
        Err(why) => return Err(SpawnFailure::FailedNote(why)),
    };
    match handler(payload).into_spawn_outcome() {
        SpawnOutcome::Ok => Ok(SpawnSuccess::Ok),
        SpawnOutcome::OkNote(note) => Ok(SpawnSuccess::OkNote(note)),
        SpawnOutcome::Failed => Err(SpawnFailure::Failed),
        SpawnOutcome::FailedNote(note) => Err(SpawnFailure::FailedNote(note)),
    }
}
