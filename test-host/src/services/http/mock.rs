//! [`HttpMock`]: routes, matching, the call log, and (in real mode) the shared outbound client.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::real::RealClient;
use super::types::{
    BodyMatch, HttpCall, HttpRoute, MockResponse, RealHttpConfig, UnmetExpectations,
};
use crate::services::record::CallLog;

/// Bytes of a request body shown in a mismatch report.
const BODY_PREVIEW_CHARS: usize = 200;

/// The host's outbound HTTP: mock routes, the record of every call, and in real mode the network.
///
/// - **Mock mode** (the default): each request is answered by the first [`HttpRoute`] that matches it. A
///   request no route matches **fails the invocation** (`InvokeError::HostCall`) with a report listing the
///   request and every route with why it did not match — never a silent 404.
/// - **Real mode** ([`TestHostBuilder::real_http`](crate::TestHostBuilder::real_http)): routes still answer
///   the requests they match; every other request goes to the network through one pooled client that
///   the host creates at build time and shares across invocations, so keep-alive connections are reused.
///
/// Every request is recorded, in both modes.
///
/// ```
/// use momento_functions_test_host::{HttpMock, HttpRoute, MockResponse};
///
/// let http = HttpMock::default();
/// let route = http.add_route(HttpRoute::get("https://api.example.com/items/1").respond(MockResponse::ok()).expect(1));
/// assert_eq!(route, 0);
/// assert!(http.calls().is_empty());
/// // Not called yet: verification fails and says why.
/// let unmet = http.verify().unwrap_err();
/// assert!(unmet.to_string().contains("called 0 times"), "{unmet}");
/// ```
#[derive(Clone)]
pub struct HttpMock {
    inner: Arc<Inner>,
}

struct Inner {
    real: Option<RealClient>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    routes: Vec<RouteState>,
    calls: CallLog<HttpCall>,
}

struct RouteState {
    route: HttpRoute,
    hits: usize,
}

/// The request as the mock sees it.
pub(crate) struct MockRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) url: &'a str,
    pub(crate) headers: &'a [(String, String)],
    pub(crate) body: &'a [u8],
}

/// What the mock does with a request.
pub(crate) enum Routed {
    /// A route answered (its index, its response).
    Answered(usize, MockResponse),
    /// No route matched: send it for real (real mode).
    Network,
    /// No route matched in mock mode: fail the invocation with this report.
    Unmatched(String),
}

impl Default for HttpMock {
    /// Mock mode, no routes, calls recorded.
    fn default() -> Self {
        HttpMock::new(Vec::new(), None, true)
    }
}

impl std::fmt::Debug for HttpMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        f.debug_struct("HttpMock")
            .field("mode", &if self.is_real() { "real" } else { "mock" })
            .field(
                "routes",
                &state
                    .routes
                    .iter()
                    .map(|r| r.route.to_string())
                    .collect::<Vec<_>>(),
            )
            .field("calls", &state.calls.snapshot().len())
            .finish()
    }
}

/// Why `route` does not match `request`, or `None` if it does.
fn mismatch(route: &HttpRoute, request: &MockRequest<'_>) -> Option<String> {
    if let Some(method) = &route.method
        && !method.eq_ignore_ascii_case(request.method)
    {
        return Some(format!("method is {}, not {method}", request.method));
    }
    if !route.matches_url(request.url) {
        return Some("URL differs".to_owned());
    }
    for (name, value) in &route.headers {
        let mut values = request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .peekable();
        if values.peek().is_none() {
            return Some(format!("header {name} is missing"));
        }
        if !values.any(|v| v == value) {
            return Some(format!("header {name} is not {value:?}"));
        }
    }
    match &route.body {
        Some(BodyMatch::Bytes(expected)) if expected.as_slice() != request.body => {
            Some("body differs".to_owned())
        }
        Some(BodyMatch::Json(expected)) => {
            match serde_json::from_slice::<serde_json::Value>(request.body) {
                Ok(actual) if actual == *expected => None,
                Ok(_) => Some("JSON body differs".to_owned()),
                Err(_) => Some("body is not JSON".to_owned()),
            }
        }
        _ => None,
    }
}

fn body_preview(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty)".to_owned();
    }
    let text = String::from_utf8_lossy(body);
    let mut preview: String = text.chars().take(BODY_PREVIEW_CHARS).collect();
    if text.chars().count() > BODY_PREVIEW_CHARS {
        preview.push('…');
    }
    format!("{} bytes: {preview}", body.len())
}

fn unmatched_report(routes: &[RouteState], request: &MockRequest<'_>) -> String {
    let mut report = format!(
        "no HTTP mock route matches {} {}",
        request.method, request.url
    );
    let headers = request
        .headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = write!(
        report,
        "\n  headers: {}\n  body: {}",
        if headers.is_empty() {
            "(none)"
        } else {
            &headers
        },
        body_preview(request.body)
    );
    if routes.is_empty() {
        report.push_str("\nno routes are configured");
    } else {
        report.push_str("\nroutes (the first match answers):");
        for (i, state) in routes.iter().enumerate() {
            let why = mismatch(&state.route, request).unwrap_or_default();
            let _ = write!(report, "\n  [{i}] {} — {why}", state.route);
        }
    }
    report.push_str(
        "\nadd a route with TestHostBuilder::http_route or host.http().add_route, \
         or send unmatched requests to the network with TestHostBuilder::real_http",
    );
    report
}

impl HttpMock {
    /// A mock with `routes`, sending unmatched requests to the network if `real` is set.
    pub(crate) fn new(
        routes: Vec<HttpRoute>,
        real: Option<RealHttpConfig>,
        record_calls: bool,
    ) -> HttpMock {
        HttpMock {
            inner: Arc::new(Inner {
                real: real.map(RealClient::new),
                state: Mutex::new(State {
                    routes: routes
                        .into_iter()
                        .map(|route| RouteState { route, hits: 0 })
                        .collect(),
                    calls: CallLog::new(record_calls),
                }),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn real(&self) -> Option<&RealClient> {
        self.inner.real.as_ref()
    }

    /// Find the route for `request` and count the hit.
    pub(crate) fn route(&self, request: &MockRequest<'_>) -> Routed {
        let mut state = self.state();
        let found = state
            .routes
            .iter()
            .position(|s| mismatch(&s.route, request).is_none());
        match found {
            Some(index) => {
                let route = &mut state.routes[index];
                let response = route.route.response_for(route.hits);
                route.hits += 1;
                Routed::Answered(index, response)
            }
            None if self.is_real() => Routed::Network,
            None => Routed::Unmatched(unmatched_report(&state.routes, request)),
        }
    }

    pub(crate) fn record(&self, call: HttpCall) {
        self.state().calls.record(|| call);
    }

    /// Does this host send unmatched requests to the network?
    pub fn is_real(&self) -> bool {
        self.inner.real.is_some()
    }

    /// Add a route after the existing ones; returns its index (as in [`HttpCall::route`]).
    pub fn add_route(&self, route: HttpRoute) -> usize {
        let mut state = self.state();
        state.routes.push(RouteState { route, hits: 0 });
        state.routes.len() - 1
    }

    /// Remove every route and forget their call counts.
    pub fn clear_routes(&self) {
        self.state().routes.clear();
    }

    /// How many requests the route with index `route` answered (0 for an unknown index).
    pub fn route_calls(&self, route: usize) -> usize {
        self.state().routes.get(route).map_or(0, |r| r.hits)
    }

    /// Every request the function made, in order.
    pub fn calls(&self) -> Vec<HttpCall> {
        self.state().calls.snapshot()
    }

    /// Forget the recorded calls (route call counts stay).
    pub fn clear_calls(&self) {
        self.state().calls.clear();
    }

    /// Check every route's [`expect`](HttpRoute::expect)ed call count.
    ///
    /// # Errors
    /// [`UnmetExpectations`] listing each route called a different number of times than expected.
    pub fn verify(&self) -> Result<(), UnmetExpectations> {
        let failures: Vec<String> = self
            .state()
            .routes
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let expected = s.route.expected_calls?;
                (s.hits != expected).then(|| {
                    format!(
                        "route [{i}] {}: called {} time{}",
                        s.route,
                        s.hits,
                        if s.hits == 1 { "" } else { "s" }
                    )
                })
            })
            .collect();
        if failures.is_empty() {
            Ok(())
        } else {
            Err(UnmetExpectations { failures })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HttpError;

    fn request<'a>(
        method: &'a str,
        url: &'a str,
        headers: &'a [(String, String)],
        body: &'a [u8],
    ) -> MockRequest<'a> {
        MockRequest {
            method,
            url,
            headers,
            body,
        }
    }

    fn answered(routed: Routed) -> (usize, MockResponse) {
        match routed {
            Routed::Answered(index, response) => (index, response),
            Routed::Network => panic!("expected an answer, got Network"),
            Routed::Unmatched(report) => panic!("expected an answer, got:\n{report}"),
        }
    }

    #[test]
    fn matches_method_url_headers_and_body() {
        let mock = HttpMock::new(
            vec![
                HttpRoute::get("http://x/exact").respond(MockResponse::new(201)),
                HttpRoute::any("http://x/p/").prefix(),
                HttpRoute::post("http://x/h").header("x-key", "k1"),
                HttpRoute::post("http://x/b").json_body(serde_json::json!({"a": [1, 2]})),
                HttpRoute::put("http://x/b").body("raw"),
            ],
            None,
            true,
        );
        let none: &[(String, String)] = &[];
        let (i, r) = answered(mock.route(&request("get", "http://x/exact", none, b"")));
        assert_eq!((i, r), (0, MockResponse::new(201)));
        assert!(matches!(
            mock.route(&request("GET", "http://x/exact?q", none, b"")),
            Routed::Unmatched(_)
        ));
        assert_eq!(
            answered(mock.route(&request("DELETE", "http://x/p/1?q=2", none, b""))).0,
            1
        );
        let headers = [
            ("X-Key".to_owned(), "k0".to_owned()),
            ("x-key".to_owned(), "k1".to_owned()),
        ];
        assert_eq!(
            answered(mock.route(&request("POST", "http://x/h", &headers, b""))).0,
            2
        );
        assert_eq!(
            answered(mock.route(&request("POST", "http://x/b", none, br#"{ "a" : [1,2] }"#))).0,
            3
        );
        assert_eq!(
            answered(mock.route(&request("PUT", "http://x/b", none, b"raw"))).0,
            4
        );
        assert_eq!(mock.route_calls(1), 1);
    }

    #[test]
    fn responses_come_in_sequence_and_the_last_repeats() {
        let mock = HttpMock::new(
            vec![
                HttpRoute::get("http://x/")
                    .respond(MockResponse::timeout())
                    .respond(MockResponse::new(503))
                    .respond(MockResponse::ok().body("finally")),
            ],
            None,
            true,
        );
        let none: &[(String, String)] = &[];
        let mut answers =
            (0..5).map(|_| answered(mock.route(&request("GET", "http://x/", none, b""))).1);
        assert!(matches!(
            answers.next().unwrap().result,
            Err(HttpError::Timeout(_))
        ));
        assert_eq!(answers.next().unwrap().result.unwrap().status, 503);
        for _ in 0..3 {
            assert_eq!(answers.next().unwrap().result.unwrap().body, b"finally");
        }
        // A route without responses answers 200 with an empty body.
        let mock = HttpMock::new(vec![HttpRoute::get("http://y/")], None, true);
        let reply = answered(mock.route(&request("GET", "http://y/", none, b"")))
            .1
            .result
            .unwrap();
        assert_eq!((reply.status, reply.body.len()), (200, 0));
    }

    #[test]
    fn unmatched_requests_are_reported_with_every_route_and_why() {
        let mock = HttpMock::new(
            vec![
                HttpRoute::get("http://x/a"),
                HttpRoute::post("http://x/b"),
                HttpRoute::post("http://x/c").header("authorization", "Bearer t"),
                HttpRoute::post("http://x/c").json_body(serde_json::json!({"n": 1})),
            ],
            None,
            true,
        );
        let headers = [("content-type".to_owned(), "application/json".to_owned())];
        let Routed::Unmatched(report) =
            mock.route(&request("POST", "http://x/c", &headers, br#"{"n":2}"#))
        else {
            panic!("expected no match");
        };
        for expected in [
            "no HTTP mock route matches POST http://x/c",
            "headers: content-type: application/json",
            r#"body: 7 bytes: {"n":2}"#,
            "[0] GET http://x/a — method is POST, not GET",
            "[1] POST http://x/b — URL differs",
            "[2] POST http://x/c [header authorization] — header authorization is missing",
            "[3] POST http://x/c [JSON body] — JSON body differs",
            "TestHostBuilder::real_http",
        ] {
            assert!(
                report.contains(expected),
                "missing {expected:?} in:\n{report}"
            );
        }
        let empty = HttpMock::default();
        let Routed::Unmatched(report) = empty.route(&request("GET", "http://z/", &[], b"")) else {
            panic!("expected no match");
        };
        assert!(report.contains("no routes are configured"), "{report}");
        assert!(report.contains("body: (empty)"), "{report}");
    }

    #[test]
    fn verify_reports_each_route_with_the_wrong_count() {
        let mock = HttpMock::new(
            vec![
                HttpRoute::get("http://x/once").expect(1),
                HttpRoute::get("http://x/twice").expect(2),
                HttpRoute::get("http://x/any"),
            ],
            None,
            true,
        );
        let none: &[(String, String)] = &[];
        mock.route(&request("GET", "http://x/once", none, b""));
        mock.route(&request("GET", "http://x/twice", none, b""));
        let unmet = mock.verify().unwrap_err();
        assert_eq!(
            unmet.failures,
            ["route [1] GET http://x/twice (expects 2 calls): called 1 time"]
        );
        mock.route(&request("GET", "http://x/twice", none, b""));
        assert_eq!(mock.verify(), Ok(()));
        mock.route(&request("GET", "http://x/once", none, b""));
        assert!(
            mock.verify()
                .unwrap_err()
                .to_string()
                .contains("called 2 times")
        );
    }

    #[test]
    fn routes_can_be_added_and_cleared_at_run_time() {
        let mock = HttpMock::default();
        assert!(!mock.is_real());
        let none: &[(String, String)] = &[];
        assert!(matches!(
            mock.route(&request("GET", "http://x/", none, b"")),
            Routed::Unmatched(_)
        ));
        assert_eq!(mock.add_route(HttpRoute::get("http://x/")), 0);
        assert_eq!(
            answered(mock.route(&request("GET", "http://x/", none, b""))).0,
            0
        );
        mock.clear_routes();
        assert!(matches!(
            mock.route(&request("GET", "http://x/", none, b"")),
            Routed::Unmatched(_)
        ));
    }
}
