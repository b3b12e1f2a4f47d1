//! The `aws-secrets` interface: Secrets Manager secrets, found by name or ARN.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::json;
use wasmtime::component::Resource;

use super::aws::{AwsError, AwsErrorKind, AwsService, AwsSession, SeedError};
use crate::bindings::host::aws_secrets::{Host, HostClient, SecretValue, SecretsError};
use crate::state::HostState;

/// Longest secret id (name or ARN) Secrets Manager accepts.
const MAX_SECRET_ID: usize = 2048;

/// A secret's value in the test host: text (`SecretString`) or bytes (`SecretBinary`).
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// A `SecretString`.
    Text(String),
    /// A `SecretBinary`.
    Binary(Vec<u8>),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Text(t) => write!(f, "Text(<{} bytes>)", t.len()),
            Secret::Binary(b) => write!(f, "Binary(<{} bytes>)", b.len()),
        }
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Self {
        Secret::Text(text.to_owned())
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Self {
        Secret::Text(text)
    }
}

impl From<Vec<u8>> for Secret {
    fn from(bytes: Vec<u8>) -> Self {
        Secret::Binary(bytes)
    }
}

/// Secrets Manager's name rules: 1 to 512 characters of letters, digits and `/_+=.@-`.
pub(crate) fn validate_secret_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 512 {
        return Err(format!(
            "a secret name has 1 to 512 characters, not {}",
            name.len()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "/_+=.@-".contains(*c)))
    {
        return Err(format!(
            "the secret name `{name}` contains `{bad}` (letters, digits and /_+=.@- only)"
        ));
    }
    Ok(())
}

/// The name an id refers to: the id itself, or the name inside a secret ARN
/// (`arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>`).
fn candidates(id: &str) -> Vec<&str> {
    match id.split_once(":secret:") {
        Some((prefix, name))
            if prefix.starts_with("arn:") && prefix.contains(":secretsmanager:") =>
        {
            let mut names = vec![name];
            if let Some((base, suffix)) = name.rsplit_once('-')
                && suffix.len() == 6
            {
                names.push(base);
            }
            names
        }
        _ => vec![id],
    }
}

/// The secrets of one host (read-only: functions only read secrets).
#[derive(Debug, Default)]
pub(crate) struct SecretStore {
    secrets: HashMap<String, Secret>,
}

impl SecretStore {
    /// Validate the seeded secrets; the error names the secret.
    pub(crate) fn new(seeds: &[(String, Secret)]) -> Result<SecretStore, SeedError> {
        let mut secrets = HashMap::new();
        for (name, value) in seeds {
            let error = |message: String| SeedError {
                field: format!("secret `{name}`"),
                message,
            };
            validate_secret_name(name).map_err(error)?;
            if secrets.insert(name.clone(), value.clone()).is_some() {
                return Err(error("the secret is declared twice".into()));
            }
        }
        Ok(SecretStore { secrets })
    }

    fn get(&self, id: &str) -> Result<Secret, AwsError> {
        if id.is_empty() || id.len() > MAX_SECRET_ID {
            return Err(AwsError::new(
                AwsErrorKind::Malformed,
                "InvalidParameterException",
                format!("The secret id must have 1 to {MAX_SECRET_ID} characters"),
            ));
        }
        candidates(id)
            .into_iter()
            .find_map(|name| self.secrets.get(name))
            .cloned()
            .ok_or_else(|| {
                AwsError::new(
                    AwsErrorKind::NotFound,
                    "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret.",
                )
            })
    }
}

fn to_wit(error: AwsError) -> SecretsError {
    let message = error.wire_message();
    match error.kind {
        AwsErrorKind::NotFound => SecretsError::NotFound(message),
        AwsErrorKind::Unauthorized => SecretsError::Unauthorized(message),
        AwsErrorKind::Malformed => SecretsError::Malformed(message),
        AwsErrorKind::Throttled => SecretsError::Throttled(message),
        _ => SecretsError::Other(message),
    }
}

/// The `client` resource of `aws-secrets`.
#[derive(Debug)]
#[allow(
    unreachable_pub,
    reason = "bindgen re-exports resource types with `pub use`"
)]
pub struct SecretsClient {
    session: Arc<AwsSession>,
}

impl Host for HostState {}

impl HostClient for HostState {
    fn new(
        &mut self,
        provider: Resource<crate::services::aws::CredentialsProvider>,
    ) -> wasmtime::Result<Resource<SecretsClient>> {
        self.host_call("aws-secrets")?;
        let session = Arc::clone(&self.table().get(&provider)?.session);
        Ok(self.table().push(SecretsClient { session })?)
    }

    fn get_secret_value(
        &mut self,
        client: Resource<SecretsClient>,
        secret_id: String,
    ) -> wasmtime::Result<Result<SecretValue, SecretsError>> {
        self.host_call("aws-secrets")?;
        let session = Arc::clone(&self.table().get(&client)?.session);
        let aws = &self.services.aws;
        let info = session.call_info(
            AwsService::SecretsManager,
            "GetSecretValue",
            &secret_id,
            json!({"secret_id": secret_id}),
            &self.invocation_id,
        );
        Ok(aws
            .call(&session, info, || aws.secrets.get(&secret_id))
            .map(|secret| match secret {
                Secret::Text(text) => SecretValue::Text(text),
                Secret::Binary(bytes) => SecretValue::Binary(bytes),
            })
            .map_err(to_wit))
    }

    fn drop(&mut self, client: Resource<SecretsClient>) -> wasmtime::Result<()> {
        self.table().delete(client)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_found_by_name_or_arn() {
        let store = SecretStore::new(&[("prod/db".into(), Secret::from("pw"))]).expect("valid");
        assert_eq!(store.get("prod/db"), Ok(Secret::from("pw")));
        assert!(
            store
                .get("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf")
                .is_ok()
        );
        assert!(
            store
                .get("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db")
                .is_ok()
        );
        assert_eq!(
            store.get("prod/other").expect_err("missing").kind,
            AwsErrorKind::NotFound
        );
        assert_eq!(
            store.get("").expect_err("empty").kind,
            AwsErrorKind::Malformed
        );
    }

    #[test]
    fn seeds_are_validated() {
        let error = SecretStore::new(&[("bad name".into(), Secret::from("x"))]).expect_err("space");
        assert_eq!(error.field, "secret `bad name`");
        assert!(error.message.contains("contains ` `"), "{}", error.message);
        assert!(
            SecretStore::new(&[
                ("a".into(), Secret::from("x")),
                ("a".into(), Secret::from(vec![1]))
            ])
            .is_err()
        );
    }
}
