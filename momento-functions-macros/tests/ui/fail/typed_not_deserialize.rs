struct Request {}
#[derive(serde::Serialize)]
struct Response {}

momento_functions::post!(handler, Request, Response);

fn handler(_request: Request) -> momento_functions::FunctionResult<Response> {
    Ok(Response {})
}

fn main() {}
