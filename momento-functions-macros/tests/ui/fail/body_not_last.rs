use momento_functions::{FunctionResult, RequestContext};

momento_functions::post!(handler);

fn handler(body: String, _context: RequestContext) -> FunctionResult<String> {
    Ok(body)
}

fn main() {}
