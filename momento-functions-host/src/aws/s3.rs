//! Amazon S3: get, put, delete and list objects.
//!
//! ```no_run
//! use momento_functions_host::aws::auth::AwsCredentialsProvider;
//! use momento_functions_host::aws::s3::S3Client;
//! use momento_functions_host::build_environment_aws_credentials;
//!
//! # fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = AwsCredentialsProvider::new("us-east-1", build_environment_aws_credentials!())?;
//! let s3 = S3Client::new(&provider);
//! let stored = s3.put_object_with_metadata(
//!     "reports",
//!     "2026/summary.json",
//!     r#"{"ok":true}"#,
//!     [("content-type", "application/json")],
//! )?;
//! if let Some(object) = s3.get_object("reports", "2026/summary.json")? {
//!     assert_eq!(object.etag, stored.etag);
//!     assert_eq!(object.metadata("content-type"), Some("application/json"));
//!     let body = object.body.into_bytes();
//! #   let _ = body;
//! }
//! for summary in s3.list_objects("reports", "2026/")? {
//!     log::info!("{} ({} bytes)", summary.key, summary.size);
//! }
//! s3.delete_object("reports", "2026/summary.json")?;
//! # Ok(()) }
//! ```
//!
//! GetObject and PutObject go through the platform's `aws-s3` interface: bodies are [`Data`], so an
//! object can be served, or a request body stored, without passing through the function's memory. That
//! interface carries user metadata (`x-amz-meta-*`) but not S3's own `Content-Type`: keep a content type
//! in the metadata, as above.
//!
//! The platform has no DeleteObject or ListObjectsV2, so [`delete_object`](S3Client::delete_object)
//! (`DELETE https://<bucket>.s3.<region>.amazonaws.com/<key>`) and
//! [`list_objects`](S3Client::list_objects)
//! (`GET https://<bucket>.s3.<region>.amazonaws.com/?list-type=2&prefix=...`) are sent to S3's HTTP API
//! through the platform's `http` interface, which signs them with the provider's credentials (service
//! `s3`): the function needs outbound HTTP, and the credentials need `s3:DeleteObject` /
//! `s3:ListBucket`.

mod xml;

use crate::Data;
use crate::aws::auth::AwsCredentialsProvider;
use crate::aws::signed::{AwsResponse, Signer, uri_encode};
use crate::wit::momento::aws_s31_1_0::aws_s3 as wit;

/// Why an S3 call failed. A missing object is not an error: [`S3Client::get_object`] returns `Ok(None)`.
///
/// In a handler, `?` turns it into an error response: `NotFound` 404, `Unauthorized` 403, `Malformed`
/// 400, `Throttled` 429, `Other` 502.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bucket does not exist (`NoSuchBucket`).
    #[error("S3 bucket not found: {0}")]
    NotFound(String),
    /// The credentials were refused or lack permission (`AccessDenied`).
    #[error("S3 refused the credentials: {0}")]
    Unauthorized(String),
    /// The request is not valid, e.g. an empty key or a bad bucket name.
    #[error("malformed S3 request: {0}")]
    Malformed(String),
    /// S3 asked to slow down (`SlowDown`).
    #[error("S3 throttled the request: {0}")]
    Throttled(String),
    /// Anything else.
    #[error("S3 error: {0}")]
    Other(String),
}

impl From<wit::S3Error> for Error {
    /// A missing bucket has no variant of its own in the published interface: a message naming
    /// `NoSuchBucket` becomes [`Error::NotFound`].
    fn from(error: wit::S3Error) -> Self {
        match error {
            wit::S3Error::Unauthorized(m) => Error::Unauthorized(m),
            wit::S3Error::Malformed(m) if m.contains("NoSuchBucket") => Error::NotFound(m),
            wit::S3Error::Malformed(m) => Error::Malformed(m),
            wit::S3Error::Throttled(m) => Error::Throttled(m),
            wit::S3Error::Other(m) if m.contains("NoSuchBucket") => Error::NotFound(m),
            wit::S3Error::Other(m) => Error::Other(m),
        }
    }
}

/// The error S3's HTTP API answered with: `<Error><Code>..</Code><Message>..</Message></Error>` and a 4xx
/// or 5xx status. The message is `Code: message`.
fn from_http(response: &AwsResponse) -> Error {
    let text = std::str::from_utf8(&response.body)
        .ok()
        .and_then(|body| xml::parse(body).ok())
        .filter(|root| root.name == "Error");
    let (code, message) = match &text {
        Some(root) => (
            root.child_text("Code").unwrap_or_default().to_owned(),
            root.child_text("Message").unwrap_or_default().to_owned(),
        ),
        None => (
            String::new(),
            String::from_utf8_lossy(&response.body[..response.body.len().min(256)]).into_owned(),
        ),
    };
    let text = match (code.is_empty(), message.is_empty()) {
        (false, false) => format!("{code}: {message}"),
        (false, true) => code.clone(),
        (true, false) => format!("HTTP {}: {message}", response.status),
        (true, true) => format!("HTTP {}", response.status),
    };
    match (code.as_str(), response.status) {
        ("NoSuchBucket", _) => Error::NotFound(text),
        ("AccessDenied" | "InvalidAccessKeyId" | "SignatureDoesNotMatch" | "ExpiredToken", _)
        | (_, 401 | 403) => Error::Unauthorized(text),
        ("SlowDown" | "ThrottlingException" | "RequestLimitExceeded", _) | (_, 429 | 503) => {
            Error::Throttled(text)
        }
        (_, 400..=499) => Error::Malformed(text),
        _ => Error::Other(text),
    }
}

/// An object read from a bucket.
#[derive(Debug)]
#[non_exhaustive]
pub struct Object {
    /// The bytes, still on the host: return them as a response body or store them elsewhere without
    /// reading them, or read them ([`Data::into_bytes`], [`std::io::Read`]).
    pub body: Data,
    /// The entity tag (for a single-part upload, the quoted hex MD5 of the body).
    pub etag: Option<String>,
    /// The version, in a bucket with versioning.
    pub version_id: Option<String>,
    /// When a lifecycle rule expires the object (S3's `x-amz-expiration`).
    pub expiration: Option<String>,
    /// The user metadata it was stored with (`x-amz-meta-*` names without the prefix).
    pub metadata: Vec<(String, String)>,
}

impl Object {
    /// The user metadata value `name` (case-insensitive, as S3 stores names in lower case).
    pub fn metadata(&self, name: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What storing an object returned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutObjectOutput {
    /// The new object's entity tag.
    pub etag: Option<String>,
    /// The new version, in a bucket with versioning.
    pub version_id: Option<String>,
    /// When a lifecycle rule expires the object.
    pub expiration: Option<String>,
}

/// One object in a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectSummary {
    /// The key.
    pub key: String,
    /// The size in bytes.
    pub size: u64,
    /// The entity tag.
    pub etag: String,
    /// When it was last written (ISO 8601), when S3 said.
    pub last_modified: Option<String>,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListPage {
    /// Objects in key order.
    pub objects: Vec<ObjectSummary>,
    /// Pass to [`S3Client::list_objects_page`] for the next page; `None` on the last page.
    pub next_continuation_token: Option<String>,
}

/// An S3 client for one provider's credentials and region. Cheap to create in each invocation: the host
/// keeps its authenticated client.
#[derive(Debug)]
pub struct S3Client {
    client: wit::Client,
    signer: Signer,
}

impl S3Client {
    /// A client using `provider`'s credentials and region. The provider may be dropped afterwards.
    pub fn new(provider: &AwsCredentialsProvider) -> Self {
        S3Client {
            client: wit::Client::new(&provider.inner),
            signer: Signer::new(provider),
        }
    }

    /// The object at `key` in `bucket`, or `None` when there is none.
    ///
    /// # Errors
    /// See [`Error`]: e.g. `NotFound` for a missing bucket.
    pub fn get_object(&self, bucket: &str, key: &str) -> Result<Option<Object>, Error> {
        let output = self.client.get(&wit::GetObjectRequest {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
        })?;
        Ok(output.body.map(|body| Object {
            body: Data::from_wit(body),
            etag: output.etag,
            version_id: output.version_id,
            expiration: output.expiration,
            metadata: output.metadata,
        }))
    }

    /// Store `body` at `key` in `bucket`, replacing any object. A [`Data`] the function received (e.g. the
    /// request body) is handed over as it is, without passing through the function's memory.
    ///
    /// # Errors
    /// See [`Error`]: e.g. `Malformed` for an empty key.
    pub fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: impl Into<Data>,
    ) -> Result<PutObjectOutput, Error> {
        self.put_object_with_metadata(bucket, key, body, std::iter::empty::<(String, String)>())
    }

    /// Store `body` at `key` in `bucket` with user metadata (names without the `x-amz-meta-` prefix),
    /// replacing any object.
    ///
    /// # Errors
    /// See [`Error`]: e.g. `Malformed` for an empty key or a metadata value S3 refuses.
    pub fn put_object_with_metadata<N: Into<String>, V: Into<String>>(
        &self,
        bucket: &str,
        key: &str,
        body: impl Into<Data>,
        metadata: impl IntoIterator<Item = (N, V)>,
    ) -> Result<PutObjectOutput, Error> {
        let output = self.client.put(wit::PutObjectRequest {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            body: body.into().into_wit(),
            metadata: metadata
                .into_iter()
                .map(|(n, v)| (n.into(), v.into()))
                .collect(),
        })?;
        Ok(PutObjectOutput {
            etag: output.etag,
            version_id: output.version_id,
            expiration: output.expiration,
        })
    }

    /// Remove the object at `key` in `bucket`. Removing a missing object succeeds.
    ///
    /// Sent to S3's HTTP API (see the [module docs](self)).
    ///
    /// # Errors
    /// See [`Error`].
    pub fn delete_object(&self, bucket: &str, key: &str) -> Result<(), Error> {
        if key.is_empty() {
            return Err(Error::Malformed("the object key is empty".into()));
        }
        let url = object_url(bucket, self.signer.region(), key);
        self.call("DeleteObject", "DELETE", url)?;
        Ok(())
    }

    /// Every object of `bucket` whose key starts with `prefix` (`""` for all), in key order, reading page
    /// after page (one request per 1,000 objects).
    ///
    /// Sent to S3's HTTP API (see the [module docs](self)).
    ///
    /// # Errors
    /// See [`Error`].
    pub fn list_objects(&self, bucket: &str, prefix: &str) -> Result<Vec<ObjectSummary>, Error> {
        let mut objects = Vec::new();
        let mut token = None;
        loop {
            let page = self.list_objects_page(bucket, prefix, token.as_deref(), None)?;
            objects.extend(page.objects);
            match page.next_continuation_token {
                Some(next) => token = Some(next),
                None => return Ok(objects),
            }
        }
    }

    /// One page of the objects of `bucket` whose key starts with `prefix`: at most `max_keys` (1 to 1,000,
    /// S3's default 1,000), continuing from `continuation_token`.
    ///
    /// Sent to S3's HTTP API (see the [module docs](self)).
    ///
    /// # Errors
    /// See [`Error`]: e.g. `Malformed` for an unknown continuation token.
    pub fn list_objects_page(
        &self,
        bucket: &str,
        prefix: &str,
        continuation_token: Option<&str>,
        max_keys: Option<u32>,
    ) -> Result<ListPage, Error> {
        let url = list_url(
            bucket,
            self.signer.region(),
            prefix,
            continuation_token,
            max_keys,
        );
        let response = self.call("ListObjectsV2", "GET", url)?;
        parse_list(&response.body)
    }

    fn call(&self, operation: &str, method: &str, url: String) -> Result<AwsResponse, Error> {
        let response = self
            .signer
            .send("s3", method, url, Vec::new(), Vec::new())
            .map_err(|e| Error::Other(format!("{operation} could not reach S3: {e}")))?;
        if (200..300).contains(&response.status) {
            Ok(response)
        } else {
            Err(from_http(&response))
        }
    }
}

/// The virtual-hosted-style URL of `bucket`'s root.
fn bucket_url(bucket: &str, region: &str) -> String {
    format!("https://{bucket}.s3.{region}.amazonaws.com/")
}

/// The URL of the object `key` (percent-encoded, `/` kept).
fn object_url(bucket: &str, region: &str, key: &str) -> String {
    format!("{}{}", bucket_url(bucket, region), uri_encode(key, true))
}

/// The URL of a ListObjectsV2 page.
fn list_url(
    bucket: &str,
    region: &str,
    prefix: &str,
    continuation_token: Option<&str>,
    max_keys: Option<u32>,
) -> String {
    let mut url = format!(
        "{}?list-type=2&prefix={}",
        bucket_url(bucket, region),
        uri_encode(prefix, false)
    );
    if let Some(token) = continuation_token {
        url.push_str("&continuation-token=");
        url.push_str(&uri_encode(token, false));
    }
    if let Some(max_keys) = max_keys {
        url.push_str(&format!("&max-keys={max_keys}"));
    }
    url
}

/// A `ListBucketResult`.
fn parse_list(body: &[u8]) -> Result<ListPage, Error> {
    let invalid = |why: String| Error::Other(format!("S3 answered ListObjectsV2 with {why}"));
    let text = std::str::from_utf8(body).map_err(|e| invalid(format!("non-UTF-8 XML: {e}")))?;
    let root = xml::parse(text).map_err(|e| invalid(format!("invalid XML: {e}")))?;
    if root.name != "ListBucketResult" {
        return Err(invalid(format!(
            "`{}` instead of `ListBucketResult`",
            root.name
        )));
    }
    let objects = root
        .children_named("Contents")
        .map(|contents| {
            let key = contents
                .child_text("Key")
                .ok_or_else(|| invalid("an object without a `Key`".into()))?;
            let size = contents
                .child_text("Size")
                .unwrap_or("0")
                .trim()
                .parse()
                .map_err(|e| invalid(format!("a `Size` that is not a number: {e}")))?;
            Ok(ObjectSummary {
                key: key.to_owned(),
                size,
                etag: contents.child_text("ETag").unwrap_or_default().to_owned(),
                last_modified: contents.child_text("LastModified").map(str::to_owned),
            })
        })
        .collect::<Result<_, Error>>()?;
    let truncated = root.child_text("IsTruncated").map(str::trim) == Some("true");
    let next_continuation_token = root
        .child_text("NextContinuationToken")
        .filter(|token| truncated && !token.is_empty())
        .map(str::to_owned);
    if truncated && next_continuation_token.is_none() {
        return Err(invalid(
            "a truncated listing without a `NextContinuationToken`".into(),
        ));
    }
    Ok(ListPage {
        objects,
        next_continuation_token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> AwsResponse {
        AwsResponse {
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn wit_errors_keep_kind_and_message() {
        assert_eq!(
            Error::from(wit::S3Error::Other("NoSuchBucket: gone".into())),
            Error::NotFound("NoSuchBucket: gone".into())
        );
        assert_eq!(
            Error::from(wit::S3Error::Throttled("SlowDown".into())).to_string(),
            "S3 throttled the request: SlowDown"
        );
        assert_eq!(
            Error::from(wit::S3Error::Malformed("KeyTooLongError".into())),
            Error::Malformed("KeyTooLongError".into())
        );
    }

    #[test]
    fn http_errors_are_classified_by_code_and_status() {
        let xml = |code: &str| {
            format!("<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>m</Message></Error>")
        };
        assert_eq!(
            from_http(&response(404, &xml("NoSuchBucket"))),
            Error::NotFound("NoSuchBucket: m".into())
        );
        assert_eq!(
            from_http(&response(403, &xml("AccessDenied"))),
            Error::Unauthorized("AccessDenied: m".into())
        );
        assert_eq!(
            from_http(&response(503, &xml("SlowDown"))),
            Error::Throttled("SlowDown: m".into())
        );
        assert_eq!(
            from_http(&response(400, &xml("InvalidArgument"))),
            Error::Malformed("InvalidArgument: m".into())
        );
        assert_eq!(
            from_http(&response(500, "")),
            Error::Other("HTTP 500".into())
        );
        assert_eq!(
            from_http(&response(502, "bad gateway")),
            Error::Other("HTTP 502: bad gateway".into())
        );
    }

    #[test]
    fn urls_are_virtual_hosted_and_percent_encoded() {
        assert_eq!(
            object_url("files", "eu-west-1", "reports/q 1+2.csv"),
            "https://files.s3.eu-west-1.amazonaws.com/reports/q%201%2B2.csv"
        );
        assert_eq!(
            list_url("files", "us-east-1", "", None, None),
            "https://files.s3.us-east-1.amazonaws.com/?list-type=2&prefix="
        );
        assert_eq!(
            list_url("files", "us-east-1", "a/b c", Some("t/1+="), Some(2)),
            "https://files.s3.us-east-1.amazonaws.com/?list-type=2&prefix=a%2Fb%20c&continuation-token=t%2F1%2B%3D&max-keys=2"
        );
    }

    #[test]
    fn listings_parse_into_pages() {
        let page = parse_list(
            br#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>files</Name><Prefix>r/</Prefix>
<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>
<Contents><Key>r/a.csv</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;e1&quot;</ETag><Size>10</Size><StorageClass>STANDARD</StorageClass></Contents>
<Contents><Key>r/b&amp;c.csv</Key><ETag>"e2"</ETag><Size>0</Size></Contents>
<NextContinuationToken>tok/1+</NextContinuationToken></ListBucketResult>"#,
        )
        .expect("a valid page");
        assert_eq!(page.objects.len(), 2);
        assert_eq!(
            page.objects[0],
            ObjectSummary {
                key: "r/a.csv".into(),
                size: 10,
                etag: "\"e1\"".into(),
                last_modified: Some("2026-01-01T00:00:00.000Z".into()),
            }
        );
        assert_eq!(page.objects[1].key, "r/b&c.csv");
        assert_eq!(page.next_continuation_token.as_deref(), Some("tok/1+"));

        let last = parse_list(
            b"<ListBucketResult><IsTruncated>false</IsTruncated><NextContinuationToken>x</NextContinuationToken></ListBucketResult>",
        )
        .expect("valid");
        assert!(last.objects.is_empty());
        assert_eq!(last.next_continuation_token, None);
    }

    #[test]
    fn bad_listings_are_errors() {
        for bad in [
            &b"<Error/>"[..],
            b"not xml",
            b"<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
            b"<ListBucketResult><Contents><Key>k</Key><Size>x</Size></Contents></ListBucketResult>",
            b"<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
            b"\xff",
        ] {
            assert!(
                matches!(parse_list(bad), Err(Error::Other(_))),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
