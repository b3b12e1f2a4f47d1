use momento_functions::FunctionResult;

momento_functions::post!(handler);

fn handler(count: u32) -> FunctionResult<String> {
    Ok(count.to_string())
}

fn main() {}
