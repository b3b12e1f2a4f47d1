//! `POST /<id>?width=N` stores the body as `image:<id>` in the cache and spawns `resize` (the spawn function
//! of `examples/spawn-worker`) to make its thumbnail, answering `202 Accepted` at once: the thumbnail is
//! made after this function returns.

use std::time::Duration;

use momento_functions::{
    Data, FunctionError, FunctionResult, RequestContext, StatusCode, cache, spawn,
};

momento_functions::post!(upload);
fn upload(request: RequestContext, image: Data) -> FunctionResult<(StatusCode, String)> {
    let id = request.path().trim_start_matches('/');
    if id.is_empty() || id.contains('/') {
        return Err(FunctionError::bad_request("POST /<image id>"));
    }
    let width: u32 = match request.query_param("width") {
        Some(width) => width
            .parse()
            .map_err(|_| FunctionError::bad_request(format!("width {width} is not a number")))?,
        None => 128,
    };
    cache::set(format!("image:{id}"), image, Duration::from_secs(3600))?;
    spawn::spawn_json(
        "resize",
        &serde_json::json!({ "image": id, "width": width }),
    )?;
    Ok((
        StatusCode::ACCEPTED,
        format!("thumbnail of {id} on its way"),
    ))
}
