//! The incoming request: method, path, query, headers, body and invocation context.

use std::fmt;

/// An HTTP method.
///
/// ```
/// use momento_functions::Method;
/// assert_eq!(Method::from("post"), Method::Post);
/// assert_eq!(Method::Post.as_str(), "POST");
/// assert_eq!(Method::from("PURGE").as_str(), "PURGE");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `PATCH`
    Patch,
    /// `HEAD`
    Head,
    /// `OPTIONS`
    Options,
    /// Any other method, upper-cased.
    Other(String),
}

impl Method {
    /// The method's name, e.g. `"GET"`.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Other(other) => other,
        }
    }
}

impl From<&str> for Method {
    fn from(method: &str) -> Method {
        let upper = method.to_ascii_uppercase();
        match upper.as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            "PATCH" => Method::Patch,
            "HEAD" => Method::Head,
            "OPTIONS" => Method::Options,
            _ => Method::Other(upper),
        }
    }
}

impl From<String> for Method {
    fn from(method: String) -> Method {
        Method::from(method.as_str())
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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
/// Take it as a handler parameter (before the body parameter, if any):
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) query_params: Vec<(String, String)>,
    pub(crate) headers: Headers,
    pub(crate) invocation_id: String,
    pub(crate) function_name: String,
    pub(crate) token_metadata: Option<String>,
}

impl RequestContext {
    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path relative to the function, starting with `/` (`/` for the function itself).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The raw query string, without `?` (empty when there is none).
    pub fn query_string(&self) -> &str {
        &self.query
    }

    /// All decoded query parameters in order; repeated keys are kept.
    pub fn query_params(&self) -> &[(String, String)] {
        &self.query_params
    }

    /// The first decoded value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query_params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every decoded value of query parameter `name`, in order.
    pub fn query_param_all<'a, 'n>(
        &'a self,
        name: &'n str,
    ) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.query_params
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Request headers (case-insensitive names, repeated names kept).
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }

    /// The unique id of this invocation.
    pub fn invocation_id(&self) -> &str {
        &self.invocation_id
    }

    /// The name of the function being invoked.
    pub fn function_name(&self) -> &str {
        &self.function_name
    }

    /// Metadata of the caller's token, when the caller presented a token that carries some.
    pub fn token_metadata(&self) -> Option<&str> {
        self.token_metadata.as_deref()
    }
}

/// A whole request: the [`RequestContext`] and the body.
///
/// As a handler parameter it takes the request as is (it must be the last parameter):
///
/// ```no_run
/// use momento_functions::{FunctionResult, WebRequest};
///
/// momento_functions::post!(handler);
/// fn handler(request: WebRequest) -> FunctionResult<Vec<u8>> {
///     Ok(request.into_body())
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebRequest {
    pub(crate) context: RequestContext,
    pub(crate) body: Vec<u8>,
}

impl WebRequest {
    /// A request, for tests of handler logic outside a host.
    pub fn new(method: impl Into<Method>, path: impl Into<String>) -> Self {
        WebRequest {
            context: RequestContext {
                method: method.into(),
                path: path.into(),
                query: String::new(),
                query_params: Vec::new(),
                headers: Headers::new(),
                invocation_id: String::new(),
                function_name: String::new(),
                token_metadata: None,
            },
            body: Vec::new(),
        }
    }

    /// Set the raw query string (without `?`).
    pub fn with_query(mut self, query: impl Into<String>) -> Self {
        self.context.query = query.into();
        self.context.query_params = parse_query(&self.context.query);
        self
    }

    /// Add a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.context.headers.append(name, value);
        self
    }

    /// Set the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Method, path, query, headers and invocation metadata.
    pub fn context(&self) -> &RequestContext {
        &self.context
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.context.method
    }

    /// The path relative to the function.
    pub fn path(&self) -> &str {
        &self.context.path
    }

    /// Request headers.
    pub fn headers(&self) -> &Headers {
        &self.context.headers
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Take the body.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// Split into context and body.
    pub fn into_parts(self) -> (RequestContext, Vec<u8>) {
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
