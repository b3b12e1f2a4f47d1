#[derive(serde::Deserialize)]
struct Request {}
#[derive(serde::Serialize)]
struct Response {}

momento_functions::post!(handler, Request, Response);

fn handler(_request: String) -> momento_functions::FunctionResult<Response> {
    Ok(Response {})
}

fn main() {}
