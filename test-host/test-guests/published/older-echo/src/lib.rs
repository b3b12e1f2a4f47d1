//! An echo built with the older generation of Momento's published SDK: it exports
//! `momento:functions/guest-function-web@1.0.0#post` and reads the request method and path through that
//! generation's `web-function-support`.
use momento_functions::{WebResponse, WebResult};
use momento_functions_host::web_extensions::FunctionEnvironment;

momento_functions::post!(echo);
fn echo(payload: Vec<u8>) -> WebResult<WebResponse> {
    let environment = FunctionEnvironment::get_function_environment();
    let response = WebResponse::new()
        .with_status(200)
        .header("x-method", environment.http_method())
        .header("x-path", environment.http_path())
        .header("x-function", environment.function_name())
        .with_body(payload)?;
    Ok(response)
}
