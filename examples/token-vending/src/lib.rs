//! Token vending: hand a browser a short-lived Momento token that can read only its user's cache items
//! and subscribe only to its user's topic.
//!
//! `GET /?user=7` answers `{"api_key", "endpoint", "valid_until"}` for a disposable token valid for
//! `TOKEN_TTL_SECS` (default 900; Momento allows at most 3,600) with two permissions: read-only on the
//! keys `user:7:*` of the function's own cache, and subscribe-only on its topic `user-7`. The token
//! carries the id `user-7`. The user id comes from the caller's token metadata (`{"user": "7"}`) when
//! there is one, else from the query — a real deployment would take it only from an authenticated
//! source.
//!
//! ```text
//! cargo run -q -p momento-functions-test-host -- invoke examples/token-vending -X GET --path '/?user=7'
//! ```

use std::time::Duration;

use momento_functions::token::{self, CachePermission, Permissions, TopicPermission};
use momento_functions::{FunctionError, FunctionResult, Query, RequestContext};

/// Default validity of a token.
const DEFAULT_TTL_SECS: u64 = 900;

#[derive(serde::Deserialize)]
struct Params {
    #[serde(default)]
    user: Option<String>,
}

#[derive(serde::Serialize)]
struct Vended {
    api_key: String,
    endpoint: String,
    valid_until: u64,
}

momento_functions::get!(vend);

fn user_of(query: Option<String>, context: &RequestContext) -> Option<String> {
    let from_token = context
        .token_metadata()
        .and_then(|metadata| serde_json::from_str::<serde_json::Value>(metadata).ok())
        .and_then(|metadata| metadata["user"].as_str().map(str::to_owned));
    from_token.or(query)
}

fn vend(
    Query(params): Query<Params>,
    context: RequestContext,
) -> FunctionResult<momento_functions::Json<Vended>> {
    let Some(user) = user_of(params.user, &context) else {
        return Err(FunctionError::bad_request("which user? (`?user=...`)"));
    };
    if user.is_empty() || user.len() > 32 || !user.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(FunctionError::bad_request(
            "a user id is 1 to 32 letters or digits",
        ));
    }
    let ttl = std::env::var("TOKEN_TTL_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_TTL_SECS);
    let cache = context.cache_name();
    let permissions = Permissions::new()
        .cache(
            CachePermission::read_only()
                .in_cache(cache)
                .key_prefix(format!("user:{user}:")),
        )
        .topic(
            TopicPermission::subscribe_only()
                .in_cache(cache)
                .topic(format!("user-{user}")),
        );
    let token = token::generate_disposable_token_with_id(
        &permissions,
        Duration::from_secs(ttl),
        &format!("user-{user}"),
    )?;
    log::info!(
        "vended a token for user {user}, valid until {}",
        token.valid_until
    );
    Ok(momento_functions::Json(Vended {
        api_key: token.api_key,
        endpoint: token.endpoint,
        valid_until: token.valid_until,
    }))
}
