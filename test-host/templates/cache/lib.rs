//! {{name}}: a key-value API on the function's cache. `PUT /?key=k` stores the request body for
//! `$TTL_SECS` seconds (default 300), `GET /?key=k` answers it (404 when there is none), `DELETE /?key=k`
//! removes it.

use std::time::Duration;

use momento_functions::{Data, FunctionError, FunctionResult, Query, StatusCode, cache, log};

/// How long an item stays unless `TTL_SECS` says otherwise.
const DEFAULT_TTL: Duration = Duration::from_secs(300);

#[derive(serde::Deserialize)]
struct Key {
    key: String,
}

momento_functions::route!(get: read, put: write, delete: remove);

fn read(Query(Key { key }): Query<Key>) -> FunctionResult<Data> {
    // The value goes back as the host buffer it is, without being copied into the function.
    cache::get_data(&key)?.ok_or_else(|| FunctionError::not_found(format!("no item `{key}`")))
}

fn write(Query(Key { key }): Query<Key>, body: Data) -> FunctionResult<(StatusCode, ())> {
    let ttl = ttl();
    log::info!("storing `{key}` for {} s", ttl.as_secs());
    cache::set(&key, body, ttl)?;
    Ok((StatusCode::CREATED, ()))
}

fn remove(Query(Key { key }): Query<Key>) -> FunctionResult<()> {
    cache::delete(&key)?;
    Ok(())
}

fn ttl() -> Duration {
    std::env::var("TTL_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TTL)
}
