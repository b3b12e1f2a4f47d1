use momento_functions::FunctionResult;

momento_functions::get!(handler);

fn handler(body: Vec<u8>) -> FunctionResult<Vec<u8>> {
    Ok(body)
}

fn main() {}
