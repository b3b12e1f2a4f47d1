// Two handler macros in one crate (here in different modules): the error names `route!`.
use momento_functions::FunctionResult;

momento_functions::post!(create);
fn create(body: Vec<u8>) -> FunctionResult<Vec<u8>> {
    Ok(body)
}

mod reading {
    momento_functions::get!(read);
    fn read() -> &'static str {
        "item"
    }
}

fn main() {}
