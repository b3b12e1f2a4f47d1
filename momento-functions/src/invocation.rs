//! The invocation's request parts, asked of the host (`momento:web-function/web-function-support`) the
//! first time each is used and kept for the rest of the invocation.
//!
//! The host hands headers, query parameters, token metadata and the path over on the first call only
//! (later calls get nothing), so each is asked for at most once. Every invocation runs in a fresh
//! instance, so what is kept here is the invocation's own.

use std::sync::OnceLock;

use momento_functions_host::Method;
use momento_functions_host::wit::momento::web_function::web_function_support as support;

use crate::Headers;
use crate::request::encode_query;

static METHOD: OnceLock<Method> = OnceLock::new();
static PATH: OnceLock<String> = OnceLock::new();
static HEADERS: OnceLock<Headers> = OnceLock::new();
static QUERY: OnceLock<(Vec<(String, String)>, String)> = OnceLock::new();
static TOKEN_METADATA: OnceLock<Option<String>> = OnceLock::new();
static INVOCATION_ID: OnceLock<String> = OnceLock::new();
static FUNCTION_NAME: OnceLock<String> = OnceLock::new();
static CACHE_NAME: OnceLock<String> = OnceLock::new();

pub(crate) fn method() -> &'static Method {
    METHOD.get_or_init(|| Method::from(support::http_method()))
}

/// The path below the function with a leading `/`: the host's `a/b` is `/a/b`; `none` and `""` are the
/// function's root, `/`.
pub(crate) fn path() -> &'static str {
    PATH.get_or_init(|| absolute_path(support::invocation_path()))
}

pub(crate) fn absolute_path(relative: Option<String>) -> String {
    match relative {
        Some(path) if path.starts_with('/') => path,
        Some(path) => format!("/{path}"),
        None => "/".to_owned(),
    }
}

pub(crate) fn headers() -> &'static Headers {
    HEADERS.get_or_init(|| {
        support::headers()
            .into_iter()
            .map(|h| (h.name, h.value))
            .collect()
    })
}

fn query() -> &'static (Vec<(String, String)>, String) {
    QUERY.get_or_init(|| {
        let params: Vec<(String, String)> = support::query_parameters()
            .into_iter()
            .map(|p| (p.name, p.value))
            .collect();
        let encoded = encode_query(&params);
        (params, encoded)
    })
}

pub(crate) fn query_params() -> &'static [(String, String)] {
    &query().0
}

pub(crate) fn query_string() -> &'static str {
    &query().1
}

pub(crate) fn token_metadata() -> Option<&'static str> {
    TOKEN_METADATA
        .get_or_init(support::token_metadata)
        .as_deref()
}

pub(crate) fn invocation_id() -> &'static str {
    INVOCATION_ID.get_or_init(support::invocation_id)
}

pub(crate) fn function_name() -> &'static str {
    FUNCTION_NAME.get_or_init(|| std::env::var("__FUNCTION_NAME").unwrap_or_default())
}

pub(crate) fn cache_name() -> &'static str {
    CACHE_NAME.get_or_init(|| std::env::var("__CACHE_NAME").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_get_a_leading_slash_and_none_or_empty_is_the_root() {
        assert_eq!(absolute_path(None), "/");
        assert_eq!(absolute_path(Some(String::new())), "/");
        assert_eq!(absolute_path(Some("a/b".into())), "/a/b");
        assert_eq!(absolute_path(Some("/a".into())), "/a");
    }
}
