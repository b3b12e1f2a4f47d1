//! A spawn function built with Momento's published SDK: it stores its payload in the cache under
//! `spawned`, and fails with a note when the payload is empty.
use std::time::Duration;

use momento_functions_bytes::Data;
use momento_functions_guest_spawn::spawn;

spawn!(remember);
fn remember(payload: Data) -> Result<(), String> {
    let payload = payload.into_bytes();
    if payload.is_empty() {
        return Err("empty payload".to_owned());
    }
    momento_functions_cache::set("spawned", payload, Duration::from_secs(60)).map_err(|e| e.to_string())
}
