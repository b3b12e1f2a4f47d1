use momento_functions::FunctionResult;

momento_functions::post!(handler);

async fn handler(body: Vec<u8>) -> FunctionResult<Vec<u8>> {
    Ok(body)
}

fn main() {}
