use momento_functions::{FunctionResult, Method as M};

momento_functions::post!(handler);

#[allow(clippy::too_many_arguments)]
fn handler(_: M, _: M, _: M, _: M, _: M, _: M, _: M, _: M, _: M) -> FunctionResult<()> {
    Ok(())
}

fn main() {}
