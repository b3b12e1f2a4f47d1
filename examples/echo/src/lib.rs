//! The hello-world function: a POST is answered with its own body.
//!
//! ```text
//! cargo run -q -p momento-functions-test-host -- invoke examples/echo --data hello
//! ```

use momento_functions::FunctionResult;

momento_functions::post!(echo_handler);

fn echo_handler(payload: Vec<u8>) -> FunctionResult<Vec<u8>> {
    Ok(payload)
}
