//! AWS Lambda: invoke a function and wait for its result, queue an event, or check that a call would be
//! allowed.
//!
//! ```no_run
//! use momento_functions_host::aws::auth::{Authorization, AwsCredentialsProvider};
//! use momento_functions_host::aws::lambda::{InvokeRequest, LambdaClient};
//!
//! #[derive(serde::Serialize)]
//! struct Resize { image: String, width: u32 }
//! #[derive(serde::Deserialize)]
//! struct Resized { url: String }
//!
//! # fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = AwsCredentialsProvider::new(
//!     "us-east-1",
//!     Authorization::federated("arn:aws:iam::123456789012:role/resizer-caller"),
//! )?;
//! let lambda = LambdaClient::new(&provider)?;
//! let resized: Resized = lambda.invoke_json("resize-image", &Resize { image: "a.png".into(), width: 64 })?;
//!
//! // Fire and forget; or a version, the log tail and the raw payload.
//! lambda.invoke_event("audit", br#"{"event":"resized"}"#.to_vec())?;
//! let response = lambda.send(InvokeRequest::new("resize-image").qualifier("live").log_tail())?;
//! println!("{} {:?} {:?}", response.status, response.executed_version, response.log_tail);
//! # let _ = resized;
//! # Ok(()) }
//! ```
//!
//! Lambda is only in the older generation of Momento's contract (`momento:host/aws-lambda`, whose client
//! takes a `momento:host/aws-auth` provider): a function using this client imports those two
//! interfaces beside the current generation's. [`LambdaClient::new`] makes that provider from the same
//! authorization and region as the one it is given.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::aws::auth::{self, AwsCredentialsProvider};
use crate::wit::momento::host::aws_auth as auth_wit;
use crate::wit::momento::host::aws_lambda as wit;

/// Why a Lambda call failed.
///
/// In a handler, `?` turns it into an error response: `NotFound` 404, `Unauthorized` 403, `Malformed`
/// 400, `Throttled` 429, `FunctionFailed` and `Other` 502, JSON that does not serialize 500, a reply
/// that does not deserialize 502.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No such function, version or alias (`ResourceNotFoundException`).
    #[error("Lambda function not found: {0}")]
    NotFound(String),
    /// The credentials were refused or lack permission (`AccessDeniedException`), or no provider could
    /// be made for them.
    #[error("Lambda refused the credentials: {0}")]
    Unauthorized(String),
    /// The request is not valid, e.g. a payload that is not JSON or too large
    /// (`InvalidRequestContentException`, `RequestEntityTooLargeException`).
    #[error("malformed Lambda request: {0}")]
    Malformed(String),
    /// Lambda asked to slow down (`TooManyRequestsException`).
    #[error("Lambda throttled the request: {0}")]
    Throttled(String),
    /// The function ran and failed ([`invoke_json`](LambdaClient::invoke_json) only: other calls
    /// return its error payload, see [`LambdaResponse::function_error`]).
    #[error("the Lambda function failed with {error_type}: {message}")]
    FunctionFailed {
        /// Lambda's `errorType`, e.g. `Unhandled` or the function's exception class.
        error_type: String,
        /// Lambda's `errorMessage`.
        message: String,
    },
    /// Anything else.
    #[error("Lambda error: {0}")]
    Other(String),
    /// [`invoke_json`](LambdaClient::invoke_json) could not serialize the payload.
    #[error("cannot serialize the Lambda payload as JSON")]
    SerializeJson(#[source] serde_json::Error),
    /// [`invoke_json`](LambdaClient::invoke_json) got a reply that is not JSON of the expected type
    /// (or no reply).
    #[error("the Lambda reply is not JSON of the expected type")]
    DeserializeJson(#[source] serde_json::Error),
}

impl From<wit::LambdaError> for Error {
    /// The published variants are three; a message naming Lambda's error code gets its variant.
    fn from(error: wit::LambdaError) -> Self {
        match error {
            wit::LambdaError::Unauthorized(m) => Error::Unauthorized(m),
            wit::LambdaError::Malformed(m) => Error::Malformed(m),
            wit::LambdaError::Other(m) if m.starts_with("ResourceNotFoundException") => {
                Error::NotFound(m)
            }
            wit::LambdaError::Other(m)
                if m.starts_with("TooManyRequestsException")
                    || m.starts_with("ThrottlingException") =>
            {
                Error::Throttled(m)
            }
            wit::LambdaError::Other(m) => Error::Other(m),
        }
    }
}

impl From<auth::Error> for Error {
    fn from(error: auth::Error) -> Self {
        match error {
            auth::Error::Malformed(m) => Error::Malformed(m),
            auth::Error::Throttled(m) => Error::Throttled(m),
            other => Error::Unauthorized(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Wait {
        log_tail: bool,
        client_context: Option<String>,
    },
    Event,
    DryRun,
}

/// One invocation: the function (a name, a partial or full ARN), optionally a version or alias, a
/// payload, and how to invoke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvokeRequest {
    function: String,
    qualifier: Option<String>,
    payload: Option<Vec<u8>>,
    kind: Kind,
}

impl InvokeRequest {
    /// Invoke `function` and wait for its result, without a payload.
    pub fn new(function: impl Into<String>) -> Self {
        InvokeRequest {
            function: function.into(),
            qualifier: None,
            payload: None,
            kind: Kind::Wait {
                log_tail: false,
                client_context: None,
            },
        }
    }

    /// A version or alias of the function (default: `$LATEST`).
    pub fn qualifier(mut self, qualifier: impl Into<String>) -> Self {
        self.qualifier = Some(qualifier.into());
        self
    }

    /// The payload (Lambda expects JSON).
    pub fn payload(mut self, payload: impl Into<Vec<u8>>) -> Self {
        self.payload = Some(payload.into());
        self
    }

    /// Queue the invocation and return at once (`InvocationType: Event`).
    pub fn event(mut self) -> Self {
        self.kind = Kind::Event;
        self
    }

    /// Only check that the call would be allowed (`InvocationType: DryRun`).
    pub fn dry_run(mut self) -> Self {
        self.kind = Kind::DryRun;
        self
    }

    /// Return the last 4 KB of the function's log (`LogType: Tail`; waiting invocations only).
    pub fn log_tail(mut self) -> Self {
        if let Kind::Wait { log_tail, .. } = &mut self.kind {
            *log_tail = true;
        }
        self
    }

    /// Client context for the function, base64-encoded JSON as Lambda expects (waiting invocations
    /// only).
    pub fn client_context(mut self, base64_json: impl Into<String>) -> Self {
        if let Kind::Wait { client_context, .. } = &mut self.kind {
            *client_context = Some(base64_json.into());
        }
        self
    }

    fn into_wit(self) -> wit::InvokeRequest {
        wit::InvokeRequest {
            function_name: self.function,
            qualifier: self.qualifier,
            payload: self.payload,
            invocation_type: match self.kind {
                Kind::Wait {
                    log_tail,
                    client_context,
                } => wit::InvocationType::RequestResponse(wit::InvokeSynchronousParameters {
                    log_type: log_tail.then_some(wit::LogType::Tail),
                    client_context,
                }),
                Kind::Event => wit::InvocationType::Event,
                Kind::DryRun => wit::InvocationType::DryRun,
            },
        }
    }
}

/// What Lambda answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LambdaResponse {
    /// 200 for a waiting invocation (also when the function failed: see
    /// [`function_error`](Self::function_error)), 202 for an event, 204 for a dry run.
    pub status: i32,
    /// The function's result (or its error), for a waiting invocation.
    pub payload: Option<Vec<u8>>,
    /// The end of the function's log, decoded, when asked for with [`InvokeRequest::log_tail`].
    pub log_tail: Option<String>,
    /// The version that ran.
    pub executed_version: Option<String>,
}

/// A function's error as Lambda reports it in the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FunctionFailure {
    /// `errorType`.
    pub error_type: String,
    /// `errorMessage`.
    pub message: String,
}

impl LambdaResponse {
    /// The function's error, when the payload is Lambda's error object
    /// (`{"errorMessage": ..., "errorType": ...}`).
    pub fn function_error(&self) -> Option<FunctionFailure> {
        #[derive(serde::Deserialize)]
        struct Reported {
            #[serde(rename = "errorMessage")]
            message: String,
            #[serde(rename = "errorType")]
            error_type: Option<String>,
        }
        let reported: Reported = serde_json::from_slice(self.payload.as_deref()?).ok()?;
        Some(FunctionFailure {
            error_type: reported
                .error_type
                .unwrap_or_else(|| "Unhandled".to_owned()),
            message: reported.message,
        })
    }

    /// The payload deserialized from JSON.
    ///
    /// # Errors
    /// [`Error::DeserializeJson`] when there is no payload or it is not JSON of type `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(self.payload.as_deref().unwrap_or_default())
            .map_err(Error::DeserializeJson)
    }
}

/// A Lambda client for the credentials and region of a provider.
#[derive(Debug)]
pub struct LambdaClient {
    client: wit::Client,
}

impl LambdaClient {
    /// A client with `provider`'s authorization and region.
    ///
    /// # Errors
    /// [`Error::Unauthorized`] (or `Malformed`, `Throttled`) when the platform cannot make a provider of
    /// the older generation for those credentials.
    pub fn new(provider: &AwsCredentialsProvider) -> Result<Self, Error> {
        let authorization = match (
            provider.authorization().credentials(),
            provider.authorization().role_arn(),
        ) {
            (Some(keys), _) => auth_wit::Authorization::Hardcoded(auth_wit::Credentials {
                access_key_id: keys.access_key_id().to_owned(),
                secret_access_key: keys.secret_access_key().to_owned(),
            }),
            (None, Some(role)) => auth_wit::Authorization::Federated(auth_wit::IamRole {
                role_arn: role.to_owned(),
            }),
            (None, None) => {
                return Err(Error::Unauthorized(
                    "the provider has neither keys nor a role".to_owned(),
                ));
            }
        };
        let older = auth_wit::provider(&authorization, provider.region()).map_err(
            |auth_wit::AuthError::Unauthorized(message)| {
                Error::from(auth::Error::from(
                    crate::wit::momento::aws_auth::aws_auth::AuthError::Unauthorized(message),
                ))
            },
        )?;
        Ok(LambdaClient {
            client: wit::Client::new(&older),
        })
    }

    /// Send `request` as it is.
    ///
    /// # Errors
    /// [`Error`] when Lambda refuses the call; a function that ran and failed is a response (see
    /// [`LambdaResponse::function_error`]).
    pub fn send(&self, request: InvokeRequest) -> Result<LambdaResponse, Error> {
        let output = self.client.invoke(&request.into_wit())?;
        let log_tail = output.log_result.map(|encoded| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(encoded.as_bytes())
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or(encoded)
        });
        Ok(LambdaResponse {
            status: output.status_code,
            payload: output.payload,
            log_tail,
            executed_version: output.executed_version,
        })
    }

    /// Invoke `function` with `payload` and wait for its result.
    ///
    /// # Errors
    /// As for [`send`](Self::send).
    pub fn invoke(
        &self,
        function: impl Into<String>,
        payload: impl Into<Vec<u8>>,
    ) -> Result<LambdaResponse, Error> {
        self.send(InvokeRequest::new(function).payload(payload))
    }

    /// Invoke `function` with `payload` as JSON and deserialize its JSON result.
    ///
    /// # Errors
    /// [`Error::FunctionFailed`] when the function failed, [`Error::SerializeJson`] /
    /// [`Error::DeserializeJson`] for payloads that do not convert, or an [`Error`] as for
    /// [`send`](Self::send).
    pub fn invoke_json<T: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        function: impl Into<String>,
        payload: &T,
    ) -> Result<R, Error> {
        let payload = serde_json::to_vec(payload).map_err(Error::SerializeJson)?;
        let response = self.invoke(function, payload)?;
        if let Some(failed) = response.function_error() {
            return Err(Error::FunctionFailed {
                error_type: failed.error_type,
                message: failed.message,
            });
        }
        response.json()
    }

    /// Queue an invocation of `function` with `payload` and return once Lambda accepted it.
    ///
    /// # Errors
    /// As for [`send`](Self::send).
    pub fn invoke_event(
        &self,
        function: impl Into<String>,
        payload: impl Into<Vec<u8>>,
    ) -> Result<(), Error> {
        self.send(InvokeRequest::new(function).payload(payload).event())
            .map(|_| ())
    }

    /// Check that invoking `function` would be allowed, without running it.
    ///
    /// # Errors
    /// As for [`send`](Self::send), e.g. [`Error::NotFound`].
    pub fn dry_run(&self, function: impl Into<String>) -> Result<(), Error> {
        self.send(InvokeRequest::new(function).dry_run())
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_pick_the_variant() {
        assert!(matches!(
            Error::from(wit::LambdaError::Other(
                "ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:1:function:x".into()
            )),
            Error::NotFound(_)
        ));
        assert!(matches!(
            Error::from(wit::LambdaError::Other(
                "TooManyRequestsException: Rate exceeded".into()
            )),
            Error::Throttled(_)
        ));
        assert!(matches!(
            Error::from(wit::LambdaError::Other("ServiceException: boom".into())),
            Error::Other(_)
        ));
        assert!(matches!(
            Error::from(wit::LambdaError::Unauthorized(
                "AccessDeniedException: no".into()
            )),
            Error::Unauthorized(_)
        ));
        assert!(matches!(
            Error::from(wit::LambdaError::Malformed(
                "InvalidRequestContentException: x".into()
            )),
            Error::Malformed(_)
        ));
    }

    #[test]
    fn requests_become_their_wit_form() {
        let request = InvokeRequest::new("f")
            .qualifier("live")
            .payload(b"{}".to_vec())
            .log_tail()
            .client_context("e30=")
            .into_wit();
        assert_eq!(request.function_name, "f");
        assert_eq!(request.qualifier.as_deref(), Some("live"));
        assert!(matches!(
            request.invocation_type,
            wit::InvocationType::RequestResponse(wit::InvokeSynchronousParameters {
                log_type: Some(wit::LogType::Tail),
                client_context: Some(ref c),
            }) if c == "e30="
        ));
        assert!(matches!(
            InvokeRequest::new("f")
                .event()
                .log_tail()
                .into_wit()
                .invocation_type,
            wit::InvocationType::Event
        ));
        assert!(matches!(
            InvokeRequest::new("f").dry_run().into_wit().invocation_type,
            wit::InvocationType::DryRun
        ));
    }

    #[test]
    fn function_errors_are_read_from_the_payload() {
        let failed = LambdaResponse {
            status: 200,
            payload: Some(br#"{"errorMessage":"bad size","errorType":"ValueError"}"#.to_vec()),
            log_tail: None,
            executed_version: Some("$LATEST".into()),
        };
        assert_eq!(
            failed.function_error(),
            Some(FunctionFailure {
                error_type: "ValueError".into(),
                message: "bad size".into()
            })
        );
        let ok = LambdaResponse {
            payload: Some(br#"{"url":"u"}"#.to_vec()),
            ..failed
        };
        assert_eq!(ok.function_error(), None);
        assert_eq!(ok.json::<serde_json::Value>().unwrap()["url"], "u");
    }
}
