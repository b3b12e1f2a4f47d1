//! AWS Lambda (the older generation's `momento:host/aws-lambda`): functions registered in the test —
//! closures ([`LambdaFunction::new`]), other components ([`LambdaFunction::component`]) or fixed answers
//! (fixtures) — invoked with Lambda's rules and errors.
//!
//! An `Invoke` goes: function name resolution (a name, a partial ARN `123456789012:function:name` or a
//! full ARN, with a qualifier in the ARN or the request, which must agree) → the session's credentials →
//! injected faults ([`AwsFault`](super::AwsFault) with service `lambda`, operation `Invoke`, resource the
//! function name) → payload checks → the function, by invocation type: `request-response` runs it and
//! answers 200 with its result (a function error is 200 too, with Lambda's `errorMessage`/`errorType`
//! payload), `event` runs it before answering 202 with no payload (its result is recorded, not
//! returned), `dry-run` answers 204 without running it. Every call is an [`AwsCall`](super::AwsCall) of
//! service `lambda`, whose `params` hold the request and what the function did.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use base64::Engine as _;
use serde_json::{Value, json};

use super::{AwsError, AwsErrorKind, AwsService, AwsSession, AwsState};
use crate::harness::{Request, TestHost};

/// Largest payload of a waiting invocation, request and response (Lambda's documented 6 MB).
pub const MAX_SYNC_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;
/// Largest payload of an `event` invocation (1 MB since AWS raised it from 256 KB).
pub const MAX_EVENT_PAYLOAD_BYTES: usize = 1024 * 1024;
/// Longest client context (base64) Lambda accepts.
const MAX_CLIENT_CONTEXT_BYTES: usize = 3583;
/// The log tail Lambda returns: the last 4 KB.
const LOG_TAIL_BYTES: usize = 4096;
/// The account the test host's ARNs name.
const ACCOUNT: &str = "123456789012";

/// An error a Lambda function's handler reports: Lambda answers the invocation with 200 and the payload
/// `{"errorMessage": message, "errorType": error_type}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaFunctionError {
    /// `errorType`, e.g. a runtime's exception class.
    pub error_type: String,
    /// `errorMessage`.
    pub message: String,
}

impl LambdaFunctionError {
    /// An error of `error_type` with `message`.
    pub fn new(error_type: impl Into<String>, message: impl Into<String>) -> Self {
        LambdaFunctionError {
            error_type: error_type.into(),
            message: message.into(),
        }
    }

    fn payload(&self) -> Vec<u8> {
        json!({"errorMessage": self.message, "errorType": self.error_type})
            .to_string()
            .into_bytes()
    }
}

/// A message alone is an `Unhandled` error, as Lambda reports an uncaught exception.
impl From<&str> for LambdaFunctionError {
    fn from(message: &str) -> Self {
        LambdaFunctionError::new("Unhandled", message)
    }
}

impl From<String> for LambdaFunctionError {
    fn from(message: String) -> Self {
        LambdaFunctionError::new("Unhandled", message)
    }
}

type Closure = dyn Fn(&[u8]) -> Result<Vec<u8>, LambdaFunctionError> + Send + Sync;

#[derive(Clone)]
enum Handler {
    Closure(Arc<Closure>),
    Component(TestHost),
    Fixed(Result<Vec<u8>, LambdaFunctionError>),
}

/// A function the test host runs when the guest invokes Lambda.
///
/// ```
/// use momento_functions_test_host::aws::{LambdaFunction, LambdaFunctionError};
///
/// let resize = LambdaFunction::new("resize", |payload: &[u8]| {
///     if payload.is_empty() {
///         return Err(LambdaFunctionError::new("ValueError", "no image"));
///     }
///     Ok(br#"{"url":"https://img.example/1.png"}"#.to_vec())
/// })
/// .version("3")
/// .alias("live", "3");
/// # let _ = resize;
/// ```
#[derive(Clone)]
pub struct LambdaFunction {
    name: String,
    handler: Handler,
    versions: Vec<String>,
    aliases: Vec<(String, String)>,
}

impl fmt::Debug for LambdaFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.handler {
            Handler::Closure(_) => "closure",
            Handler::Component(_) => "component",
            Handler::Fixed(_) => "fixed",
        };
        f.debug_struct("LambdaFunction")
            .field("name", &self.name)
            .field("handler", &kind)
            .field("versions", &self.versions)
            .field("aliases", &self.aliases)
            .finish()
    }
}

impl LambdaFunction {
    /// The function `name` runs `handler` on each invocation's payload (empty when none was sent).
    pub fn new<F>(name: impl Into<String>, handler: F) -> Self
    where
        F: Fn(&[u8]) -> Result<Vec<u8>, LambdaFunctionError> + Send + Sync + 'static,
    {
        Self::with(name, Handler::Closure(Arc::new(handler)))
    }

    /// The function `name` is another component: each invocation is a `POST /` to it with the payload as
    /// the body; a 2xx response's body is the result, any other status (or a failed invocation) a
    /// function error. Its log records make the log tail.
    pub fn component(name: impl Into<String>, host: TestHost) -> Self {
        Self::with(name, Handler::Component(host))
    }

    /// The function `name` always answers `result` (what fixtures files declare).
    pub fn fixed(name: impl Into<String>, result: Result<Vec<u8>, LambdaFunctionError>) -> Self {
        Self::with(name, Handler::Fixed(result))
    }

    fn with(name: impl Into<String>, handler: Handler) -> Self {
        LambdaFunction {
            name: name.into(),
            handler,
            versions: Vec::new(),
            aliases: Vec::new(),
        }
    }

    /// A published version (e.g. `"3"`) that invocations may name as their qualifier.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.versions.push(version.into());
        self
    }

    /// An alias (e.g. `"live"`) pointing at `version` (which needs no separate declaration).
    pub fn alias(mut self, alias: impl Into<String>, version: impl Into<String>) -> Self {
        let version = version.into();
        if !self.versions.contains(&version) && version != "$LATEST" {
            self.versions.push(version.clone());
        }
        self.aliases.push((alias.into(), version));
        self
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The version a qualifier runs, or `None` when the function has no such version or alias.
    fn resolve(&self, qualifier: Option<&str>) -> Option<String> {
        match qualifier {
            None | Some("$LATEST") => Some("$LATEST".to_owned()),
            Some(q) if self.versions.iter().any(|v| v == q) => Some(q.to_owned()),
            Some(q) => self
                .aliases
                .iter()
                .find(|(alias, _)| alias == q)
                .map(|(_, version)| version.clone()),
        }
    }
}

/// The registered functions (a field of `AwsState`).
#[derive(Debug, Default)]
pub(crate) struct LambdaRegistry {
    functions: HashMap<String, LambdaFunction>,
    requests: AtomicU64,
}

impl LambdaRegistry {
    pub(crate) fn new(functions: Vec<LambdaFunction>) -> Self {
        LambdaRegistry {
            functions: functions.into_iter().map(|f| (f.name.clone(), f)).collect(),
            requests: AtomicU64::new(0),
        }
    }

    fn request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        format!("00000000-0000-4000-8000-{n:012x}")
    }
}

/// How the guest asked to invoke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InvocationType {
    RequestResponse {
        log_tail: bool,
        client_context: Option<String>,
    },
    Event,
    DryRun,
}

/// One `invoke` request, from either binding.
#[derive(Debug, Clone)]
pub(crate) struct InvokeRequest {
    pub(crate) function_name: String,
    pub(crate) qualifier: Option<String>,
    pub(crate) payload: Option<Vec<u8>>,
    pub(crate) invocation_type: InvocationType,
}

/// What `invoke` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvokeOutput {
    pub(crate) status_code: i32,
    pub(crate) payload: Option<Vec<u8>>,
    pub(crate) log_result: Option<String>,
    pub(crate) executed_version: Option<String>,
}

fn error(kind: AwsErrorKind, code: &str, message: impl Into<String>) -> AwsError {
    AwsError::new(kind, code, message)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// The function name and the qualifier an ARN carries, from `function-name` (a name, a partial ARN or a
/// full ARN, at most 140 characters as Lambda allows).
fn parse_function_name(text: &str) -> Result<(String, Option<String>), AwsError> {
    let invalid = || {
        error(
            AwsErrorKind::Malformed,
            "ValidationException",
            format!(
                "1 validation error detected: Value '{text}' at 'functionName' failed to satisfy constraint: \
                 Member must satisfy regular expression pattern: \
                 (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
            ),
        )
    };
    if text.is_empty() || text.len() > 140 {
        return Err(invalid());
    }
    let parts: Vec<&str> = text.split(':').collect();
    let (name, qualifier) = match parts.as_slice() {
        [name] => (*name, None),
        [name, qualifier] if *name != "function" => (*name, Some(*qualifier)),
        [account, "function", name] if account.len() == 12 => (*name, None),
        [account, "function", name, qualifier] if account.len() == 12 => (*name, Some(*qualifier)),
        ["arn", _, "lambda", _, account, "function", name] if account.len() == 12 => (*name, None),
        ["arn", _, "lambda", _, account, "function", name, qualifier] if account.len() == 12 => {
            (*name, Some(*qualifier))
        }
        _ => return Err(invalid()),
    };
    let qualifier_ok = |q: &str| q == "$LATEST" || (!q.is_empty() && q.chars().all(is_name_char));
    if name.is_empty() || name.len() > 64 || !name.chars().all(is_name_char) {
        return Err(invalid());
    }
    if qualifier.is_some_and(|q| !qualifier_ok(q)) {
        return Err(invalid());
    }
    Ok((name.to_owned(), qualifier.map(str::to_owned)))
}

fn arn(region: &str, name: &str, qualifier: Option<&str>) -> String {
    match qualifier {
        Some(q) => format!("arn:aws:lambda:{region}:{ACCOUNT}:function:{name}:{q}"),
        None => format!("arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"),
    }
}

/// What one run of a function produced.
struct Ran {
    payload: Vec<u8>,
    function_error: Option<String>,
    log: String,
}

fn run(function: &LambdaFunction, payload: &[u8]) -> Ran {
    let started = Instant::now();
    let (result, log) = match &function.handler {
        Handler::Closure(handler) => (handler(payload), String::new()),
        Handler::Fixed(result) => (result.clone(), String::new()),
        Handler::Component(host) => match host.invoke(Request::post("/").body(payload.to_vec())) {
            Ok(response) => {
                let log: String = response
                    .logs()
                    .iter()
                    .map(|record| format!("{record}\n"))
                    .collect();
                let result = if response.is_success() {
                    Ok(response.body().to_vec())
                } else {
                    Err(LambdaFunctionError::new(
                        format!("HTTP{}", response.status()),
                        String::from_utf8_lossy(response.body()).into_owned(),
                    ))
                };
                (result, log)
            }
            Err(failure) => (
                Err(LambdaFunctionError::new(
                    "Runtime.ExitError",
                    format!("the function failed ({}): {failure}", failure.code()),
                )),
                host.logs()
                    .iter()
                    .map(|record| format!("{record}\n"))
                    .collect(),
            ),
        },
    };
    let elapsed = started.elapsed();
    let log = format!(
        "{log}REPORT Duration: {:.2} ms\n",
        elapsed.as_secs_f64() * 1000.0
    );
    match result {
        Ok(result) if result.len() > MAX_SYNC_PAYLOAD_BYTES + 100 => {
            let error = LambdaFunctionError::new(
                "Function.ResponseSizeTooLarge",
                format!(
                    "Response payload size exceeded maximum allowed payload size ({} bytes).",
                    MAX_SYNC_PAYLOAD_BYTES + 100
                ),
            );
            Ran {
                payload: error.payload(),
                function_error: Some(error.error_type),
                log,
            }
        }
        Ok(payload) => Ran {
            payload,
            function_error: None,
            log,
        },
        Err(error) => Ran {
            payload: error.payload(),
            function_error: Some(error.error_type.clone()),
            log,
        },
    }
}

/// The last 4 KB of `log`, base64, as `LogResult` carries it.
fn log_tail(log: &str) -> String {
    let bytes = log.as_bytes();
    let tail = &bytes[bytes.len().saturating_sub(LOG_TAIL_BYTES)..];
    base64::engine::general_purpose::STANDARD.encode(tail)
}

/// The request's parameters as recorded: payload as JSON when it is JSON, else as text.
fn payload_json(payload: &[u8]) -> Value {
    serde_json::from_slice(payload)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(payload).into_owned()))
}

fn check_payload(payload: &[u8], limit: usize) -> Result<(), AwsError> {
    if payload.len() > limit {
        return Err(error(
            AwsErrorKind::Malformed,
            "RequestEntityTooLargeException",
            format!("Request must be smaller than {limit} bytes for the InvokeFunction operation"),
        ));
    }
    if !payload.is_empty() && serde_json::from_slice::<serde::de::IgnoredAny>(payload).is_err() {
        return Err(error(
            AwsErrorKind::Malformed,
            "InvalidRequestContentException",
            "Could not parse request body into json: the payload is not JSON",
        ));
    }
    Ok(())
}

fn check_client_context(context: &str) -> Result<(), AwsError> {
    let refused = || {
        error(
            AwsErrorKind::Malformed,
            "InvalidRequestContentException",
            "Client context must be a valid Base64-encoded JSON object.",
        )
    };
    if context.len() > MAX_CLIENT_CONTEXT_BYTES {
        return Err(error(
            AwsErrorKind::Malformed,
            "InvalidRequestContentException",
            format!("Client context must be at most {MAX_CLIENT_CONTEXT_BYTES} bytes."),
        ));
    }
    let json = base64::engine::general_purpose::STANDARD
        .decode(context)
        .map_err(|_| refused())?;
    match serde_json::from_slice::<Value>(&json) {
        Ok(Value::Object(_)) => Ok(()),
        _ => Err(refused()),
    }
}

/// Run one `invoke` of the guest: resolution, credentials, faults, checks, the function, the record.
pub(crate) fn invoke(
    aws: &AwsState,
    session: &AwsSession,
    request: InvokeRequest,
    invocation_id: &str,
) -> Result<InvokeOutput, AwsError> {
    let payload = request.payload.unwrap_or_default();
    let mut params = json!({
        "FunctionName": request.function_name,
        "InvocationType": match request.invocation_type {
            InvocationType::RequestResponse { .. } => "RequestResponse",
            InvocationType::Event => "Event",
            InvocationType::DryRun => "DryRun",
        },
        "PayloadSize": payload.len(),
    });
    if let Some(qualifier) = &request.qualifier {
        params["Qualifier"] = json!(qualifier);
    }
    if !payload.is_empty() {
        params["Payload"] = payload_json(&payload);
    }
    if let InvocationType::RequestResponse {
        log_tail,
        client_context,
    } = &request.invocation_type
    {
        if *log_tail {
            params["LogType"] = json!("Tail");
        }
        if let Some(context) = client_context {
            params["ClientContext"] = json!(context);
        }
    }
    // The resource of the record (and of faults) is the function's bare name when it parses.
    let parsed = parse_function_name(&request.function_name);
    let resource = parsed
        .as_ref()
        .map_or_else(|_| request.function_name.clone(), |(name, _)| name.clone());
    let outcome = session
        .refusal(AwsService::Lambda)
        .map_or(Ok(()), Err)
        .and(parsed)
        .and_then(|parsed| match aws.take_fault(AwsService::Lambda, "Invoke", &resource) {
            Some(fault) => Err(fault),
            None => Ok(parsed),
        })
        .and_then(|(name, arn_qualifier)| {
            let qualifier = match (arn_qualifier, request.qualifier.clone()) {
                (Some(a), Some(q)) if a != q => {
                    return Err(error(
                        AwsErrorKind::Malformed,
                        "InvalidParameterValueException",
                        "The derived qualifier from the function name does not match the specified qualifier.",
                    ));
                }
                (a, q) => a.or(q),
            };
            let not_found = || {
                error(
                    AwsErrorKind::NotFound,
                    "ResourceNotFoundException",
                    format!(
                        "Function not found: {}",
                        arn(&session.region, &name, qualifier.as_deref())
                    ),
                )
            };
            let function = aws.lambda.functions.get(&name).ok_or_else(not_found)?;
            let version = function.resolve(qualifier.as_deref()).ok_or_else(not_found)?;
            Ok((function, version))
        })
        .and_then(|(function, version)| match &request.invocation_type {
            InvocationType::DryRun => Ok(InvokeOutput {
                status_code: 204,
                payload: None,
                log_result: None,
                executed_version: None,
            }),
            InvocationType::Event => {
                check_payload(&payload, MAX_EVENT_PAYLOAD_BYTES)?;
                let ran = run(function, &payload);
                params["AsyncResult"] = match &ran.function_error {
                    None => json!("success"),
                    Some(kind) => json!({"FunctionError": kind, "Payload": payload_json(&ran.payload)}),
                };
                Ok(InvokeOutput {
                    status_code: 202,
                    payload: None,
                    log_result: None,
                    executed_version: None,
                })
            }
            InvocationType::RequestResponse {
                log_tail: tail,
                client_context,
            } => {
                check_payload(&payload, MAX_SYNC_PAYLOAD_BYTES)?;
                if let Some(context) = client_context {
                    check_client_context(context)?;
                }
                let id = aws.lambda.request_id();
                let ran = run(function, &payload);
                let log = format!(
                    "START RequestId: {id} Version: {version}\n{}END RequestId: {id}\n",
                    ran.log
                );
                if let Some(kind) = &ran.function_error {
                    params["FunctionError"] = json!(kind);
                }
                params["ExecutedVersion"] = json!(version);
                Ok(InvokeOutput {
                    status_code: 200,
                    payload: Some(ran.payload),
                    log_result: tail.then(|| log_tail(&log)),
                    executed_version: Some(version),
                })
            }
        });
    let info = session.call_info(
        AwsService::Lambda,
        "Invoke",
        &resource,
        params,
        invocation_id,
    );
    aws.record(info, outcome.as_ref().err().cloned());
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_partial_and_full_arns_with_qualifiers() {
        let parse = |text: &str| parse_function_name(text).map_err(|e| e.code);
        assert_eq!(parse("resize"), Ok(("resize".into(), None)));
        assert_eq!(
            parse("resize:live"),
            Ok(("resize".into(), Some("live".into())))
        );
        assert_eq!(
            parse("123456789012:function:resize"),
            Ok(("resize".into(), None))
        );
        assert_eq!(
            parse("arn:aws:lambda:us-east-1:123456789012:function:resize:$LATEST"),
            Ok(("resize".into(), Some("$LATEST".into())))
        );
        for bad in [
            "",
            "has space",
            "a:b:c",
            "arn:aws:s3:::bucket",
            &"x".repeat(141),
            "f:",
        ] {
            assert_eq!(parse(bad), Err("ValidationException".into()), "{bad:?}");
        }
    }

    #[test]
    fn qualifiers_resolve_to_versions() {
        let f = LambdaFunction::new("f", |_| Ok(Vec::new()))
            .version("1")
            .alias("live", "2");
        assert_eq!(f.resolve(None).as_deref(), Some("$LATEST"));
        assert_eq!(f.resolve(Some("$LATEST")).as_deref(), Some("$LATEST"));
        assert_eq!(f.resolve(Some("1")).as_deref(), Some("1"));
        assert_eq!(f.resolve(Some("2")).as_deref(), Some("2"));
        assert_eq!(f.resolve(Some("live")).as_deref(), Some("2"));
        assert_eq!(f.resolve(Some("beta")), None);
    }

    #[test]
    fn payloads_and_client_contexts_are_checked() {
        assert!(check_payload(b"", 10).is_ok());
        assert!(check_payload(br#"{"a":1}"#, 10).is_ok());
        assert_eq!(
            check_payload(b"not json", 100).unwrap_err().code,
            "InvalidRequestContentException"
        );
        assert_eq!(
            check_payload(b"[1,2,3,4,5,6]", 10).unwrap_err().code,
            "RequestEntityTooLargeException"
        );
        let context = base64::engine::general_purpose::STANDARD.encode(br#"{"custom":{"a":1}}"#);
        assert!(check_client_context(&context).is_ok());
        assert!(check_client_context("not base64!").is_err());
        let array = base64::engine::general_purpose::STANDARD.encode(b"[1]");
        assert!(check_client_context(&array).is_err());
    }

    #[test]
    fn function_errors_and_oversized_results_become_error_payloads() {
        let failing = LambdaFunction::new("f", |_| Err("boom".into()));
        let ran = run(&failing, b"{}");
        assert_eq!(ran.function_error.as_deref(), Some("Unhandled"));
        assert_eq!(
            serde_json::from_slice::<Value>(&ran.payload).unwrap(),
            json!({"errorMessage": "boom", "errorType": "Unhandled"})
        );
        let huge = LambdaFunction::new("f", |_| Ok(vec![b'1'; MAX_SYNC_PAYLOAD_BYTES + 101]));
        assert_eq!(
            run(&huge, b"").function_error.as_deref(),
            Some("Function.ResponseSizeTooLarge")
        );
        let tail = log_tail(&"x".repeat(10_000));
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(tail)
                .unwrap()
                .len(),
            LOG_TAIL_BYTES
        );
    }
}
