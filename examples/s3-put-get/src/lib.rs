//! Stores and serves files in an S3 bucket: the path is the object key.
//!
//! - `PUT /reports/q1.csv` with a body stores it (with the request's `content-type`) and answers
//!   `201 {"key": "reports/q1.csv", "etag": "\"...\""}`;
//! - `GET /reports/q1.csv` answers with the object (its content type and `etag` header), or 404;
//! - `GET /?prefix=reports/` lists keys: `{"objects": [{"key", "size", "etag"}]}`;
//! - `DELETE /reports/q1.csv` removes it (204).
//!
//! The function reaches S3 through a federated IAM role, configured like the bucket by environment
//! variables: `FILES_ROLE_ARN` (required), `FILES_BUCKET` (default `files`), `FILES_REGION` (default
//! `us-east-1`).
//!
//! ```text
//! cargo run -q -p momento-functions-test-host -- invoke examples/s3-put-get \
//!     --fixtures examples/s3-put-get/fixtures.toml -X GET --path /hello.txt
//! ```

use momento_functions::aws::auth::{Authorization, AwsCredentialsProvider};
use momento_functions::aws::s3::S3Client;
use momento_functions::{FunctionError, FunctionResult, RequestContext, StatusCode, WebResponse};

momento_functions::route!(get: read, put: write, delete: remove);

/// Longest listing returned, in objects.
const MAX_LISTED: usize = 1000;

/// The bucket and a client for it, from the function's configuration.
fn bucket() -> FunctionResult<(S3Client, String)> {
    let role = std::env::var("FILES_ROLE_ARN")
        .map_err(|_| FunctionError::internal("FILES_ROLE_ARN is not configured"))?;
    let region = std::env::var("FILES_REGION").unwrap_or_else(|_| "us-east-1".to_owned());
    let bucket = std::env::var("FILES_BUCKET").unwrap_or_else(|_| "files".to_owned());
    let provider = AwsCredentialsProvider::new(region, Authorization::federated(role))?;
    Ok((S3Client::new(&provider), bucket))
}

/// The object key: the path without its leading `/`.
fn key(context: &RequestContext) -> FunctionResult<&str> {
    match context.path().trim_start_matches('/') {
        "" => Err(FunctionError::bad_request(
            "name the object in the path, e.g. PUT /reports/q1.csv",
        )),
        key => Ok(key),
    }
}

fn json(status: StatusCode, value: &serde_json::Value) -> FunctionResult<WebResponse> {
    WebResponse::new()
        .with_status(status)
        .with_json(value)
        .map_err(|e| FunctionError::internal(e.to_string()))
}

fn read(context: RequestContext) -> FunctionResult<WebResponse> {
    let (s3, bucket) = bucket()?;
    if context.path() == "/" {
        let prefix = context.query_param("prefix").unwrap_or_default();
        let objects: Vec<_> = s3
            .list_objects(&bucket, prefix)?
            .into_iter()
            .take(MAX_LISTED)
            .map(|o| serde_json::json!({"key": o.key, "size": o.size, "etag": o.etag}))
            .collect();
        return json(StatusCode::OK, &serde_json::json!({ "objects": objects }));
    }
    let key = key(&context)?;
    match s3.get_object(&bucket, key)? {
        Some(object) => Ok(WebResponse::new()
            .with_header("content-type", object.content_type)
            .with_header("etag", object.etag)
            .with_body(object.body)),
        None => Err(FunctionError::not_found(format!(
            "no object `{key}` in bucket `{bucket}`"
        ))),
    }
}

fn write(context: RequestContext, body: Vec<u8>) -> FunctionResult<WebResponse> {
    let (s3, bucket) = bucket()?;
    let key = key(&context)?;
    let etag = s3.put_object(&bucket, key, body, context.header("content-type"))?;
    json(
        StatusCode::CREATED,
        &serde_json::json!({"key": key, "etag": etag}),
    )
}

fn remove(context: RequestContext) -> FunctionResult<WebResponse> {
    let (s3, bucket) = bucket()?;
    s3.delete_object(&bucket, key(&context)?)?;
    Ok(WebResponse::new().with_status(StatusCode::NO_CONTENT))
}
