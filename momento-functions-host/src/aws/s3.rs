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
//! let etag = s3.put_object("reports", "2026/summary.json", br#"{"ok":true}"#.to_vec(), Some("application/json"))?;
//! if let Some(object) = s3.get_object("reports", "2026/summary.json")? {
//!     assert_eq!(object.etag, etag);
//! }
//! for summary in s3.list_objects("reports", "2026/")? {
//!     log::info!("{} ({} bytes)", summary.key, summary.size);
//! }
//! s3.delete_object("reports", "2026/summary.json")?;
//! # Ok(()) }
//! ```

use crate::aws::auth::AwsCredentialsProvider;
use crate::wit::momento::functions::aws_s3 as wit;

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
    fn from(error: wit::S3Error) -> Self {
        match error {
            wit::S3Error::NotFound(m) => Error::NotFound(m),
            wit::S3Error::Unauthorized(m) => Error::Unauthorized(m),
            wit::S3Error::Malformed(m) => Error::Malformed(m),
            wit::S3Error::Throttled(m) => Error::Throttled(m),
            wit::S3Error::Other(m) => Error::Other(m),
        }
    }
}

/// An object read from a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Object {
    /// The bytes.
    pub body: Vec<u8>,
    /// The content type it was stored with (`binary/octet-stream` when none was given).
    pub content_type: String,
    /// The entity tag (quoted hex MD5 of the body for single-part uploads).
    pub etag: String,
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
}

impl S3Client {
    /// A client using `provider`'s credentials and region. The provider may be dropped afterwards.
    pub fn new(provider: &AwsCredentialsProvider) -> Self {
        S3Client {
            client: wit::Client::new(&provider.inner),
        }
    }

    /// The object at `key` in `bucket`, or `None` when there is none.
    ///
    /// # Errors
    /// See [`Error`]: e.g. `NotFound` for a missing bucket.
    pub fn get_object(&self, bucket: &str, key: &str) -> Result<Option<Object>, Error> {
        Ok(self.client.get_object(bucket, key)?.map(|o| Object {
            body: o.body,
            content_type: o.content_type,
            etag: o.etag,
        }))
    }

    /// Store `body` at `key` in `bucket`, replacing any object; returns the new entity tag. Without a
    /// content type S3 stores `binary/octet-stream`.
    ///
    /// # Errors
    /// See [`Error`]: e.g. `Malformed` for an empty key.
    pub fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: impl Into<Vec<u8>>,
        content_type: Option<&str>,
    ) -> Result<String, Error> {
        Ok(self
            .client
            .put_object(bucket, key, &body.into(), content_type)?)
    }

    /// Remove the object at `key` in `bucket`. Removing a missing object succeeds.
    ///
    /// # Errors
    /// See [`Error`].
    pub fn delete_object(&self, bucket: &str, key: &str) -> Result<(), Error> {
        Ok(self.client.delete_object(bucket, key)?)
    }

    /// Every object of `bucket` whose key starts with `prefix` (`""` for all), in key order, reading page
    /// after page (one host call per 1,000 objects).
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
    /// default 1,000), continuing from `continuation_token`.
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
        let page = self
            .client
            .list_objects(bucket, prefix, continuation_token, max_keys)?;
        Ok(ListPage {
            objects: page
                .objects
                .into_iter()
                .map(|o| ObjectSummary {
                    key: o.key,
                    size: o.size,
                    etag: o.etag,
                })
                .collect(),
            next_continuation_token: page.next_continuation_token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wit_errors_keep_kind_and_message() {
        assert_eq!(
            Error::from(wit::S3Error::NotFound("NoSuchBucket".into())),
            Error::NotFound("NoSuchBucket".into())
        );
        assert_eq!(
            Error::from(wit::S3Error::Throttled("SlowDown".into())).to_string(),
            "S3 throttled the request: SlowDown"
        );
    }
}
