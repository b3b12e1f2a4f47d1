//! Outbound HTTP's fixtures section: `[[http.routes]]`, parsed and validated.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{HttpRoute, MockResponse};
use crate::fixtures::{Check, FixtureError};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHttp {
    #[serde(default)]
    routes: Vec<RawHttpRoute>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttpRoute {
    method: Option<String>,
    url: String,
    #[serde(default)]
    prefix: bool,
    status: Option<u16>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    body: Option<String>,
    body_base64: Option<String>,
    json: Option<Value>,
    times: Option<u32>,
}

/// An outbound HTTP mock route from a fixtures file, validated, for the HTTP mock to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpRouteFixture {
    pub(crate) method: Option<String>,
    pub(crate) url: String,
    pub(crate) prefix: bool,
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) times: Option<u32>,
}

impl HttpRouteFixture {
    /// The mock route this fixture describes.
    pub(crate) fn into_route(self) -> HttpRoute {
        let mut route = match self.method {
            Some(method) => HttpRoute::new(method, self.url),
            None => HttpRoute::any(self.url),
        };
        if self.prefix {
            route = route.prefix();
        }
        let mut response = MockResponse::new(self.status).body(self.body);
        for (name, value) in self.headers {
            response = response.header(name, value);
        }
        route = route.respond(response);
        if let Some(times) = self.times {
            route = route.expect(times as usize);
        }
        route
    }
}

/// Validate `[[http.routes]]`.
pub(crate) fn validate(
    check: &Check<'_>,
    raw: RawHttp,
) -> Result<Vec<HttpRouteFixture>, FixtureError> {
    let mut out = Vec::new();
    for (i, raw) in raw.routes.into_iter().enumerate() {
        let field = format!("http.routes[{i}]");
        if !(raw.url.starts_with("http://") || raw.url.starts_with("https://")) {
            return Err(check.invalid(
                format!("{field}.url"),
                format!("`{}` is not an absolute http or https URL", raw.url),
            ));
        }
        let status = raw.status.unwrap_or(200);
        if !(100..=599).contains(&status) {
            return Err(check.invalid(
                format!("{field}.status"),
                format!("{status} is not an HTTP status"),
            ));
        }
        if let Some(method) = &raw.method
            && (method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()))
        {
            return Err(check.invalid(
                format!("{field}.method"),
                format!("`{method}` is not an HTTP method"),
            ));
        }
        let choices = vec![
            raw.body.map(|b| Ok(b.into_bytes())),
            raw.body_base64
                .map(|b| check.base64(format!("{field}.body_base64"), &b)),
            raw.json.map(|v| Ok(v.to_string().into_bytes())),
        ];
        let body = if choices.iter().all(Option::is_none) {
            Vec::new()
        } else {
            check.one_body(&field, "body, body_base64 or json", choices)?
        };
        out.push(HttpRouteFixture {
            method: raw.method.map(|m| m.to_ascii_uppercase()),
            url: raw.url,
            prefix: raw.prefix,
            status,
            headers: raw.headers.into_iter().collect(),
            body,
            times: raw.times,
        });
    }
    Ok(out)
}
