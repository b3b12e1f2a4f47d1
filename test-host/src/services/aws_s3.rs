//! The `aws-s3` interface: in-memory buckets of objects, each with its content type and entity tag (the
//! quoted hex MD5 of its body, as S3 computes for single-part uploads).

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use md5::{Digest, Md5};
use serde_json::json;
use wasmtime::component::Resource;

use super::aws::{AwsError, AwsErrorKind, AwsService, AwsSession, SeedError, lock};
use crate::bindings::host::aws_s3::{
    Host, HostClient, ListOutput, Object as WitObject, ObjectSummary, S3Error,
};
use crate::state::HostState;

/// S3's content type for objects stored without one.
const DEFAULT_CONTENT_TYPE: &str = "binary/octet-stream";
/// Most keys one listing page returns.
const MAX_KEYS: u32 = 1000;
/// Longest object key, in bytes.
const MAX_KEY_BYTES: usize = 1024;

/// An S3 bucket to seed the test host with.
///
/// ```
/// use momento_functions_test_host::aws::S3Bucket;
///
/// let bucket = S3Bucket::new("reports")
///     .object("2026/summary.json", r#"{"ok":true}"#, Some("application/json"))
///     .object("logo.png", vec![0x89, b'P', b'N', b'G'], None);
/// # let _ = bucket;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Bucket {
    pub(crate) name: String,
    pub(crate) objects: Vec<(String, Vec<u8>, Option<String>)>,
}

impl S3Bucket {
    /// An empty bucket.
    pub fn new(name: impl Into<String>) -> Self {
        S3Bucket {
            name: name.into(),
            objects: Vec::new(),
        }
    }

    /// Add an object at `key` (its content type defaults to `binary/octet-stream`).
    pub fn object(
        mut self,
        key: impl Into<String>,
        body: impl Into<Vec<u8>>,
        content_type: Option<&str>,
    ) -> Self {
        self.objects
            .push((key.into(), body.into(), content_type.map(str::to_owned)));
        self
    }

    /// The bucket's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// An object as the mock stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct S3Object {
    /// The bytes.
    pub body: Vec<u8>,
    /// The content type.
    pub content_type: String,
    /// The entity tag: the quoted hex MD5 of the body.
    pub etag: String,
}

impl S3Object {
    fn new(body: Vec<u8>, content_type: Option<String>) -> Self {
        let digest = Md5::digest(&body);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        S3Object {
            body,
            content_type: content_type.unwrap_or_else(|| DEFAULT_CONTENT_TYPE.to_owned()),
            etag: format!("\"{hex}\""),
        }
    }
}

fn malformed(code: &str, message: impl Into<String>) -> AwsError {
    AwsError::new(AwsErrorKind::Malformed, code, message)
}

/// S3's bucket naming rules: 3 to 63 characters of lowercase letters, digits, `.` and `-`, starting and
/// ending with a letter or digit, no `..`.
fn check_bucket_name(name: &str) -> Result<(), AwsError> {
    let edge_ok = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let valid = (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && edge_ok(name.bytes().next())
        && edge_ok(name.bytes().last())
        && !name.contains("..");
    if valid {
        Ok(())
    } else {
        Err(malformed(
            "InvalidBucketName",
            format!("The specified bucket is not valid: `{name}`"),
        ))
    }
}

fn check_key(key: &str) -> Result<(), AwsError> {
    if key.is_empty() {
        return Err(malformed(
            "InvalidArgument",
            "The object key must not be empty",
        ));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(malformed(
            "KeyTooLongError",
            format!(
                "Your key is too long: {} bytes, at most {MAX_KEY_BYTES}",
                key.len()
            ),
        ));
    }
    Ok(())
}

fn check_content_type(content_type: &str) -> Result<(), AwsError> {
    if content_type.is_empty() || !content_type.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(malformed(
            "InvalidArgument",
            format!("The content type `{content_type}` is not a valid header value"),
        ));
    }
    Ok(())
}

fn no_such_bucket(bucket: &str) -> AwsError {
    AwsError::new(
        AwsErrorKind::NotFound,
        "NoSuchBucket",
        format!("The specified bucket does not exist: {bucket}"),
    )
}

fn encode_token(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key)
}

fn decode_token(token: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    String::from_utf8(bytes).ok()
}

type Bucket = BTreeMap<String, S3Object>;

/// Validate one seeded bucket; the error's field is relative to it (`objects[1]`).
pub(crate) fn validate_bucket(seed: &S3Bucket) -> Result<(), SeedError> {
    bucket_from_seed(seed).map(drop)
}

fn bucket_from_seed(seed: &S3Bucket) -> Result<Bucket, SeedError> {
    let error = |field: String, e: AwsError| SeedError {
        field,
        message: e.to_string(),
    };
    check_bucket_name(&seed.name).map_err(|e| error("name".into(), e))?;
    let mut bucket = Bucket::new();
    for (i, (key, body, content_type)) in seed.objects.iter().enumerate() {
        let field = format!("objects[{i}]");
        check_key(key).map_err(|e| error(field.clone(), e))?;
        if let Some(content_type) = content_type {
            check_content_type(content_type).map_err(|e| error(field.clone(), e))?;
        }
        if bucket.contains_key(key) {
            return Err(SeedError {
                field,
                message: format!("the key `{key}` is declared twice"),
            });
        }
        bucket.insert(
            key.clone(),
            S3Object::new(body.clone(), content_type.clone()),
        );
    }
    Ok(bucket)
}

/// The in-memory S3 of one host.
#[derive(Debug, Default)]
pub(crate) struct S3Store {
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl S3Store {
    /// Validate the seeded buckets; the error names the bucket and field (`bucket `b`.objects[1]`).
    pub(crate) fn new(seeds: &[S3Bucket]) -> Result<S3Store, SeedError> {
        let mut buckets = HashMap::new();
        for seed in seeds {
            let bucket = bucket_from_seed(seed).map_err(|e| SeedError {
                field: format!("bucket `{}`.{}", seed.name, e.field),
                message: e.message,
            })?;
            if buckets.insert(seed.name.clone(), bucket).is_some() {
                return Err(SeedError {
                    field: format!("bucket `{}`", seed.name),
                    message: "the bucket is declared twice".into(),
                });
            }
        }
        Ok(S3Store {
            buckets: Mutex::new(buckets),
        })
    }

    fn with_bucket<T>(
        &self,
        name: &str,
        run: impl FnOnce(&mut Bucket) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        check_bucket_name(name)?;
        let mut buckets = lock(&self.buckets);
        let bucket = buckets.get_mut(name).ok_or_else(|| no_such_bucket(name))?;
        run(bucket)
    }

    fn get(&self, bucket: &str, key: &str) -> Result<Option<S3Object>, AwsError> {
        check_key(key)?;
        self.with_bucket(bucket, |objects| Ok(objects.get(key).cloned()))
    }

    fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: Option<String>,
    ) -> Result<String, AwsError> {
        check_key(key)?;
        if let Some(content_type) = &content_type {
            check_content_type(content_type)?;
        }
        self.with_bucket(bucket, |objects| {
            let object = S3Object::new(body, content_type);
            let etag = object.etag.clone();
            objects.insert(key.to_owned(), object);
            Ok(etag)
        })
    }

    fn delete(&self, bucket: &str, key: &str) -> Result<(), AwsError> {
        check_key(key)?;
        self.with_bucket(bucket, |objects| {
            objects.remove(key);
            Ok(())
        })
    }

    fn list(
        &self,
        bucket: &str,
        prefix: &str,
        token: Option<&str>,
        max_keys: Option<u32>,
    ) -> Result<ListOutput, AwsError> {
        let after = token
            .map(|t| {
                decode_token(t).ok_or_else(|| {
                    malformed(
                        "InvalidArgument",
                        "The continuation token provided is incorrect",
                    )
                })
            })
            .transpose()?;
        let max_keys = max_keys.unwrap_or(MAX_KEYS).min(MAX_KEYS) as usize;
        self.with_bucket(bucket, |objects| {
            let start = match &after {
                Some(after) if after.as_str() >= prefix => Bound::Excluded(after.as_str()),
                _ => Bound::Included(prefix),
            };
            let mut matching = objects
                .range::<str, _>((start, Bound::Unbounded))
                .take_while(|(key, _)| key.starts_with(prefix));
            let page: Vec<ObjectSummary> = matching
                .by_ref()
                .take(max_keys)
                .map(|(key, object)| ObjectSummary {
                    key: key.clone(),
                    size: object.body.len() as u64,
                    etag: object.etag.clone(),
                })
                .collect();
            let more = matching.next().is_some();
            let next_continuation_token = match page.last() {
                Some(last) if more => Some(encode_token(&last.key)),
                _ => None,
            };
            Ok(ListOutput {
                objects: page,
                next_continuation_token,
            })
        })
    }

    pub(crate) fn object(&self, bucket: &str, key: &str) -> Option<S3Object> {
        lock(&self.buckets).get(bucket)?.get(key).cloned()
    }

    pub(crate) fn keys(&self, bucket: &str) -> Option<Vec<String>> {
        Some(lock(&self.buckets).get(bucket)?.keys().cloned().collect())
    }
}

fn to_wit(error: AwsError) -> S3Error {
    let message = error.wire_message();
    match error.kind {
        AwsErrorKind::NotFound => S3Error::NotFound(message),
        AwsErrorKind::Unauthorized => S3Error::Unauthorized(message),
        AwsErrorKind::Malformed => S3Error::Malformed(message),
        AwsErrorKind::Throttled => S3Error::Throttled(message),
        _ => S3Error::Other(message),
    }
}

/// The `client` resource of `aws-s3`.
#[derive(Debug)]
#[allow(
    unreachable_pub,
    reason = "bindgen re-exports resource types with `pub use`"
)]
pub struct S3Client {
    session: Arc<AwsSession>,
}

impl HostState {
    fn s3_session(&mut self, client: &Resource<S3Client>) -> wasmtime::Result<Arc<AwsSession>> {
        self.host_call("aws-s3")?;
        Ok(Arc::clone(&self.table().get(client)?.session))
    }

    fn s3_call<T>(
        &self,
        session: &AwsSession,
        operation: &'static str,
        bucket: &str,
        params: serde_json::Value,
        run: impl FnOnce(&S3Store) -> Result<T, AwsError>,
    ) -> Result<T, S3Error> {
        let aws = &self.services.aws;
        let info = session.call_info(
            AwsService::S3,
            operation,
            bucket,
            params,
            &self.invocation_id,
        );
        aws.call(session, info, || run(&aws.s3)).map_err(to_wit)
    }
}

impl Host for HostState {}

impl HostClient for HostState {
    fn new(
        &mut self,
        provider: Resource<crate::services::aws::CredentialsProvider>,
    ) -> wasmtime::Result<Resource<S3Client>> {
        self.host_call("aws-s3")?;
        let session = Arc::clone(&self.table().get(&provider)?.session);
        Ok(self.table().push(S3Client { session })?)
    }

    fn get_object(
        &mut self,
        client: Resource<S3Client>,
        bucket: String,
        key: String,
    ) -> wasmtime::Result<Result<Option<WitObject>, S3Error>> {
        let session = self.s3_session(&client)?;
        let params = json!({"key": key});
        Ok(self
            .s3_call(&session, "GetObject", &bucket, params, |s3| {
                s3.get(&bucket, &key)
            })
            .map(|found| {
                found.map(|o| WitObject {
                    body: o.body,
                    content_type: o.content_type,
                    etag: o.etag,
                })
            }))
    }

    fn put_object(
        &mut self,
        client: Resource<S3Client>,
        bucket: String,
        key: String,
        body: Vec<u8>,
        content_type: Option<String>,
    ) -> wasmtime::Result<Result<String, S3Error>> {
        let session = self.s3_session(&client)?;
        let params = json!({"key": key, "size": body.len(), "content_type": content_type});
        Ok(self.s3_call(&session, "PutObject", &bucket, params, |s3| {
            s3.put(&bucket, &key, body, content_type)
        }))
    }

    fn delete_object(
        &mut self,
        client: Resource<S3Client>,
        bucket: String,
        key: String,
    ) -> wasmtime::Result<Result<(), S3Error>> {
        let session = self.s3_session(&client)?;
        let params = json!({"key": key});
        Ok(
            self.s3_call(&session, "DeleteObject", &bucket, params, |s3| {
                s3.delete(&bucket, &key)
            }),
        )
    }

    fn list_objects(
        &mut self,
        client: Resource<S3Client>,
        bucket: String,
        prefix: String,
        continuation_token: Option<String>,
        max_keys: Option<u32>,
    ) -> wasmtime::Result<Result<ListOutput, S3Error>> {
        let session = self.s3_session(&client)?;
        let params = json!({
            "prefix": prefix,
            "continuation_token": continuation_token,
            "max_keys": max_keys,
        });
        Ok(
            self.s3_call(&session, "ListObjectsV2", &bucket, params, |s3| {
                s3.list(&bucket, &prefix, continuation_token.as_deref(), max_keys)
            }),
        )
    }

    fn drop(&mut self, client: Resource<S3Client>) -> wasmtime::Result<()> {
        self.table().delete(client)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> S3Store {
        S3Store::new(&[S3Bucket::new("b-1")
            .object("a/1", "one", Some("text/plain"))
            .object("a/2", "two", None)
            .object("a/3", "three", None)
            .object("b/1", "", None)])
        .expect("valid seeds")
    }

    #[test]
    fn etags_are_quoted_md5_and_content_types_default() {
        let object = store().object("b-1", "b/1").expect("seeded");
        assert_eq!(object.etag, "\"d41d8cd98f00b204e9800998ecf8427e\"");
        assert_eq!(object.content_type, "binary/octet-stream");
    }

    #[test]
    fn listing_pages_by_prefix() {
        let s3 = store();
        let first = s3.list("b-1", "a/", None, Some(2)).expect("lists");
        let keys: Vec<_> = first.objects.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(keys, ["a/1", "a/2"]);
        let token = first.next_continuation_token.expect("more");
        let second = s3.list("b-1", "a/", Some(&token), Some(2)).expect("lists");
        assert_eq!(second.objects.len(), 1);
        assert_eq!(second.objects[0].key, "a/3");
        assert_eq!(second.objects[0].size, 5);
        assert_eq!(second.next_continuation_token, None);
        assert_eq!(
            s3.list("b-1", "", None, None).expect("lists").objects.len(),
            4
        );
        assert!(
            s3.list("b-1", "", None, Some(0))
                .expect("lists")
                .objects
                .is_empty()
        );
        let error = s3
            .list("b-1", "", Some("%%%"), None)
            .expect_err("bad token");
        assert_eq!(error.kind, AwsErrorKind::Malformed);
    }

    #[test]
    fn names_and_keys_are_validated() {
        let s3 = store();
        for bad in ["ab", "Upper", "-start", "end-", "a..b", &"x".repeat(64)] {
            assert_eq!(
                s3.get(bad, "k").expect_err("invalid").code,
                "InvalidBucketName",
                "{bad}"
            );
        }
        assert_eq!(
            s3.get("missing", "k").expect_err("missing").code,
            "NoSuchBucket"
        );
        assert_eq!(
            s3.get("b-1", "").expect_err("empty").kind,
            AwsErrorKind::Malformed
        );
        assert_eq!(
            s3.put("b-1", &"k".repeat(1025), vec![], None)
                .expect_err("long")
                .code,
            "KeyTooLongError"
        );
        assert_eq!(
            s3.put("b-1", "k", vec![], Some("bad\ntype".into()))
                .expect_err("bad")
                .code,
            "InvalidArgument"
        );
        let error = S3Store::new(&[S3Bucket::new("ok-bucket")
            .object("k", "", None)
            .object("k", "", None)])
        .expect_err("duplicate");
        assert_eq!(error.field, "bucket `ok-bucket`.objects[1]");
    }
}
