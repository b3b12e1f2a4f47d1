use momento_functions::FunctionResult;

momento_functions::post!(echo_handler);

fn echo_handler(payload: Vec<u8>) -> FunctionResult<Vec<u8>> {
    Ok(payload)
}

fn main() {}
