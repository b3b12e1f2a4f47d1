#[derive(serde::Deserialize)]
struct Request {}
#[derive(serde::Serialize)]
struct Response {}

fn read(_request: Request) -> momento_functions::FunctionResult<Response> {
    Ok(Response {})
}

momento_functions::route!(get: (read, Request, Response));

fn main() {}
