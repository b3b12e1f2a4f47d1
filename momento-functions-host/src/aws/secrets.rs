//! AWS Secrets Manager: read a secret's value.
//!
//! ```no_run
//! use momento_functions_host::aws::auth::AwsCredentialsProvider;
//! use momento_functions_host::aws::secrets::{GetSecretValue, SecretsManagerClient};
//! use momento_functions_host::build_environment_aws_credentials;
//!
//! # fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = AwsCredentialsProvider::new("us-east-1", build_environment_aws_credentials!())?;
//! let secrets = SecretsManagerClient::new(&provider);
//! let api_key = secrets.get_secret_value("prod/payments/api-key")?;
//! let token = api_key.as_str().ok_or("the API key is binary")?;
//!
//! // A version by stage, and a copy at most five minutes old is good enough.
//! let previous = secrets.get_secret(
//!     GetSecretValue::new("prod/payments/api-key")
//!         .version_stage("AWSPREVIOUS")
//!         .allowed_staleness(std::time::Duration::from_secs(300)),
//! )?;
//! log::info!("{} version {} from {}", previous.name, previous.version_id, previous.created_date_epoch_seconds);
//! # let _ = token;
//! # Ok(()) }
//! ```

use crate::aws::auth::AwsCredentialsProvider;
use std::time::Duration;

use crate::wit::momento::aws_secrets::aws_secrets as wit;

/// Why a Secrets Manager call failed.
///
/// In a handler, `?` turns it into an error response: `NotFound` 404, `Unauthorized` 403, `Malformed`
/// 400, `Throttled` 429, `Other` 502.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No such secret (`ResourceNotFoundException`).
    #[error("secret not found: {0}")]
    NotFound(String),
    /// The credentials were refused or lack permission (`AccessDeniedException`).
    #[error("Secrets Manager refused the credentials: {0}")]
    Unauthorized(String),
    /// The request is not valid, e.g. an empty secret id (`InvalidParameterException`).
    #[error("malformed Secrets Manager request: {0}")]
    Malformed(String),
    /// Secrets Manager asked to slow down.
    #[error("Secrets Manager throttled the request: {0}")]
    Throttled(String),
    /// Anything else.
    #[error("Secrets Manager error: {0}")]
    Other(String),
}

impl Error {
    /// The error for a host error about `secret_id`. The published interface has no throttling
    /// variant: a message naming `ThrottlingException` becomes [`Error::Throttled`].
    fn from_wit(error: wit::SecretsError, secret_id: &str) -> Self {
        match error {
            wit::SecretsError::NotFound => Error::NotFound(format!(
                "ResourceNotFoundException: Secrets Manager can't find the specified secret `{secret_id}`"
            )),
            wit::SecretsError::Unauthorized(m) => Error::Unauthorized(m),
            wit::SecretsError::Malformed(m) => Error::Malformed(m),
            wit::SecretsError::Other(m) if m.contains("ThrottlingException") => Error::Throttled(m),
            wit::SecretsError::Other(m) => Error::Other(m),
        }
    }
}

/// A secret's value: Secrets Manager stores text (`SecretString`) or bytes (`SecretBinary`).
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretValue {
    /// A `SecretString`.
    Text(String),
    /// A `SecretBinary`.
    Binary(Vec<u8>),
}

impl SecretValue {
    /// The text of a `SecretString`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            SecretValue::Text(text) => Some(text),
            SecretValue::Binary(_) => None,
        }
    }

    /// The bytes, of either kind.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            SecretValue::Text(text) => text.as_bytes(),
            SecretValue::Binary(bytes) => bytes,
        }
    }

    /// Take the bytes, of either kind.
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            SecretValue::Text(text) => text.into_bytes(),
            SecretValue::Binary(bytes) => bytes,
        }
    }

    /// Parse the value as JSON (secrets often hold `{"username": ..., "password": ...}`).
    ///
    /// # Errors
    /// When the value is not JSON of type `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(self.as_bytes())
    }
}

impl std::fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretValue::Text(text) => write!(f, "Text(<{} bytes redacted>)", text.len()),
            SecretValue::Binary(bytes) => write!(f, "Binary(<{} bytes redacted>)", bytes.len()),
        }
    }
}

/// Which secret value [`SecretsManagerClient::get_secret`] reads: a secret by name or ARN, optionally a
/// version by id or stage, and how old a copy the host may answer from.
///
/// ```
/// use std::time::Duration;
/// use momento_functions_host::aws::secrets::GetSecretValue;
///
/// let request = GetSecretValue::new("db/password")
///     .version_stage("AWSCURRENT")
///     .allowed_staleness(Duration::from_secs(60));
/// # let _ = request;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetSecretValue {
    secret_id: String,
    version_id: Option<String>,
    version_stage: Option<String>,
    allowed_staleness: Duration,
}

impl GetSecretValue {
    /// The current version of the secret `secret_id` (its name or ARN), fresh from Secrets Manager.
    pub fn new(secret_id: impl Into<String>) -> Self {
        GetSecretValue {
            secret_id: secret_id.into(),
            version_id: None,
            version_stage: None,
            allowed_staleness: Duration::ZERO,
        }
    }

    /// The version with this id instead of the current one.
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.version_id = Some(version_id.into());
        self
    }

    /// The version with this staging label (e.g. `AWSPREVIOUS`) instead of `AWSCURRENT`.
    pub fn version_stage(mut self, version_stage: impl Into<String>) -> Self {
        self.version_stage = Some(version_stage.into());
        self
    }

    /// Let the host answer from a copy up to `staleness` old (whole seconds, rounded down), sparing a
    /// call to Secrets Manager. The default is zero: always fresh.
    pub fn allowed_staleness(mut self, staleness: Duration) -> Self {
        self.allowed_staleness = staleness;
        self
    }

    /// The secret asked for.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    fn to_wit(&self) -> wit::GetSecretValueRequest {
        wit::GetSecretValueRequest {
            secret_id: self.secret_id.clone(),
            version_id: self.version_id.clone(),
            version_stage: self.version_stage.clone(),
            allowed_staleness_seconds: self.allowed_staleness.as_secs(),
        }
    }
}

impl From<&str> for GetSecretValue {
    fn from(secret_id: &str) -> Self {
        GetSecretValue::new(secret_id)
    }
}

impl From<String> for GetSecretValue {
    fn from(secret_id: String) -> Self {
        GetSecretValue::new(secret_id)
    }
}

/// A secret version as Secrets Manager returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Secret {
    /// The secret's ARN.
    pub arn: String,
    /// The secret's name.
    pub name: String,
    /// The value (`Debug` never shows it).
    pub value: SecretValue,
    /// The version's id.
    pub version_id: String,
    /// The version's staging labels (e.g. `AWSCURRENT`).
    pub version_stages: Vec<String>,
    /// When the version was created, in seconds since the Unix epoch.
    pub created_date_epoch_seconds: u64,
}

/// A Secrets Manager client for one provider's credentials and region.
#[derive(Debug)]
pub struct SecretsManagerClient {
    client: wit::Client,
}

impl SecretsManagerClient {
    /// A client using `provider`'s credentials and region. The provider may be dropped afterwards.
    pub fn new(provider: &AwsCredentialsProvider) -> Self {
        SecretsManagerClient {
            client: wit::Client::new(&provider.inner),
        }
    }

    /// The current value of the secret `secret_id` (its name or ARN), fresh from Secrets Manager.
    ///
    /// # Errors
    /// See [`Error`]: `NotFound` when there is no such secret.
    pub fn get_secret_value(&self, secret_id: &str) -> Result<SecretValue, Error> {
        Ok(self.get_secret(GetSecretValue::new(secret_id))?.value)
    }

    /// The secret version `request` names, with its metadata.
    ///
    /// # Errors
    /// See [`Error`]: `NotFound` when there is no such secret or version.
    pub fn get_secret(&self, request: impl Into<GetSecretValue>) -> Result<Secret, Error> {
        let request = request.into();
        let response = self
            .client
            .get_secret_value(&request.to_wit())
            .map_err(|e| Error::from_wit(e, request.secret_id()))?;
        Ok(Secret {
            arn: response.arn,
            name: response.name,
            value: match response.secret {
                wit::SecretValue::SecretString(text) => SecretValue::Text(text),
                wit::SecretValue::SecretBytes(bytes) => SecretValue::Binary(bytes),
            },
            version_id: response.version_id,
            version_stages: response.version_stages,
            created_date_epoch_seconds: response.created_date_epoch_seconds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_text_bytes_or_json() {
        let text = SecretValue::Text(r#"{"user":"app"}"#.into());
        assert_eq!(text.as_str(), Some(r#"{"user":"app"}"#));
        let parsed: serde_json::Value = text.json().expect("must succeed");
        assert_eq!(parsed["user"], "app");
        let binary = SecretValue::Binary(vec![1, 2]);
        assert_eq!(binary.as_str(), None);
        assert_eq!(binary.as_bytes(), &[1, 2]);
        assert_eq!(binary.clone().into_bytes(), vec![1, 2]);
        assert_eq!(format!("{binary:?}"), "Binary(<2 bytes redacted>)");
        assert!(!format!("{text:?}").contains("app"));
    }

    #[test]
    fn wit_errors_keep_kind_and_message() {
        assert_eq!(
            Error::from_wit(wit::SecretsError::NotFound, "db"),
            Error::NotFound(
                "ResourceNotFoundException: Secrets Manager can't find the specified secret `db`"
                    .into()
            )
        );
        assert_eq!(
            Error::from_wit(
                wit::SecretsError::Other("ThrottlingException: slow".into()),
                "db"
            ),
            Error::Throttled("ThrottlingException: slow".into())
        );
        assert_eq!(
            Error::from_wit(wit::SecretsError::Malformed("m".into()), "db"),
            Error::Malformed("m".into())
        );
    }

    #[test]
    fn requests_carry_version_and_staleness() {
        let request = GetSecretValue::new("s")
            .version_id("v1")
            .version_stage("AWSPREVIOUS")
            .allowed_staleness(Duration::from_millis(2500))
            .to_wit();
        assert_eq!(request.secret_id, "s");
        assert_eq!(request.version_id.as_deref(), Some("v1"));
        assert_eq!(request.version_stage.as_deref(), Some("AWSPREVIOUS"));
        assert_eq!(request.allowed_staleness_seconds, 2);
        let plain = GetSecretValue::from("s").to_wit();
        assert_eq!(
            (
                plain.version_id,
                plain.version_stage,
                plain.allowed_staleness_seconds
            ),
            (None, None, 0)
        );
    }
}
