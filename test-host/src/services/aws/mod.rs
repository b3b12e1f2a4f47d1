//! The AWS services: `momento:aws-auth`, `aws-ddb`, `aws-s3` (1.1.0 and 1.0.0), `aws-secrets` and the older
//! generation's `momento:host/aws-*` (with `aws-lambda`, [`lambda`]), plus the AWS endpoints the HTTP
//! service forwards here (`endpoint.rs`). This file holds what they share: credentials checks,
//! authenticated sessions, recorded calls and injected faults; `host.rs` holds the WIT layer; `ddb`, `s3`
//! and `secrets` the in-memory services.
//!
//! A call goes: the session's credentials are checked (when the host requires specific ones), then
//! injected faults are consulted, then the service runs it; whatever the outcome, it is recorded.

pub(crate) mod auth;
mod datetime;
pub(crate) mod ddb;
mod endpoint;
pub(crate) mod fixtures;
mod host;
pub(crate) mod lambda;
pub(crate) mod s3;
pub(crate) mod secrets;
pub(crate) mod sigv4;
pub(crate) mod via_http;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use ddb::DdbStore;
use s3::S3Store;
use secrets::SecretStore;

use super::record::{CallLog, FaultQueue, Matcher};
pub(crate) use host::{SERVICE, sign_outbound};

/// Lock a mutex, recovering from poisoning (a panicking test thread must not break the host).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// An AWS service of the test host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[non_exhaustive]
pub enum AwsService {
    /// Credentials (`aws-auth`): assuming a federated role, or taking hard-coded keys.
    #[serde(rename = "auth")]
    Auth,
    /// Amazon DynamoDB (`aws-ddb`).
    #[serde(rename = "dynamodb")]
    DynamoDb,
    /// Amazon S3 (`aws-s3`).
    #[serde(rename = "s3")]
    S3,
    /// AWS Secrets Manager (`aws-secrets`).
    #[serde(rename = "secrets_manager")]
    SecretsManager,
    /// AWS Lambda (the older generation's `aws-lambda`).
    #[serde(rename = "lambda")]
    Lambda,
}

impl AwsService {
    /// The name fixtures files use: `auth`, `dynamodb`, `s3`, `secrets_manager`, `lambda`.
    pub fn name(self) -> &'static str {
        match self {
            AwsService::Auth => "auth",
            AwsService::DynamoDb => "dynamodb",
            AwsService::S3 => "s3",
            AwsService::SecretsManager => "secrets_manager",
            AwsService::Lambda => "lambda",
        }
    }
}

impl fmt::Display for AwsService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of an AWS error, as the guest clients' error variants have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AwsErrorKind {
    /// A table, bucket or secret does not exist.
    NotFound,
    /// A conditional write's condition did not hold.
    ConditionFailed,
    /// The credentials were refused.
    Unauthorized,
    /// The request is not valid.
    Malformed,
    /// The service asked to slow down.
    Throttled,
    /// Anything else (e.g. an internal server error).
    Other,
}

impl AwsErrorKind {
    /// The name fixtures files use: `not_found`, `condition_failed`, `unauthorized`, `malformed`,
    /// `throttled`, `other`.
    pub fn name(self) -> &'static str {
        match self {
            AwsErrorKind::NotFound => "not_found",
            AwsErrorKind::ConditionFailed => "condition_failed",
            AwsErrorKind::Unauthorized => "unauthorized",
            AwsErrorKind::Malformed => "malformed",
            AwsErrorKind::Throttled => "throttled",
            AwsErrorKind::Other => "other",
        }
    }

    /// The error code the service would send for this kind.
    fn code(self, service: AwsService) -> &'static str {
        use AwsErrorKind as K;
        use AwsService as S;
        match (self, service) {
            (K::NotFound, S::S3) => "NoSuchBucket",
            (K::ConditionFailed, S::Lambda) => "PreconditionFailedException",
            (K::Malformed, S::Lambda) => "InvalidRequestContentException",
            (K::Throttled, S::Lambda) => "TooManyRequestsException",
            (K::Other, S::Lambda) => "ServiceException",
            (K::NotFound, _) => "ResourceNotFoundException",
            (K::ConditionFailed, S::S3) => "PreconditionFailed",
            (K::ConditionFailed, _) => "ConditionalCheckFailedException",
            (K::Unauthorized, S::S3 | S::Auth) => "AccessDenied",
            (K::Unauthorized, _) => "AccessDeniedException",
            (K::Malformed, S::S3) => "InvalidRequest",
            (K::Malformed, S::SecretsManager) => "InvalidParameterException",
            (K::Malformed, _) => "ValidationException",
            (K::Throttled, S::S3) => "SlowDown",
            (K::Throttled, S::Auth) => "Throttling",
            (K::Throttled, _) => "ThrottlingException",
            (K::Other, S::S3) => "InternalError",
            (K::Other, S::SecretsManager) => "InternalServiceError",
            (K::Other, _) => "InternalServerError",
        }
    }
}

/// An error an AWS mock answered with: its kind, the service's error code and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwsError {
    /// The kind, as the guest sees it.
    pub kind: AwsErrorKind,
    /// The service's error code, e.g. `ValidationException` or `NoSuchBucket`.
    pub code: String,
    /// The service's message.
    pub message: String,
}

impl AwsError {
    pub(crate) fn new(kind: AwsErrorKind, code: &str, message: impl Into<String>) -> Self {
        AwsError {
            kind,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// What the guest receives: `Code: message`.
    pub(crate) fn wire_message(&self) -> String {
        format!("{}: {}", self.code, self.message)
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// One AWS call a function made, with its outcome.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AwsCall {
    /// The service called.
    pub service: AwsService,
    /// The operation, as AWS names it: `AssumeRole`, `StaticCredentials`, `GetItem`, `PutItem`,
    /// `DeleteItem`, `Query`, `GetObject`, `PutObject`, `DeleteObject`, `ListObjectsV2`, `GetSecretValue`.
    pub operation: String,
    /// The region of the credentials provider.
    pub region: String,
    /// Who called: the access key id, or the role ARN of a federated provider.
    pub principal: String,
    /// The table, bucket or secret (the role ARN for `AssumeRole`, the access key id for
    /// `StaticCredentials`).
    pub resource: String,
    /// The request's parameters as plain JSON, e.g. `{"key": {"user_id": "u1"}}` for `GetItem`.
    pub params: serde_json::Value,
    /// The error it was answered with, if any.
    pub error: Option<AwsError>,
    /// The invocation that made the call.
    pub invocation_id: String,
}

impl AwsCall {
    /// A DynamoDB expression of the call (`"ConditionExpression"`, `"KeyConditionExpression"`,
    /// `"FilterExpression"`, `"ProjectionExpression"`, `"UpdateExpression"`) with its `#name` and `:value`
    /// placeholders replaced by the names and the values (as plain JSON), for readable assertions:
    /// `attribute_not_exists(#c0)` with `{"#c0": "order_id"}` reads `attribute_not_exists(order_id)`.
    pub fn expression(&self, field: &str) -> Option<String> {
        let expression = self.params.get(field)?.as_str()?;
        let names = self.params.get("ExpressionAttributeNames");
        let values = self.params.get("ExpressionAttributeValues");
        let mut out = String::with_capacity(expression.len());
        let mut rest = expression;
        while let Some(at) = rest.find(['#', ':']) {
            out.push_str(&rest[..at]);
            let token_len = rest[at + 1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len() - at - 1);
            let token = &rest[at..at + 1 + token_len];
            let replacement = match token.as_bytes()[0] {
                b'#' => names
                    .and_then(|n| n.get(token))
                    .and_then(|n| n.as_str())
                    .map(str::to_owned),
                _ => values
                    .and_then(|v| v.get(token))
                    .and_then(|v| ddb::model::Attr::from_wire(v).ok())
                    .map(|attr| attr.to_plain().to_string()),
            };
            out.push_str(replacement.as_deref().unwrap_or(token));
            rest = &rest[at + 1 + token_len..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// An attribute map of the call (`"Key"`, `"Item"`, `"ExclusiveStartKey"`) as plain JSON
    /// (`{"id": {"S": "u1"}}` reads `{"id": "u1"}`).
    pub fn plain(&self, field: &str) -> Option<serde_json::Value> {
        let attrs = ddb::model::attrs_from_wire(self.params.get(field)?).ok()?;
        Some(serde_json::Value::Object(ddb::model::attrs_to_plain(
            &attrs,
        )))
    }
}

/// An error to answer matching AWS calls with, instead of running them.
///
/// ```
/// use momento_functions_test_host::aws::{AwsFault, AwsService};
///
/// // The next two GetItem calls on `users` are throttled, then calls succeed again.
/// let fault = AwsFault::throttled()
///     .service(AwsService::DynamoDb)
///     .operation("GetItem")
///     .resource("users")
///     .times(2);
/// # let _ = fault;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsFault {
    pub(crate) kind: AwsErrorKind,
    pub(crate) message: Option<String>,
    pub(crate) service: Option<AwsService>,
    pub(crate) operation: Option<String>,
    pub(crate) resource: Option<String>,
    pub(crate) times: Option<u32>,
}

impl AwsFault {
    /// Answer matching calls with an error of `kind`. Matches every call until narrowed.
    pub fn new(kind: AwsErrorKind) -> Self {
        AwsFault {
            kind,
            message: None,
            service: None,
            operation: None,
            resource: None,
            times: None,
        }
    }

    /// Throttling (`ThrottlingException`, S3's `SlowDown`).
    pub fn throttled() -> Self {
        AwsFault::new(AwsErrorKind::Throttled)
    }

    /// Access denied (`AccessDeniedException`, S3's `AccessDenied`).
    pub fn unauthorized() -> Self {
        AwsFault::new(AwsErrorKind::Unauthorized)
    }

    /// An internal error of the service.
    pub fn internal_error() -> Self {
        AwsFault::new(AwsErrorKind::Other)
    }

    /// Only calls to `service`.
    pub fn service(mut self, service: AwsService) -> Self {
        self.service = Some(service);
        self
    }

    /// Only calls of `operation` (AWS's name, e.g. `GetItem`; see [`AwsCall::operation`]).
    pub fn operation(mut self, operation: impl Into<String>) -> Self {
        self.operation = Some(operation.into());
        self
    }

    /// Only calls on `resource` (a table, bucket or secret name).
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Answer only the next `times` matching calls (default: every one).
    pub fn times(mut self, times: u32) -> Self {
        self.times = Some(times);
        self
    }

    /// The message of the error (default: a message like the service's own).
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    fn error(&self, service: AwsService) -> AwsError {
        let message = self.message.clone().unwrap_or_else(|| match self.kind {
            AwsErrorKind::Throttled => "Rate exceeded".to_owned(),
            AwsErrorKind::Unauthorized => "Access denied (injected by the test host)".to_owned(),
            AwsErrorKind::NotFound => "Requested resource not found".to_owned(),
            AwsErrorKind::ConditionFailed => "The conditional request failed".to_owned(),
            AwsErrorKind::Malformed => "Invalid request (injected by the test host)".to_owned(),
            AwsErrorKind::Other => "Internal server error (injected by the test host)".to_owned(),
        });
        AwsError::new(self.kind, self.kind.code(service), message)
    }
}

impl Matcher<(AwsService, &str, &str)> for AwsFault {
    fn matches(&self, (service, operation, resource): &(AwsService, &str, &str)) -> bool {
        self.service.is_none_or(|s| s == *service)
            && self.operation.as_deref().is_none_or(|o| o == *operation)
            && self.resource.as_deref().is_none_or(|r| r == *resource)
    }
}

/// Seed data (from the builder or a fixtures file) that is not valid: the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SeedError {
    pub(crate) field: String,
    pub(crate) message: String,
}

/// Which credentials the host accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AuthPolicy {
    /// Accepted access key pairs.
    pub(crate) credentials: Vec<(String, String)>,
    /// Accepted role ARNs.
    pub(crate) roles: Vec<String>,
    /// Credentials (and the region to sign for) that stand for a role when a request signed "as the role"
    /// goes to the real network.
    pub(crate) role_credentials: Vec<(String, sigv4::Credentials, String)>,
}

impl AuthPolicy {
    /// With nothing declared, any well-formed credentials are accepted.
    fn is_open(&self) -> bool {
        self.credentials.is_empty() && self.roles.is_empty()
    }
}

/// Who a session acts as.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Principal {
    Key { id: String, secret: String },
    Role(String),
}

impl Principal {
    pub(crate) fn name(&self) -> &str {
        match self {
            Principal::Key { id, .. } => id,
            Principal::Role(arn) => arn,
        }
    }
}

/// How a session's hard-coded keys fare against the policy; checked once, when the session is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyCheck {
    Accepted,
    UnknownKey,
    WrongSecret,
}

/// An authenticated client for one (region, credentials): what production keeps hot across invocations.
#[derive(Debug)]
pub(crate) struct AwsSession {
    pub(crate) region: String,
    pub(crate) principal: Principal,
    check: KeyCheck,
}

impl AwsSession {
    /// Describe a call of this session.
    pub(crate) fn call_info<'a>(
        &'a self,
        service: AwsService,
        operation: &'static str,
        resource: &'a str,
        params: serde_json::Value,
        invocation_id: &'a str,
    ) -> CallInfo<'a> {
        CallInfo {
            region: &self.region,
            principal: self.principal.name(),
            service,
            operation,
            resource,
            params,
            invocation_id,
        }
    }

    /// The error AWS answers a call signed with refused keys with.
    fn refusal(&self, service: AwsService) -> Option<AwsError> {
        let (code, message) = match (self.check, service) {
            (KeyCheck::Accepted, _) => return None,
            (KeyCheck::UnknownKey, AwsService::S3) => (
                "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.",
            ),
            (KeyCheck::UnknownKey, _) => (
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            ),
            (KeyCheck::WrongSecret, AwsService::S3) => (
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. \
                 Check your key and signing method.",
            ),
            (KeyCheck::WrongSecret, _) => (
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method.",
            ),
        };
        Some(AwsError::new(AwsErrorKind::Unauthorized, code, message))
    }
}

/// The `credentials-provider` resource (both generations): a handle on a session.
#[derive(Debug)]
#[allow(
    unreachable_pub,
    reason = "bindgen re-exports resource types with `pub use`"
)]
pub struct CredentialsProvider {
    pub(crate) session: Arc<AwsSession>,
}

/// The `client` resource of `aws-ddb` (both generations).
#[derive(Debug)]
#[allow(
    unreachable_pub,
    reason = "bindgen re-exports resource types with `pub use`"
)]
pub struct DdbClient {
    pub(crate) session: Arc<AwsSession>,
}

/// The `client` resource of `aws-s3` (every version).
#[derive(Debug)]
#[allow(
    unreachable_pub,
    reason = "bindgen re-exports resource types with `pub use`"
)]
pub struct S3Client {
    pub(crate) session: Arc<AwsSession>,
}

/// The `client` resource of `aws-secrets` (both generations).
#[derive(Debug)]
#[allow(
    unreachable_pub,
    reason = "bindgen re-exports resource types with `pub use`"
)]
pub struct SecretsClient {
    pub(crate) session: Arc<AwsSession>,
}

/// The `client` resource of the older generation's `aws-lambda`.
#[derive(Debug)]
#[allow(
    unreachable_pub,
    reason = "bindgen re-exports resource types with `pub use`"
)]
pub struct LambdaClient {
    pub(crate) session: Arc<AwsSession>,
}

/// One call about to be made.
pub(crate) struct CallInfo<'a> {
    pub(crate) region: &'a str,
    pub(crate) principal: &'a str,
    pub(crate) service: AwsService,
    pub(crate) operation: &'static str,
    pub(crate) resource: &'a str,
    pub(crate) params: serde_json::Value,
    pub(crate) invocation_id: &'a str,
}

/// The shared state of the AWS mocks (a field of `Services`).
#[derive(Debug, Default)]
pub(crate) struct AwsState {
    pub(crate) policy: AuthPolicy,
    /// The host's clock (signing times).
    pub(crate) clock: crate::clock::Clock,
    /// Keep every call in `calls` (off for long runs: the history grows with every call).
    pub(crate) record_calls: bool,
    pub(crate) ddb: DdbStore,
    pub(crate) s3: S3Store,
    pub(crate) secrets: SecretStore,
    /// The Lambda functions of the test.
    pub(crate) lambda: lambda::LambdaRegistry,
    sessions: Mutex<HashMap<(String, Principal), Arc<AwsSession>>>,
    calls: Mutex<CallLog<AwsCall>>,
    faults: Mutex<FaultQueue<AwsFault, AwsFault>>,
}

impl AwsState {
    pub(crate) fn new(
        policy: AuthPolicy,
        faults: Vec<AwsFault>,
        ddb: DdbStore,
        s3: S3Store,
        secrets: SecretStore,
    ) -> Self {
        let mut queue = FaultQueue::default();
        for fault in faults {
            let times = fault.times.map(|t| t as usize);
            queue.push(fault.clone(), fault, times);
        }
        AwsState {
            policy,
            clock: crate::clock::Clock::default(),
            record_calls: true,
            ddb,
            s3,
            secrets,
            lambda: lambda::LambdaRegistry::default(),
            sessions: Mutex::default(),
            calls: Mutex::default(),
            faults: Mutex::new(queue),
        }
    }

    /// The credentials declared for `role` (and the region to sign for), for signing real requests.
    pub(crate) fn role_credentials(&self, role: &str) -> Option<(sigv4::Credentials, String)> {
        self.policy
            .role_credentials
            .iter()
            .find(|(r, _, _)| r == role)
            .map(|(_, credentials, region)| (credentials.clone(), region.clone()))
    }

    /// Is `role` accepted?
    pub(crate) fn role_allowed(&self, role: &str) -> bool {
        self.policy.is_open() || self.policy.roles.iter().any(|r| r == role)
    }

    /// The hot session for (region, principal), made on first use.
    pub(crate) fn session(&self, region: &str, principal: Principal) -> Arc<AwsSession> {
        let mut sessions = lock(&self.sessions);
        let key = (region.to_owned(), principal);
        if let Some(session) = sessions.get(&key) {
            return Arc::clone(session);
        }
        let check = match &key.1 {
            Principal::Role(_) => KeyCheck::Accepted,
            Principal::Key { .. } if self.policy.is_open() => KeyCheck::Accepted,
            Principal::Key { id, secret } => {
                let mut known = self.policy.credentials.iter().filter(|(i, _)| i == id);
                match known.clone().next() {
                    None => KeyCheck::UnknownKey,
                    Some(_) if known.any(|(_, s)| s == secret) => KeyCheck::Accepted,
                    Some(_) => KeyCheck::WrongSecret,
                }
            }
        };
        let session = Arc::new(AwsSession {
            region: key.0.clone(),
            principal: key.1.clone(),
            check,
        });
        sessions.insert(key, Arc::clone(&session));
        session
    }

    /// How many authenticated sessions (region, credentials) the host keeps.
    pub(crate) fn session_count(&self) -> usize {
        lock(&self.sessions).len()
    }

    /// The first matching fault, used up by one.
    fn take_fault(&self, service: AwsService, operation: &str, resource: &str) -> Option<AwsError> {
        let fault = lock(&self.faults).take(&(service, operation, resource))?;
        Some(fault.error(service))
    }

    pub(crate) fn add_fault(&self, fault: AwsFault) {
        let times = fault.times.map(|t| t as usize);
        lock(&self.faults).push(fault.clone(), fault, times);
    }

    pub(crate) fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// Record a call that ran (or failed) outside [`AwsState::call`].
    pub(crate) fn record(&self, info: CallInfo<'_>, error: Option<AwsError>) {
        if !self.record_calls {
            return;
        }
        lock(&self.calls).record(|| AwsCall {
            service: info.service,
            operation: info.operation.to_owned(),
            region: info.region.to_owned(),
            principal: info.principal.to_owned(),
            resource: info.resource.to_owned(),
            params: info.params,
            error,
            invocation_id: info.invocation_id.to_owned(),
        });
    }

    /// Run one call: credentials check, injected faults, then `run`; record it either way.
    pub(crate) fn call<T>(
        &self,
        session: &AwsSession,
        info: CallInfo<'_>,
        run: impl FnOnce() -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        let result = match session.refusal(info.service) {
            Some(refusal) => Err(refusal),
            None => match self.take_fault(info.service, info.operation, info.resource) {
                Some(fault) => Err(fault),
                None => run(),
            },
        };
        self.record(info, result.as_ref().err().cloned());
        result
    }

    /// Answer a provider request with an injected fault, if one matches.
    pub(crate) fn auth_fault(&self, operation: &str, resource: &str) -> Option<AwsError> {
        self.take_fault(AwsService::Auth, operation, resource)
    }

    pub(crate) fn calls(&self) -> Vec<AwsCall> {
        lock(&self.calls).snapshot()
    }

    pub(crate) fn clear_calls(&self) {
        lock(&self.calls).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, secret: &str) -> Principal {
        Principal::Key {
            id: id.into(),
            secret: secret.into(),
        }
    }

    #[test]
    fn open_policy_accepts_any_keys_and_sessions_are_reused() {
        let aws = AwsState::default();
        let a = aws.session("us-east-1", key("AKID", "s"));
        let b = aws.session("us-east-1", key("AKID", "s"));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(a.refusal(AwsService::DynamoDb).is_none());
        aws.session("eu-west-1", key("AKID", "s"));
        assert_eq!(aws.session_count(), 2);
    }

    #[test]
    fn declared_credentials_refuse_others_like_aws() {
        let aws = AwsState {
            policy: AuthPolicy {
                credentials: vec![("AKID".into(), "right".into())],
                roles: vec![],
                role_credentials: Vec::new(),
            },
            ..AwsState::default()
        };
        assert!(
            aws.session("us-east-1", key("AKID", "right"))
                .refusal(AwsService::S3)
                .is_none()
        );
        let wrong = aws.session("us-east-1", key("AKID", "wrong"));
        assert_eq!(
            wrong.refusal(AwsService::DynamoDb).map(|e| e.code),
            Some("InvalidSignatureException".into())
        );
        assert_eq!(
            wrong.refusal(AwsService::S3).map(|e| e.code),
            Some("SignatureDoesNotMatch".into())
        );
        let unknown = aws.session("us-east-1", key("OTHER", "right"));
        let refusal = unknown
            .refusal(AwsService::SecretsManager)
            .expect("refused");
        assert_eq!(refusal.kind, AwsErrorKind::Unauthorized);
        assert_eq!(refusal.code, "UnrecognizedClientException");
        assert!(!aws.role_allowed("arn:aws:iam::123456789012:role/any"));
    }

    #[test]
    fn faults_match_narrowly_and_run_out() {
        let aws = AwsState::default();
        aws.add_fault(
            AwsFault::throttled()
                .service(AwsService::DynamoDb)
                .operation("GetItem")
                .resource("users")
                .times(2),
        );
        assert!(aws.take_fault(AwsService::S3, "GetItem", "users").is_none());
        assert!(
            aws.take_fault(AwsService::DynamoDb, "PutItem", "users")
                .is_none()
        );
        assert!(
            aws.take_fault(AwsService::DynamoDb, "GetItem", "orders")
                .is_none()
        );
        let error = aws
            .take_fault(AwsService::DynamoDb, "GetItem", "users")
            .expect("first");
        assert_eq!(error.code, "ThrottlingException");
        assert!(
            aws.take_fault(AwsService::DynamoDb, "GetItem", "users")
                .is_some()
        );
        assert!(
            aws.take_fault(AwsService::DynamoDb, "GetItem", "users")
                .is_none()
        );
        aws.add_fault(AwsFault::internal_error().message("boom"));
        let error = aws
            .take_fault(AwsService::S3, "GetObject", "b")
            .expect("always");
        assert_eq!(
            (error.code.as_str(), error.message.as_str()),
            ("InternalError", "boom")
        );
        assert!(aws.take_fault(AwsService::S3, "GetObject", "b").is_some());
        aws.clear_faults();
        assert!(aws.take_fault(AwsService::S3, "GetObject", "b").is_none());

        // A fault for zero calls never fires, from the builder or added later.
        let aws = AwsState::new(
            AuthPolicy::default(),
            vec![AwsFault::throttled().times(0)],
            DdbStore::default(),
            S3Store::default(),
            SecretStore::default(),
        );
        aws.add_fault(AwsFault::unauthorized().times(0));
        assert!(aws.take_fault(AwsService::S3, "GetObject", "b").is_none());
    }

    #[test]
    fn expressions_read_with_their_placeholders_filled_in() {
        let call = AwsCall {
            service: AwsService::DynamoDb,
            operation: "Query".into(),
            region: "us-east-1".into(),
            principal: "AK".into(),
            resource: "orders".into(),
            params: serde_json::json!({
                "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :sk AND :sk2",
                "ExpressionAttributeNames": {"#pk": "customer_id", "#sk": "order_id"},
                "ExpressionAttributeValues": {":pk": {"S": "c1"}, ":sk": {"N": "1"}, ":sk2": {"N": "20"}},
                "ExclusiveStartKey": {"customer_id": {"S": "c1"}, "order_id": {"N": "3"}},
                "FilterExpression": "#missing = :missing",
            }),
            error: None,
            invocation_id: String::new(),
        };
        assert_eq!(
            call.expression("KeyConditionExpression").as_deref(),
            Some("customer_id = \"c1\" AND order_id BETWEEN 1 AND 20")
        );
        assert_eq!(
            call.expression("FilterExpression").as_deref(),
            Some("#missing = :missing"),
            "unknown placeholders stay as they are"
        );
        assert_eq!(call.expression("ConditionExpression"), None);
        assert_eq!(
            call.plain("ExclusiveStartKey"),
            Some(serde_json::json!({"customer_id": "c1", "order_id": 3}))
        );
    }

    #[test]
    fn names_round_trip() {
        for service in [
            AwsService::Auth,
            AwsService::DynamoDb,
            AwsService::S3,
            AwsService::SecretsManager,
            AwsService::Lambda,
        ] {
            let parsed: AwsService =
                serde_json::from_value(serde_json::json!(service.name())).expect("a name");
            assert_eq!(parsed, service, "fixtures use the names Display prints");
        }
        for kind in [
            AwsErrorKind::NotFound,
            AwsErrorKind::ConditionFailed,
            AwsErrorKind::Unauthorized,
            AwsErrorKind::Malformed,
            AwsErrorKind::Throttled,
            AwsErrorKind::Other,
        ] {
            let parsed: AwsErrorKind =
                serde_json::from_value(serde_json::json!(kind.name())).expect("a name");
            assert_eq!(parsed, kind);
        }
    }
}
