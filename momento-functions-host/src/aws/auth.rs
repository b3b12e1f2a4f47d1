//! AWS credentials: an [`AwsCredentialsProvider`] authenticates for one region, and the service clients
//! borrow it.
//!
//! ```no_run
//! use momento_functions_host::aws::auth::{Authorization, AwsCredentialsProvider, Credentials};
//! use momento_functions_host::build_environment_aws_credentials;
//!
//! # fn f() -> Result<(), momento_functions_host::aws::auth::Error> {
//! // Keys read from the build environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) at compile time:
//! let provider = AwsCredentialsProvider::new("us-east-1", build_environment_aws_credentials!())?;
//! // A role the host assumes on the function's behalf:
//! let provider = AwsCredentialsProvider::new(
//!     "eu-west-1",
//!     Authorization::federated("arn:aws:iam::123456789012:role/orders-reader"),
//! )?;
//! // Keys from anywhere else:
//! let provider = AwsCredentialsProvider::new("us-east-1", Credentials::new("AKIAEXAMPLE", "secret"))?;
//! # Ok(()) }
//! ```

use std::fmt;

use crate::wit::momento::aws_auth::aws_auth as wit;
use crate::wit::momento::http1_1_0::http::{self, Authorization as HttpAuthorization};

/// Why no [`AwsCredentialsProvider`] could be made.
///
/// The published `aws-auth` interface has one error variant, `unauthorized`; a message that starts with
/// one of STS's error codes for a bad request (`ValidationError: ...`) or for throttling
/// (`Throttling: ...`) gets the more precise variant.
///
/// In a handler, `?` turns it into an error response: `Unauthorized` 403, `Malformed` 400, `Throttled`
/// 429.
///
/// ```
/// use momento_functions_host::aws::auth::Error;
///
/// let error = Error::Unauthorized("the role cannot be assumed".into());
/// assert_eq!(error.to_string(), "AWS refused the credentials: the role cannot be assumed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The credentials or the role were refused, or the function was built without the credentials
    /// [`build_environment_aws_credentials!`](crate::build_environment_aws_credentials) reads.
    #[error("AWS refused the credentials: {0}")]
    Unauthorized(String),
    /// The region, credentials or role ARN are not well formed (`ValidationError`).
    #[error("malformed AWS credentials request: {0}")]
    Malformed(String),
    /// AWS asked to slow down (`Throttling`).
    #[error("AWS throttled the credentials request: {0}")]
    Throttled(String),
}

impl From<wit::AuthError> for Error {
    fn from(error: wit::AuthError) -> Self {
        let wit::AuthError::Unauthorized(message) = error;
        let code = message
            .split_once(':')
            .map(|(code, _)| code.trim())
            .unwrap_or_default();
        match code {
            "ValidationError" | "MalformedPolicyDocument" | "InvalidParameterValue" => {
                Error::Malformed(message)
            }
            "Throttling" | "ThrottlingException" | "RequestLimitExceeded" => {
                Error::Throttled(message)
            }
            _ => Error::Unauthorized(message),
        }
    }
}

/// An AWS access key pair. `Debug` shows the access key id, never the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
}

impl Credentials {
    /// An access key pair.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
        }
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// How the host authenticates to AWS on the function's behalf: hard-coded keys or a federated IAM role.
///
/// Built with [`Authorization::hardcoded`] (or `From<Credentials>`), [`Authorization::federated`], or the
/// [`build_environment_aws_credentials!`](crate::build_environment_aws_credentials) macro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization(Kind);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Hardcoded(Credentials),
    Federated(String),
    /// `build_environment_aws_credentials!` found these variables unset (or empty) at build time.
    MissingAtBuild(Vec<String>),
}

impl Authorization {
    /// Sign with this access key pair.
    pub fn hardcoded(credentials: Credentials) -> Self {
        Authorization(Kind::Hardcoded(credentials))
    }

    /// Assume the IAM role `role_arn` (`arn:aws:iam::<account>:role/<name>`); the host federates.
    pub fn federated(role_arn: impl Into<String>) -> Self {
        Authorization(Kind::Federated(role_arn.into()))
    }

    /// What the macro expands to. Not public API.
    #[doc(hidden)]
    pub fn __from_build_environment(
        prefix: &str,
        access_key_id: Option<&str>,
        secret_access_key: Option<&str>,
    ) -> Self {
        fn present(value: Option<&str>) -> Option<&str> {
            value.filter(|v| !v.is_empty())
        }
        match (present(access_key_id), present(secret_access_key)) {
            (Some(id), Some(secret)) => Authorization::hardcoded(Credentials::new(id, secret)),
            (id, secret) => {
                let mut missing = Vec::new();
                if id.is_none() {
                    missing.push(format!("{prefix}AWS_ACCESS_KEY_ID"));
                }
                if secret.is_none() {
                    missing.push(format!("{prefix}AWS_SECRET_ACCESS_KEY"));
                }
                Authorization(Kind::MissingAtBuild(missing))
            }
        }
    }

    /// The access key id of hard-coded credentials.
    pub fn access_key_id(&self) -> Option<&str> {
        match &self.0 {
            Kind::Hardcoded(credentials) => Some(credentials.access_key_id()),
            _ => None,
        }
    }

    /// The role ARN of a federated authorization.
    pub fn role_arn(&self) -> Option<&str> {
        match &self.0 {
            Kind::Federated(arn) => Some(arn),
            _ => None,
        }
    }

    /// The hard-coded credentials, if that is what this is.
    pub fn credentials(&self) -> Option<&Credentials> {
        match &self.0 {
            Kind::Hardcoded(credentials) => Some(credentials),
            _ => None,
        }
    }

    /// Why this authorization cannot be used, for one built by
    /// [`build_environment_aws_credentials!`](crate::build_environment_aws_credentials) without the
    /// variables it reads.
    fn missing_at_build(missing: &[String]) -> Error {
        Error::Unauthorized(format!(
            "the function was built without {}: set {} when running `cargo build` \
             (build_environment_aws_credentials! reads them at compile time)",
            missing.join(" and "),
            if missing.len() == 1 { "it" } else { "them" },
        ))
    }

    fn to_wit(&self) -> Result<wit::Authorization, Error> {
        match &self.0 {
            Kind::Hardcoded(c) => Ok(wit::Authorization::Hardcoded(wit::Credentials {
                access_key_id: c.access_key_id.clone(),
                secret_access_key: c.secret_access_key.clone(),
            })),
            Kind::Federated(arn) => Ok(wit::Authorization::Federated(wit::IamRole {
                role_arn: arn.clone(),
            })),
            Kind::MissingAtBuild(missing) => Err(Self::missing_at_build(missing)),
        }
    }

    /// The `momento:http` authorization that signs a request like this for `service` in `region`.
    pub(crate) fn http_signing(
        &self,
        region: &str,
        service: &str,
    ) -> Result<HttpAuthorization, Error> {
        match &self.0 {
            Kind::Hardcoded(c) => Ok(HttpAuthorization::AwsSigv4Secret(http::AwsSigv4Secret {
                access_key_id: c.access_key_id.clone(),
                secret_access_key: c.secret_access_key.clone(),
                region: region.to_owned(),
                service: service.to_owned(),
            })),
            Kind::Federated(arn) => Ok(HttpAuthorization::Federated(http::IamRole {
                role_arn: arn.clone(),
                service: service.to_owned(),
            })),
            Kind::MissingAtBuild(missing) => Err(Self::missing_at_build(missing)),
        }
    }
}

impl From<Credentials> for Authorization {
    fn from(credentials: Credentials) -> Self {
        Authorization::hardcoded(credentials)
    }
}

/// AWS credentials baked into the function at **build** time, as an [`Authorization`].
///
/// `build_environment_aws_credentials!()` reads `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` from the
/// environment of `cargo build`; `build_environment_aws_credentials!("PREFIX_")` reads
/// `PREFIX_AWS_ACCESS_KEY_ID` and `PREFIX_AWS_SECRET_ACCESS_KEY`. The keys end up in the `.wasm` file:
/// prefer a federated role where you can.
///
/// A build without the variables (or with empty ones) still compiles, so that `cargo test` and `cargo check`
/// work anywhere; [`AwsCredentialsProvider::new`] then fails with [`Error::Unauthorized`] naming the missing
/// variables. Cargo rebuilds the function when the variables change.
///
/// ```no_run
/// use momento_functions_host::aws::auth::AwsCredentialsProvider;
/// use momento_functions_host::build_environment_aws_credentials;
///
/// # fn f() -> Result<(), momento_functions_host::aws::auth::Error> {
/// let default = AwsCredentialsProvider::new("us-east-1", build_environment_aws_credentials!())?;
/// let reports = AwsCredentialsProvider::new("us-east-1", build_environment_aws_credentials!("REPORTS_"))?;
/// # Ok(()) }
/// ```
#[macro_export]
macro_rules! build_environment_aws_credentials {
    () => {
        $crate::build_environment_aws_credentials!("")
    };
    ($prefix:literal) => {
        $crate::aws::auth::Authorization::__from_build_environment(
            $prefix,
            ::core::option_env!(::core::concat!($prefix, "AWS_ACCESS_KEY_ID")),
            ::core::option_env!(::core::concat!($prefix, "AWS_SECRET_ACCESS_KEY")),
        )
    };
}

/// Authenticated access to AWS in one region. Create one per invocation and pass it to the clients
/// (`DynamoDBClient::new(&provider)`); the host keeps the authenticated AWS clients hot.
///
/// It remembers how it was made (its [`Authorization`] and region): the operations the platform's AWS
/// interfaces lack (DynamoDB DeleteItem and Query, S3 DeleteObject and ListObjectsV2) are sent as HTTP
/// requests that the host signs with the same credentials, and the `momento-functions-http` client can
/// sign with them too.
#[derive(Debug)]
pub struct AwsCredentialsProvider {
    pub(crate) inner: wit::CredentialsProvider,
    authorization: Authorization,
    region: String,
}

impl AwsCredentialsProvider {
    /// Authenticate for `region` (e.g. `"us-east-1"`).
    ///
    /// # Errors
    /// [`Error::Unauthorized`] when the host refuses the credentials or the role, or the function was
    /// built without the credentials
    /// [`build_environment_aws_credentials!`](crate::build_environment_aws_credentials) reads. Hard-coded
    /// keys may only be checked by AWS on each call, failing the clients' calls with their `Unauthorized`.
    pub fn new(
        region: impl Into<String>,
        authorization: impl Into<Authorization>,
    ) -> Result<Self, Error> {
        let region = region.into();
        let authorization = authorization.into();
        let inner = wit::provider(&authorization.to_wit()?, &region)?;
        Ok(AwsCredentialsProvider {
            inner,
            authorization,
            region,
        })
    }

    /// The region this provider authenticates for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// How this provider authenticates: hard-coded keys or a federated role.
    pub fn authorization(&self) -> &Authorization {
        &self.authorization
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_macro_reads_prefixed_variables_and_reports_missing_ones() {
        let authorization = crate::build_environment_aws_credentials!("MFH_TEST_SURELY_UNSET_");
        let Err(Error::Unauthorized(message)) = authorization.to_wit() else {
            panic!("an unset build environment is unauthorized");
        };
        assert!(
            message.contains(
                "built without MFH_TEST_SURELY_UNSET_AWS_ACCESS_KEY_ID and MFH_TEST_SURELY_UNSET_AWS_SECRET_ACCESS_KEY"
            ),
            "{message}"
        );
    }

    #[test]
    fn build_environment_values_become_credentials() {
        let both = Authorization::__from_build_environment("", Some("AKID"), Some("secret"));
        assert_eq!(both.access_key_id(), Some("AKID"));
        let empty = Authorization::__from_build_environment("X_", Some("AKID"), Some(""));
        let Err(Error::Unauthorized(message)) = empty.to_wit() else {
            panic!("an empty secret is missing");
        };
        assert!(
            message.contains("without X_AWS_SECRET_ACCESS_KEY:"),
            "{message}"
        );
        assert!(!message.contains("X_AWS_ACCESS_KEY_ID"), "{message}");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let shown = format!(
            "{:?}",
            Authorization::from(Credentials::new("AKID", "hunter2"))
        );
        assert!(
            shown.contains("AKID") && !shown.contains("hunter2"),
            "{shown}"
        );
    }

    #[test]
    fn federated_keeps_the_role() {
        let role = Authorization::federated("arn:aws:iam::123456789012:role/r");
        assert_eq!(role.role_arn(), Some("arn:aws:iam::123456789012:role/r"));
        assert_eq!(role.access_key_id(), None);
    }

    #[test]
    fn wit_errors_keep_kind_and_message() {
        assert_eq!(
            Error::from(wit::AuthError::Unauthorized("no".into())),
            Error::Unauthorized("no".into())
        );
        assert_eq!(
            Error::from(wit::AuthError::Unauthorized(
                "ValidationError: `mars-north` is not an AWS region".into()
            )),
            Error::Malformed("ValidationError: `mars-north` is not an AWS region".into())
        );
        assert_eq!(
            Error::from(wit::AuthError::Unauthorized(
                "Throttling: Rate exceeded".into()
            )),
            Error::Throttled("Throttling: Rate exceeded".into())
        );
        assert_eq!(
            Error::from(wit::AuthError::Unauthorized(
                "AccessDenied: not allowed: sts:AssumeRole".into()
            )),
            Error::Unauthorized("AccessDenied: not allowed: sts:AssumeRole".into())
        );
        assert_eq!(
            Error::Unauthorized("no".into()).to_string(),
            "AWS refused the credentials: no"
        );
    }

    #[test]
    fn keys_and_roles_become_their_wit_variants() {
        let keys = Authorization::from(Credentials::new("AKID", "s"));
        assert!(matches!(
            keys.to_wit(),
            Ok(wit::Authorization::Hardcoded(c)) if c.access_key_id == "AKID" && c.secret_access_key == "s"
        ));
        assert_eq!(
            keys.credentials().map(Credentials::secret_access_key),
            Some("s")
        );
        let role = Authorization::federated("arn:aws:iam::1:role/r");
        assert!(matches!(
            role.to_wit(),
            Ok(wit::Authorization::Federated(r)) if r.role_arn == "arn:aws:iam::1:role/r"
        ));
        assert_eq!(role.credentials(), None);
    }
}
