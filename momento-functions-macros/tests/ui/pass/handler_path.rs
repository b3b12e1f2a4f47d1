// Paths in the expansion are absolute (`::momento_functions::__private`), and a handler may be any path.
mod api {
    pub fn ping(body: String) -> Result<String, momento_functions::FunctionError> {
        Ok(body)
    }
}

momento_functions::post!(api::ping);

fn main() {}
