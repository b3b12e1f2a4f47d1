//! AWS Secrets Manager: read a secret's current value.
//!
//! ```no_run
//! use momento_functions_host::aws::auth::AwsCredentialsProvider;
//! use momento_functions_host::aws::secrets::SecretsManagerClient;
//! use momento_functions_host::build_environment_aws_credentials;
//!
//! # fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = AwsCredentialsProvider::new("us-east-1", build_environment_aws_credentials!())?;
//! let secrets = SecretsManagerClient::new(&provider);
//! let api_key = secrets.get_secret_value("prod/payments/api-key")?;
//! let token = api_key.as_str().ok_or("the API key is binary")?;
//! # let _ = token;
//! # Ok(()) }
//! ```

use crate::aws::auth::AwsCredentialsProvider;
use crate::wit::momento::functions::aws_secrets as wit;

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

impl From<wit::SecretsError> for Error {
    fn from(error: wit::SecretsError) -> Self {
        match error {
            wit::SecretsError::NotFound(m) => Error::NotFound(m),
            wit::SecretsError::Unauthorized(m) => Error::Unauthorized(m),
            wit::SecretsError::Malformed(m) => Error::Malformed(m),
            wit::SecretsError::Throttled(m) => Error::Throttled(m),
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

    /// The current value of the secret `secret_id` (its name or ARN).
    ///
    /// # Errors
    /// See [`Error`]: `NotFound` when there is no such secret.
    pub fn get_secret_value(&self, secret_id: &str) -> Result<SecretValue, Error> {
        Ok(match self.client.get_secret_value(secret_id)? {
            wit::SecretValue::Text(text) => SecretValue::Text(text),
            wit::SecretValue::Binary(bytes) => SecretValue::Binary(bytes),
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
            Error::from(wit::SecretsError::NotFound("db".into())),
            Error::NotFound("db".into())
        );
    }
}
