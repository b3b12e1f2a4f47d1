//! [`Method`]: an HTTP method, shared by the incoming request and the outbound HTTP client.

use std::fmt;

/// An HTTP method.
///
/// ```
/// use momento_functions_host::Method;
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

impl Method {
    /// Is this a syntactically valid method (an HTTP token: letters, digits and ``!#$%&'*+-.^_`|~``)?
    ///
    /// ```
    /// use momento_functions_host::Method;
    /// assert!(Method::from("PROPFIND").is_valid());
    /// assert!(!Method::from("GE T").is_valid());
    /// ```
    pub fn is_valid(&self) -> bool {
        let name = self.as_str();
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    }
}
