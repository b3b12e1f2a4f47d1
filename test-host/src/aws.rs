//! The in-memory AWS services: DynamoDB, S3, Secrets Manager and Lambda, behind the `aws-*` host
//! interfaces.
//!
//! - **Seed** them with [`TestHostBuilder`](crate::TestHostBuilder) (`dynamodb_table`, `s3_bucket`,
//!   `secret`, `lambda`) or a [fixtures file](crate::Fixtures).
//! - **Lambda** functions are closures or other components of the test ([`LambdaFunction`]); an unknown
//!   function is `ResourceNotFoundException`, event and dry-run invocations are honoured.
//! - **Credentials**: by default any well-formed credentials and role are accepted. Once the host declares
//!   some (`aws_credentials`, `aws_role`), only those are: other hard-coded keys are refused on every call
//!   (`UnrecognizedClientException`, or `InvalidSignatureException` for a known key with the wrong secret),
//!   other roles when the provider is made (`AccessDenied` from `sts:AssumeRole`). The guest sees
//!   `Unauthorized` errors.
//! - **Faults**: [`AwsFault`] answers matching calls with an error instead (throttling, access denied, an
//!   internal error...), from the builder or at any time with
//!   [`AwsMock::inject_fault`](crate::AwsMock::inject_fault).
//! - **Recorded calls**: every call, including refused and faulted ones, is an [`AwsCall`] in
//!   [`AwsMock::calls`](crate::AwsMock::calls) (`host.aws().calls()`).
//! - **State**: [`AwsMock::dynamodb_item`](crate::AwsMock::dynamodb_item),
//!   [`AwsMock::s3_object`](crate::AwsMock::s3_object) and friends read what the function left behind.
//!
//! The services validate requests like AWS does and answer with its error codes (`ValidationException:
//! One or more parameter values were invalid: Missing the key user_id in the item`, `NoSuchBucket`, ...).
//! The host keeps one authenticated session per (region, credentials) across invocations, as production
//! keeps its AWS clients hot ([`AwsMock::sessions`](crate::AwsMock::sessions)).
//!
//! ```no_run
//! use momento_functions_test_host::aws::{AwsFault, AwsService, DynamoDbTable, KeyType};
//! use momento_functions_test_host::{Request, TestHost};
//! use serde_json::json;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let host = TestHost::builder()
//!     .build_env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
//!     .build_env("AWS_SECRET_ACCESS_KEY", "example-secret")
//!     .aws_credentials("AKIDEXAMPLE", "example-secret")
//!     .dynamodb_table(
//!         DynamoDbTable::new("users", "user_id", KeyType::S).item(json!({"user_id": "u1", "name": "Ada"})),
//!     )
//!     .build_crate(env!("CARGO_MANIFEST_DIR"))?;
//! let response = host.invoke(Request::post("/").json(&json!({"user": "u1"})))?;
//! assert_eq!(host.aws().calls()[1].operation, "GetItem");
//!
//! host.aws().inject_fault(AwsFault::throttled().service(AwsService::DynamoDb).times(1));
//! let throttled = host.invoke(Request::post("/").json(&json!({"user": "u1"})))?;
//! assert_eq!(throttled.status(), 429);
//! # Ok(()) }
//! ```

pub use crate::services::aws::ddb::{DynamoDbTable, KeyType};
pub use crate::services::aws::lambda::{
    LambdaFunction, LambdaFunctionError, MAX_EVENT_PAYLOAD_BYTES, MAX_SYNC_PAYLOAD_BYTES,
};
pub use crate::services::aws::s3::{S3Bucket, S3Object};
pub use crate::services::aws::secrets::{AWSCURRENT, AWSPREVIOUS, Secret, SecretVersion};
pub use crate::services::aws::{AwsCall, AwsError, AwsErrorKind, AwsFault, AwsService};
