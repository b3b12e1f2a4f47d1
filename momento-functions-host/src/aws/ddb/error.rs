//! The one error type of the DynamoDB client.

use crate::wit::momento::functions::aws_ddb as wit;

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

impl From<wit::DdbError> for Error {
    fn from(error: wit::DdbError) -> Self {
        match error {
            wit::DdbError::NotFound(m) => Error::NotFound(m),
            wit::DdbError::ConditionFailed(m) => Error::ConditionFailed(m),
            wit::DdbError::Unauthorized(m) => Error::Unauthorized(m),
            wit::DdbError::Malformed(m) => Error::Malformed(m),
            wit::DdbError::Throttled(m) => Error::Throttled(m),
            wit::DdbError::Other(m) => Error::Other(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wit_errors_keep_kind_and_message() {
        assert_eq!(
            Error::from(wit::DdbError::ConditionFailed(
                "The conditional request failed".into()
            )),
            Error::ConditionFailed("The conditional request failed".into())
        );
        assert_eq!(
            Error::from(wit::DdbError::Malformed("bad key".into())).to_string(),
            "malformed DynamoDB request: bad key"
        );
        for (wit, expected) in [
            (
                wit::DdbError::NotFound("t".into()),
                "DynamoDB table not found: t",
            ),
            (
                wit::DdbError::Unauthorized("u".into()),
                "DynamoDB refused the credentials: u",
            ),
            (
                wit::DdbError::Throttled("s".into()),
                "DynamoDB throttled the request: s",
            ),
            (wit::DdbError::Other("o".into()), "DynamoDB error: o"),
        ] {
            assert_eq!(Error::from(wit).to_string(), expected);
        }
    }
}
