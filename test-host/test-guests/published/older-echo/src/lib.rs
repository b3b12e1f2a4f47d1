//! An echo built with the older generation of Momento's published SDK: it exports
//! `momento:functions/guest-function-web@1.0.0#post` and reads the request method and path through that
//! generation's `web-function-support`. At the path `spawn` it spawns `remember` (the published spawn
//! guest) with its body instead, through `momento:host/spawn`.
use momento_functions::{WebResponse, WebResult};
use momento_functions_host::web_extensions::FunctionEnvironment;

momento_functions::post!(echo);
fn echo(payload: Vec<u8>) -> WebResult<WebResponse> {
    let environment = FunctionEnvironment::get_function_environment();
    if environment.http_path() == "spawn" {
        return Ok(match momento_functions_host::spawn("remember", payload.as_slice()) {
            Ok(()) => WebResponse::new().with_status(202).with_body("spawned")?,
            Err(e) => WebResponse::new().with_status(500).with_body(format!("spawn failed: {e}"))?,
        });
    }
    let response = WebResponse::new()
        .with_status(200)
        .header("x-method", environment.http_method())
        .header("x-path", environment.http_path())
        .header("x-function", environment.function_name())
        .with_body(payload)?;
    Ok(response)
}
