//! Stores and serves files in an S3 bucket: the path is the object key.
//!
//! - `PUT /reports/q1.csv` with a body stores it (with the request's `content-type` kept as the user
//!   metadata entry `content-type`) and answers `201 {"key": "reports/q1.csv", "etag": "\"...\""}`;
//! - `GET /reports/q1.csv` answers with the object (the content type from its metadata, or
//!   `binary/octet-stream`, and its `etag` header), or 404;
//! - `GET /?prefix=reports/` lists keys: `{"objects": [{"key", "size", "etag"}]}`;
//! - `DELETE /reports/q1.csv` removes it (204).
//!
//! Object bodies never pass through the function's memory: the request body is handed to S3 as it is,
//! and an object's body goes back to the host as the response body. Momento's S3 interface carries user
//! metadata but not S3's own `Content-Type`, hence the metadata entry.
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
use momento_functions::{
    Data, FunctionError, FunctionResult, RequestContext, StatusCode, WebResponse,
};

momento_functions::route!(get: read, put: write, delete: remove);

/// Longest listing returned, in objects.
const MAX_LISTED: usize = 1000;

/// The user metadata entry that keeps an object's content type.
const CONTENT_TYPE: &str = "content-type";

/// The content type of an object stored without one, as S3 reports it.
const DEFAULT_CONTENT_TYPE: &str = "binary/octet-stream";

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
        Some(object) => {
            let content_type = object
                .metadata(CONTENT_TYPE)
                .unwrap_or(DEFAULT_CONTENT_TYPE)
                .to_owned();
            let mut response = WebResponse::new().with_header("content-type", content_type);
            if let Some(etag) = object.etag {
                response = response.with_header("etag", etag);
            }
            Ok(response.with_body(object.body))
        }
        None => Err(FunctionError::not_found(format!(
            "no object `{key}` in bucket `{bucket}`"
        ))),
    }
}

fn write(context: RequestContext, body: Data) -> FunctionResult<WebResponse> {
    let (s3, bucket) = bucket()?;
    let key = key(&context)?;
    let metadata = context
        .header("content-type")
        .map(|content_type| (CONTENT_TYPE, content_type));
    let stored = s3.put_object_with_metadata(&bucket, key, body, metadata)?;
    json(
        StatusCode::CREATED,
        &serde_json::json!({"key": key, "etag": stored.etag}),
    )
}

fn remove(context: RequestContext) -> FunctionResult<WebResponse> {
    let (s3, bucket) = bucket()?;
    s3.delete_object(&bucket, key(&context)?)?;
    Ok(WebResponse::new().with_status(StatusCode::NO_CONTENT))
}
