momento_functions::post!(handler, String, String, String);

fn handler(request: String) -> momento_functions::FunctionResult<String> {
    Ok(request)
}

fn main() {}
