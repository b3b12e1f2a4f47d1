#[derive(serde::Deserialize)]
struct Request {}

momento_functions::post!(handler, Request);

fn handler(_request: Request) -> momento_functions::FunctionResult<()> {
    Ok(())
}

fn main() {}
