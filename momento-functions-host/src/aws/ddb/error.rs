//! The one error type of the DynamoDB client.

use crate::wit::momento::aws_ddb::aws_ddb as wit;

use super::convert::ItemError;

/// Why a DynamoDB call failed. A missing item is not an error: reads return `Ok(None)`.
///
/// In a handler, `?` turns it into an error response: `NotFound` 404, `ConditionFailed` 409,
/// `Unauthorized` 403, `Malformed` 400, `Throttled` 429, `Other` 502, the conversion errors 500.
///
/// ```
/// use momento_functions_host::aws::ddb::Error;
///
/// fn created(result: Result<(), Error>) -> Result<bool, Error> {
///     match result {
///         Ok(()) => Ok(true),
///         Err(Error::ConditionFailed(_)) => Ok(false), // it already existed
///         Err(other) => Err(other),
///     }
/// }
/// assert_eq!(created(Err(Error::ConditionFailed("exists".into()))).unwrap(), false);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The table does not exist (`ResourceNotFoundException`).
    #[error("DynamoDB table not found: {0}")]
    NotFound(String),
    /// The condition of a conditional write did not hold (`ConditionalCheckFailedException`).
    #[error("DynamoDB condition failed: {0}")]
    ConditionFailed(String),
    /// The credentials were refused or lack permission.
    #[error("DynamoDB refused the credentials: {0}")]
    Unauthorized(String),
    /// The request is not valid, e.g. a key that does not match the table's schema (`ValidationException`).
    #[error("malformed DynamoDB request: {0}")]
    Malformed(String),
    /// DynamoDB asked to slow down.
    #[error("DynamoDB throttled the request: {0}")]
    Throttled(String),
    /// Anything else.
    #[error("DynamoDB error: {0}")]
    Other(String),
    /// A stored item does not fit the requested type.
    #[error("a stored item does not fit the requested type: {0}")]
    Deserialize(#[source] ItemError),
    /// A value could not become an item (it is not a struct or map).
    #[error("the value cannot be stored as a DynamoDB item: {0}")]
    Serialize(#[source] ItemError),
}

/// DynamoDB's error codes (the part of `__type` after `#`) and the variant each becomes.
fn kind_of_code(code: &str) -> fn(String) -> Error {
    match code {
        "ConditionalCheckFailedException" | "TransactionConflictException" => {
            Error::ConditionFailed
        }
        "ResourceNotFoundException" => Error::NotFound,
        "AccessDeniedException"
        | "UnrecognizedClientException"
        | "MissingAuthenticationTokenException"
        | "InvalidSignatureException"
        | "ExpiredTokenException"
        | "IncompleteSignatureException" => Error::Unauthorized,
        "ValidationException" | "SerializationException" => Error::Malformed,
        "ProvisionedThroughputExceededException"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "LimitExceededException" => Error::Throttled,
        _ => Error::Other,
    }
}

/// The codes that make a host's `malformed` or `other` message more precise.
const REFINING_CODES: &[&str] = &[
    "ConditionalCheckFailedException",
    "ResourceNotFoundException",
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
];

impl From<wit::DdbError> for Error {
    /// The published interface has three variants; a message naming one of DynamoDB's error codes
    /// (e.g. `ConditionalCheckFailedException: The conditional request failed`) gets that code's
    /// variant.
    fn from(error: wit::DdbError) -> Self {
        let (message, default): (String, fn(String) -> Error) = match error {
            wit::DdbError::Unauthorized(m) => return Error::Unauthorized(m),
            wit::DdbError::Malformed(m) => (m, Error::Malformed),
            wit::DdbError::Other(m) => (m, Error::Other),
        };
        match REFINING_CODES.iter().find(|code| message.contains(*code)) {
            Some(code) => kind_of_code(code)(message),
            None => default(message),
        }
    }
}

/// The error DynamoDB's HTTP API answered with: `{"__type": "...#Code", "message": "..."}` and a 4xx or
/// 5xx status. The message is `Code: message`.
pub(crate) fn from_http(status: u16, body: &[u8]) -> Error {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(rename = "__type")]
        kind: Option<String>,
        #[serde(alias = "Message")]
        message: Option<String>,
    }
    match serde_json::from_slice::<Body>(body) {
        Ok(Body {
            kind: Some(kind),
            message,
        }) => {
            let code = kind.rsplit('#').next().unwrap_or(&kind).to_owned();
            let text = match message {
                Some(message) => format!("{code}: {message}"),
                None => code.clone(),
            };
            kind_of_code(&code)(text)
        }
        _ => {
            let text = format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(256)])
            );
            if status == 403 {
                Error::Unauthorized(text)
            } else {
                Error::Other(text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wit_errors_keep_kind_and_message() {
        assert_eq!(
            Error::from(wit::DdbError::Other(
                "ConditionalCheckFailedException: The conditional request failed".into()
            )),
            Error::ConditionFailed(
                "ConditionalCheckFailedException: The conditional request failed".into()
            )
        );
        assert_eq!(
            Error::from(wit::DdbError::Malformed("bad key".into())).to_string(),
            "malformed DynamoDB request: bad key"
        );
        for (wit, expected) in [
            (
                wit::DdbError::Other("ResourceNotFoundException: t".into()),
                "DynamoDB table not found: ResourceNotFoundException: t",
            ),
            (
                wit::DdbError::Unauthorized("u".into()),
                "DynamoDB refused the credentials: u",
            ),
            (
                wit::DdbError::Other("ThrottlingException: s".into()),
                "DynamoDB throttled the request: ThrottlingException: s",
            ),
            (wit::DdbError::Other("o".into()), "DynamoDB error: o"),
        ] {
            assert_eq!(Error::from(wit).to_string(), expected);
        }
    }

    #[test]
    fn http_errors_are_classified_by_their_type() {
        let body = br#"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}"#;
        assert_eq!(
            from_http(400, body),
            Error::ConditionFailed(
                "ConditionalCheckFailedException: The conditional request failed".into()
            )
        );
        let body = br#"{"__type":"com.amazon.coral.validate#ValidationException","Message":"bad"}"#;
        assert_eq!(
            from_http(400, body),
            Error::Malformed("ValidationException: bad".into())
        );
        assert_eq!(
            from_http(400, br#"{"__type":"x#AccessDeniedException"}"#),
            Error::Unauthorized("AccessDeniedException".into())
        );
        assert_eq!(
            from_http(500, b"oops"),
            Error::Other("HTTP 500: oops".into())
        );
        assert!(matches!(from_http(403, b""), Error::Unauthorized(_)));
        assert!(matches!(
            from_http(
                400,
                br#"{"__type":"x#ProvisionedThroughputExceededException"}"#
            ),
            Error::Throttled(_)
        ));
        assert!(matches!(
            from_http(400, br#"{"__type":"x#ResourceNotFoundException"}"#),
            Error::NotFound(_)
        ));
    }
}
