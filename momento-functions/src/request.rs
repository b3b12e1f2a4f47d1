//! The incoming request: method, path, query, headers, body and invocation context.

use std::fmt;

use momento_functions_host::{Data, Method};

use crate::invocation;

/// HTTP headers: names compare case-insensitively, repeated names are kept in order.
///
/// ```
/// use momento_functions::Headers;
/// let mut headers = Headers::new();
/// headers.append("Accept", "text/plain");
/// headers.append("accept", "application/json");
/// assert_eq!(headers.get("ACCEPT"), Some("text/plain"));
/// assert_eq!(headers.get_all("accept").collect::<Vec<_>>(), ["text/plain", "application/json"]);
/// headers.insert("Accept", "*/*");
/// assert_eq!(headers.get_all("accept").count(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Headers(Vec::new())
    }

    /// The first value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.0
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Is `name` present?
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Add a value, keeping existing values of the same name.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// Set `name` to a single value, replacing existing values of that name.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.remove(&name);
        self.0.push((name, value.into()));
    }

    /// Remove every value of `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// All (name, value) pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Number of (name, value) pairs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No headers at all?
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The (name, value) pairs.
    pub fn into_vec(self) -> Vec<(String, String)> {
        self.0
    }
}

impl From<Vec<(String, String)>> for Headers {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Headers(pairs)
    }
}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        Headers(
            iter.into_iter()
                .map(|(n, v)| (n.into(), v.into()))
                .collect(),
        )
    }
}

/// Everything about a request except its body: method, path, query, headers and invocation metadata.
///
/// Take it as a handler parameter (before the body parameter, if any), or get the current invocation's
/// from anywhere with [`RequestContext::current`]:
///
/// ```no_run
/// use momento_functions::{FunctionResult, RequestContext};
///
/// momento_functions::post!(handler);
/// fn handler(context: RequestContext, body: String) -> FunctionResult<String> {
///     let name = context.query_param("name").unwrap_or("world");
///     Ok(format!("{} {} from {name}: {body}", context.method(), context.path()))
/// }
/// ```
///
/// Inside a function each part is asked of the host (Momento's `web-function-support`) the first time it
/// is used, and kept for the rest of the invocation: a handler that never looks at the headers never
/// transfers them. Outside a host (native tests), build a [`WebRequest`] by hand instead.
#[derive(Clone, PartialEq, Eq)]
pub struct RequestContext(
    /// The parts of a context built by hand; `None` for the invocation being served, whose parts come
    /// from the host, once.
    Option<Box<Parts>>,
);

/// The parts of a request built by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parts {
    method: Method,
    path: String,
    query: String,
    query_params: Vec<(String, String)>,
    headers: Headers,
    invocation_id: String,
    function_name: String,
    cache_name: String,
    token_metadata: Option<String>,
}

impl RequestContext {
    /// The context of the invocation being served, from anywhere in the function (the counterpart of
    /// `WebEnvironment::load()` in Momento's own SDK).
    ///
    /// ```no_run
    /// use momento_functions::RequestContext;
    ///
    /// fn audit(action: &str) {
    ///     let context = RequestContext::current();
    ///     log::info!("{action} by {:?} in {}", context.header("x-user"), context.invocation_id());
    /// }
    /// ```
    ///
    /// Only inside a function running on a host: natively there is no host to ask, and using the
    /// context aborts.
    pub fn current() -> Self {
        RequestContext(None)
    }

    fn given(&self) -> Option<&Parts> {
        self.0.as_deref()
    }

    /// The parts to change, taking the host's values first if this is the invocation's context.
    fn parts_mut(&mut self) -> &mut Parts {
        self.0.get_or_insert_with(|| {
            Box::new(Parts {
                method: invocation::method().clone(),
                path: invocation::path().to_owned(),
                query: invocation::query_string().to_owned(),
                query_params: invocation::query_params().to_vec(),
                headers: invocation::headers().clone(),
                invocation_id: invocation::invocation_id().to_owned(),
                function_name: invocation::function_name().to_owned(),
                cache_name: invocation::cache_name().to_owned(),
                token_metadata: invocation::token_metadata().map(str::to_owned),
            })
        })
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        match self.given() {
            Some(parts) => &parts.method,
            None => invocation::method(),
        }
    }

    /// The path relative to the function, starting with `/` (`/` for the function itself): a call to
    /// `/my-function/a/b` has the path `/a/b`.
    pub fn path(&self) -> &str {
        match self.given() {
            Some(parts) => &parts.path,
            None => invocation::path(),
        }
    }

    /// The query string, without `?` (empty when there is none). On a host, where the parameters arrive
    /// decoded, this is their `application/x-www-form-urlencoded` encoding, which may escape characters
    /// differently from what the caller sent.
    pub fn query_string(&self) -> &str {
        match self.given() {
            Some(parts) => &parts.query,
            None => invocation::query_string(),
        }
    }

    /// All decoded query parameters in order; repeated keys are kept.
    pub fn query_params(&self) -> &[(String, String)] {
        match self.given() {
            Some(parts) => &parts.query_params,
            None => invocation::query_params(),
        }
    }

    /// The first decoded value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query_params()
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every decoded value of query parameter `name`, in order.
    pub fn query_param_all<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.query_params()
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Request headers (case-insensitive names, repeated names kept).
    pub fn headers(&self) -> &Headers {
        match self.given() {
            Some(parts) => &parts.headers,
            None => invocation::headers(),
        }
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers().get(name)
    }

    /// The unique id of this invocation.
    pub fn invocation_id(&self) -> &str {
        match self.given() {
            Some(parts) => &parts.invocation_id,
            None => invocation::invocation_id(),
        }
    }

    /// The name of the function being invoked (`__FUNCTION_NAME`; empty when the host does not say).
    pub fn function_name(&self) -> &str {
        match self.given() {
            Some(parts) => &parts.function_name,
            None => invocation::function_name(),
        }
    }

    /// The name of the cache the function belongs to (`__CACHE_NAME`; empty when the host does not say).
    pub fn cache_name(&self) -> &str {
        match self.given() {
            Some(parts) => &parts.cache_name,
            None => invocation::cache_name(),
        }
    }

    /// Metadata of the caller's token, when the caller presented a token that carries some.
    pub fn token_metadata(&self) -> Option<&str> {
        match self.given() {
            Some(parts) => parts.token_metadata.as_deref(),
            None => invocation::token_metadata(),
        }
    }
}

impl fmt::Debug for RequestContext {
    /// A hand-built context shows its parts; the invocation's shows nothing, so as not to ask the host.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.given() {
            None => f.write_str("RequestContext(current invocation)"),
            Some(parts) => f
                .debug_struct("RequestContext")
                .field("method", &parts.method)
                .field("path", &parts.path)
                .field("query", &parts.query)
                .field("headers", &parts.headers)
                .field("invocation_id", &parts.invocation_id)
                .field("function_name", &parts.function_name)
                .field("cache_name", &parts.cache_name)
                .field("token_metadata", &parts.token_metadata)
                .finish(),
        }
    }
}

/// A whole request: the [`RequestContext`] and the body.
///
/// As a handler parameter it takes the request as is (it must be the last parameter):
///
/// ```no_run
/// use momento_functions::{Data, FunctionResult, WebRequest};
///
/// momento_functions::post!(handler);
/// fn handler(request: WebRequest) -> FunctionResult<Data> {
///     Ok(request.into_body()) // the body goes back to the host unread
/// }
/// ```
///
/// Build one by hand to test handler logic natively:
///
/// ```
/// use momento_functions::{Method, WebRequest};
///
/// let request = WebRequest::new("POST", "/orders")
///     .with_query("dry_run=true")
///     .with_header("content-type", "application/json")
///     .with_body(r#"{"item":"tea"}"#);
/// assert_eq!(request.method(), &Method::Post);
/// assert_eq!(request.context().query_param("dry_run"), Some("true"));
/// assert_eq!(request.body(), r#"{"item":"tea"}"#);
/// ```
#[derive(Debug)]
pub struct WebRequest {
    pub(crate) context: RequestContext,
    pub(crate) body: Data,
}

impl WebRequest {
    /// A request, for tests of handler logic outside a host. Everything not given is empty.
    pub fn new(method: impl Into<Method>, path: impl Into<String>) -> Self {
        WebRequest {
            context: RequestContext(Some(Box::new(Parts {
                method: method.into(),
                path: path.into(),
                query: String::new(),
                query_params: Vec::new(),
                headers: Headers::new(),
                invocation_id: String::new(),
                function_name: String::new(),
                cache_name: String::new(),
                token_metadata: None,
            }))),
            body: Data::new(),
        }
    }

    /// The invocation's request: its context from the host, and `body`.
    pub(crate) fn current(body: Data) -> Self {
        WebRequest {
            context: RequestContext::current(),
            body,
        }
    }

    /// Set the raw query string (without `?`); the parameters are decoded from it.
    pub fn with_query(mut self, query: impl Into<String>) -> Self {
        let parts = self.context.parts_mut();
        parts.query = query.into();
        parts.query_params = parse_query(&parts.query);
        self
    }

    /// Add a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.context.parts_mut().headers.append(name, value);
        self
    }

    /// Set the invocation id.
    pub fn with_invocation_id(mut self, invocation_id: impl Into<String>) -> Self {
        self.context.parts_mut().invocation_id = invocation_id.into();
        self
    }

    /// Set the function name.
    pub fn with_function_name(mut self, function_name: impl Into<String>) -> Self {
        self.context.parts_mut().function_name = function_name.into();
        self
    }

    /// Set the cache name.
    pub fn with_cache_name(mut self, cache_name: impl Into<String>) -> Self {
        self.context.parts_mut().cache_name = cache_name.into();
        self
    }

    /// Set the caller's token metadata.
    pub fn with_token_metadata(mut self, token_metadata: impl Into<String>) -> Self {
        self.context.parts_mut().token_metadata = Some(token_metadata.into());
        self
    }

    /// Set the body.
    pub fn with_body(mut self, body: impl Into<Data>) -> Self {
        self.body = body.into();
        self
    }

    /// Method, path, query, headers and invocation metadata.
    pub fn context(&self) -> &RequestContext {
        &self.context
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        self.context.method()
    }

    /// The path relative to the function.
    pub fn path(&self) -> &str {
        self.context.path()
    }

    /// Request headers.
    pub fn headers(&self) -> &Headers {
        self.context.headers()
    }

    /// The body as it is (on a host, a buffer the host holds until it is read).
    pub fn body(&self) -> &Data {
        &self.body
    }

    /// The body, to read it in place ([`Data::load`], [`std::io::Read`]).
    pub fn body_mut(&mut self) -> &mut Data {
        &mut self.body
    }

    /// Take the body as it is: pass it on to the cache, an HTTP request, S3 or the response without
    /// copying it into the function's memory, or read it.
    pub fn into_body(self) -> Data {
        self.body
    }

    /// Split into context and body.
    pub fn into_parts(self) -> (RequestContext, Data) {
        (self.context, self.body)
    }
}

/// Decode a query string into (key, value) pairs.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    if query.is_empty() {
        return Vec::new();
    }
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Encode decoded (key, value) pairs as a query string.
pub(crate) fn encode_query(params: &[(String, String)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_built_requests_keep_every_part() {
        let request = WebRequest::new("patch", "/a")
            .with_query("x=1&y=a%20b&x=2")
            .with_header("X-K", "v")
            .with_invocation_id("inv-1")
            .with_function_name("fn")
            .with_cache_name("cache")
            .with_token_metadata("meta")
            .with_body(vec![1, 2]);
        let context = request.context();
        assert_eq!(context.method(), &Method::Patch);
        assert_eq!(context.path(), "/a");
        assert_eq!(context.query_string(), "x=1&y=a%20b&x=2");
        assert_eq!(context.query_param_all("x").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(context.query_param("y"), Some("a b"));
        assert_eq!(context.header("x-k"), Some("v"));
        assert_eq!(
            (
                context.invocation_id(),
                context.function_name(),
                context.cache_name(),
                context.token_metadata()
            ),
            ("inv-1", "fn", "cache", Some("meta"))
        );
        assert!(format!("{context:?}").contains("inv-1"));
        assert_eq!(context.clone(), *context);
        let (_, body) = request.into_parts();
        assert_eq!(body, [1, 2]);
    }

    #[test]
    fn queries_encode_and_decode_as_forms() {
        let params = vec![
            ("q".to_owned(), "a b&c".to_owned()),
            ("q".to_owned(), "é".to_owned()),
        ];
        let encoded = encode_query(&params);
        assert_eq!(encoded, "q=a+b%26c&q=%C3%A9");
        assert_eq!(parse_query(&encoded), params);
        assert_eq!(encode_query(&[]), "");
        assert!(parse_query("").is_empty());
    }

    #[test]
    fn the_invocation_context_does_not_ask_the_host_to_be_shown_or_compared() {
        let current = RequestContext::current();
        assert_eq!(format!("{current:?}"), "RequestContext(current invocation)");
        assert_eq!(current, RequestContext::current());
        assert_ne!(current, WebRequest::new("GET", "/").context);
    }
}
