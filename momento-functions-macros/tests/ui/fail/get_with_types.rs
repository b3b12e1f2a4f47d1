momento_functions::get!(handler, String, String);

fn handler(request: String) -> momento_functions::FunctionResult<String> {
    Ok(request)
}

fn main() {}
