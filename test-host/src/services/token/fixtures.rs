//! The tokens' fixtures section: `[tokens]` (the endpoint) and `[[tokens.faults]]`, parsed and validated.

use serde::Deserialize;

use super::TokenError;
use crate::fixtures::{Check, FixtureError};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTokens {
    endpoint: Option<String>,
    #[serde(default)]
    faults: Vec<RawTokenFault>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ErrorKind {
    InvalidArgument,
    PermissionDenied,
    LimitExceeded,
    Internal,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTokenFault {
    error: ErrorKind,
    message: Option<String>,
    times: Option<usize>,
}

/// The validated `[tokens]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TokenFixtures {
    pub(crate) endpoint: Option<String>,
    pub(crate) faults: Vec<(TokenError, Option<usize>)>,
}

/// Validate `[tokens]`.
pub(crate) fn validate(check: &Check<'_>, raw: RawTokens) -> Result<TokenFixtures, FixtureError> {
    if raw.endpoint.as_deref() == Some("") {
        return Err(check.invalid("tokens.endpoint", "must not be empty"));
    }
    let faults = raw
        .faults
        .into_iter()
        .map(|fault| {
            let message = fault
                .message
                .unwrap_or_else(|| "injected by the test host's fixtures".to_owned());
            let error = match fault.error {
                ErrorKind::InvalidArgument => TokenError::InvalidArgument(message),
                ErrorKind::PermissionDenied => TokenError::PermissionDenied(message),
                ErrorKind::LimitExceeded => TokenError::LimitExceeded(message),
                ErrorKind::Internal => TokenError::Internal(message),
            };
            (error, fault.times)
        })
        .collect();
    Ok(TokenFixtures {
        endpoint: raw.endpoint,
        faults,
    })
}
