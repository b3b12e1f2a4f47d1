//! AWS clients: [`auth`] for credentials, then [`ddb`] (DynamoDB), [`s3`], [`secrets`] (Secrets Manager)
//! and [`lambda`].
//!
//! The clients call the host, which keeps the authenticated AWS clients hot across invocations (one per
//! region and credentials), so creating a provider and a client in every invocation is cheap:
//!
//! ```no_run
//! use momento_functions_host::aws::{auth::AwsCredentialsProvider, ddb::DynamoDBClient};
//! use momento_functions_host::build_environment_aws_credentials;
//!
//! # fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = AwsCredentialsProvider::new("us-east-1", build_environment_aws_credentials!())?;
//! let users = DynamoDBClient::new(&provider);
//! let user = users.get_item_raw("users", ("user_id", "u1"))?;
//! # Ok(()) }
//! ```
//!
//! Each client has one error type (`auth::Error`, `ddb::Error`, `s3::Error`, `secrets::Error`) whose
//! variants say what went wrong (not found, condition failed, unauthorized, malformed request, throttled,
//! other). With `?` in a `momento-functions` handler they become error responses with a fitting status.
//!
//! The clients use Momento's published AWS interfaces (`aws-auth`, `aws-ddb`, `aws-s3`, `aws-secrets`).
//! What those lack (DynamoDB DeleteItem and Query, S3 DeleteObject and ListObjectsV2) is sent to the
//! services' HTTP APIs through the platform's `http` interface, which signs each request with SigV4 using
//! the provider's credentials; see [`ddb`] and [`s3`].

pub mod auth;
pub mod ddb;
pub mod lambda;
pub mod s3;
pub mod secrets;
mod signed;
