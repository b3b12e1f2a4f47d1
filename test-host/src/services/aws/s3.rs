//! The in-memory S3: buckets of objects, each with its content type, content encoding, user metadata and
//! entity tag (the quoted hex MD5 of its body, as S3 computes for single-part uploads). A bucket may keep
//! versions: each put gets a version id and a delete leaves a delete marker.
//!
//! The typed API ([`S3Store::put`], [`S3Store::get`], [`S3Store::delete`], [`S3Store::list_v2`]) serves
//! the `aws-s3` interface; [`S3Store::rest`] (in `rest.rs`) speaks S3's REST protocol for requests that
//! reach S3's endpoints through the `http` interface.

pub(crate) mod rest;
mod xml;

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use base64::Engine as _;
use bytes::Bytes;
use md5::{Digest, Md5};
use sha2::Sha256;

use super::{AwsError, AwsErrorKind, SeedError, lock};

/// S3's content type for objects stored without one.
const DEFAULT_CONTENT_TYPE: &str = "binary/octet-stream";
/// Most keys one listing page returns.
const MAX_KEYS: usize = 1000;
/// Longest object key, in bytes.
const MAX_KEY_BYTES: usize = 1024;
/// Most bytes of user metadata (names and values) one object has.
const MAX_METADATA_BYTES: usize = 2048;

/// An S3 bucket to seed the test host with.
///
/// ```
/// use momento_functions_test_host::aws::S3Bucket;
///
/// let bucket = S3Bucket::new("reports")
///     .object("2026/summary.json", r#"{"ok":true}"#, Some("application/json"))
///     .object("logo.png", vec![0x89, b'P', b'N', b'G'], None);
/// let history = S3Bucket::new("history").versioned();
/// # let _ = (bucket, history);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Bucket {
    pub(crate) name: String,
    pub(crate) objects: Vec<(String, Vec<u8>, Option<String>)>,
    /// User metadata of seeded objects, by key.
    pub(crate) metadata: Vec<(String, Vec<(String, String)>)>,
    pub(crate) versioned: bool,
}

impl S3Bucket {
    /// An empty bucket.
    pub fn new(name: impl Into<String>) -> Self {
        S3Bucket {
            name: name.into(),
            objects: Vec::new(),
            metadata: Vec::new(),
            versioned: false,
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

    /// Add an object at `key` with user metadata (`x-amz-meta-*`, names without the prefix), as a function
    /// sees it through `momento:aws-s3` (whose `get` reports user metadata but no content type).
    pub fn object_with_metadata<K: Into<String>, V: Into<String>>(
        mut self,
        key: impl Into<String>,
        body: impl Into<Vec<u8>>,
        metadata: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let key = key.into();
        self.metadata.push((
            key.clone(),
            metadata
                .into_iter()
                .map(|(name, value)| (name.into(), value.into()))
                .collect(),
        ));
        self.objects.push((key, body.into(), None));
        self
    }

    /// Keep versions: every put gets a version id, a delete leaves a delete marker, and older versions
    /// stay readable by id.
    pub fn versioned(mut self) -> Self {
        self.versioned = true;
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
    /// The content encoding, if the object was stored with one.
    pub content_encoding: Option<String>,
    /// User metadata (`x-amz-meta-*`), names lower case, in the order stored.
    pub metadata: Vec<(String, String)>,
    /// The version id, in a versioned bucket.
    pub version_id: Option<String>,
    /// When the object was stored.
    pub last_modified: SystemTime,
}

/// What a put stores besides the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PutOptions {
    pub(crate) content_type: Option<String>,
    pub(crate) content_encoding: Option<String>,
    /// User metadata, names without the `x-amz-meta-` prefix.
    pub(crate) metadata: Vec<(String, String)>,
}

/// What a put returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PutOutput {
    pub(crate) etag: String,
    pub(crate) version_id: Option<String>,
    /// Lifecycle expiration: the mock has no lifecycle rules, so always `None`.
    pub(crate) expiration: Option<String>,
}

/// What a delete returns: in a versioned bucket, the version id of the marker (or of the deleted version).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DeleteOutput {
    pub(crate) delete_marker: bool,
    pub(crate) version_id: Option<String>,
}

/// ListObjectsV2's parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ListRequest {
    pub(crate) prefix: String,
    pub(crate) delimiter: Option<String>,
    pub(crate) max_keys: Option<usize>,
    pub(crate) continuation_token: Option<String>,
    pub(crate) start_after: Option<String>,
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ObjectSummary {
    pub(crate) key: String,
    pub(crate) size: u64,
    pub(crate) etag: String,
    pub(crate) last_modified: SystemTime,
}

/// One page of a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ListPage {
    pub(crate) objects: Vec<ObjectSummary>,
    pub(crate) common_prefixes: Vec<String>,
    pub(crate) is_truncated: bool,
    pub(crate) next_continuation_token: Option<String>,
    pub(crate) max_keys: usize,
}

/// An object's stored form: the body is shared, not copied, by REST reads.
#[derive(Debug, Clone)]
struct Stored {
    body: Bytes,
    content_type: String,
    content_encoding: Option<String>,
    metadata: Vec<(String, String)>,
    etag: String,
    last_modified: SystemTime,
}

impl Stored {
    fn new(body: Bytes, options: PutOptions) -> Stored {
        let hex: String = Md5::digest(&body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Stored {
            body,
            content_type: options
                .content_type
                .unwrap_or_else(|| DEFAULT_CONTENT_TYPE.to_owned()),
            content_encoding: options.content_encoding,
            metadata: options.metadata,
            etag: format!("\"{hex}\""),
            last_modified: SystemTime::now(),
        }
    }

    fn to_object(&self, version_id: Option<&str>) -> S3Object {
        S3Object {
            body: self.body.to_vec(),
            content_type: self.content_type.clone(),
            etag: self.etag.clone(),
            content_encoding: self.content_encoding.clone(),
            metadata: self.metadata.clone(),
            version_id: version_id.map(str::to_owned),
            last_modified: self.last_modified,
        }
    }
}

/// One version of a key: an object, or (in a versioned bucket) a delete marker.
#[derive(Debug, Clone)]
struct Version {
    /// `None` in a bucket without versioning.
    id: Option<String>,
    object: Option<Stored>,
}

/// A bucket: each key's versions, oldest first (one, without versioning).
#[derive(Debug, Clone, Default)]
struct Bucket {
    versioned: bool,
    keys: BTreeMap<String, Vec<Version>>,
}

impl Bucket {
    /// The current object of `key` (none when the newest version is a delete marker).
    fn current(&self, key: &str) -> Option<(&Stored, Option<&str>)> {
        let version = self.keys.get(key)?.last()?;
        Some((version.object.as_ref()?, version.id.as_deref()))
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
            "The specified bucket is not valid.",
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
        return Err(malformed("KeyTooLongError", "Your key is too long"));
    }
    Ok(())
}

/// A header value: visible ASCII and spaces.
fn is_header_value(value: &str) -> bool {
    value.bytes().all(|b| (0x20..0x7f).contains(&b))
}

fn check_content_type(content_type: &str) -> Result<(), AwsError> {
    if content_type.is_empty() || !is_header_value(content_type) {
        return Err(malformed(
            "InvalidArgument",
            format!("The content type `{content_type}` is not a valid header value"),
        ));
    }
    Ok(())
}

/// Check user metadata and lower-case its names (HTTP header names are case-insensitive, and S3 keeps
/// them lower case).
fn check_metadata(metadata: Vec<(String, String)>) -> Result<Vec<(String, String)>, AwsError> {
    let token = |name: &str| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    let mut total = 0;
    let mut checked = Vec::with_capacity(metadata.len());
    for (name, value) in metadata {
        if !token(&name) || !is_header_value(&value) {
            return Err(malformed(
                "InvalidArgument",
                format!("The metadata `{name}: {value}` is not a valid header"),
            ));
        }
        total += name.len() + value.len();
        checked.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    if total > MAX_METADATA_BYTES {
        return Err(malformed(
            "MetadataTooLarge",
            "Your metadata headers exceed the maximum allowed metadata size.",
        ));
    }
    Ok(checked)
}

fn check_options(options: PutOptions) -> Result<PutOptions, AwsError> {
    if let Some(content_type) = &options.content_type {
        check_content_type(content_type)?;
    }
    if let Some(encoding) = &options.content_encoding
        && !is_header_value(encoding)
    {
        return Err(malformed(
            "InvalidArgument",
            format!("The content encoding `{encoding}` is not a valid header value"),
        ));
    }
    Ok(PutOptions {
        metadata: check_metadata(options.metadata)?,
        ..options
    })
}

fn no_such_bucket() -> AwsError {
    AwsError::new(
        AwsErrorKind::NotFound,
        "NoSuchBucket",
        "The specified bucket does not exist",
    )
}

pub(crate) fn no_such_key() -> AwsError {
    AwsError::new(
        AwsErrorKind::NotFound,
        "NoSuchKey",
        "The specified key does not exist.",
    )
}

fn bad_token() -> AwsError {
    malformed(
        "InvalidArgument",
        "The continuation token provided is incorrect",
    )
}

/// Where a listing resumes: after a key, or after every key under a common prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resume {
    AfterKey(String),
    AfterPrefix(String),
}

fn encode_token(resume: &Resume) -> String {
    let text = match resume {
        Resume::AfterKey(key) => format!("k{key}"),
        Resume::AfterPrefix(prefix) => format!("p{prefix}"),
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn decode_token(token: &str) -> Option<Resume> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    match text.split_at_checked(1)? {
        ("k", key) => Some(Resume::AfterKey(key.to_owned())),
        ("p", prefix) => Some(Resume::AfterPrefix(prefix.to_owned())),
        _ => None,
    }
}

/// Validate one seeded bucket; the error's field is relative to it (`objects[1]`).
pub(crate) fn validate_bucket(seed: &S3Bucket) -> Result<(), SeedError> {
    bucket_from_seed(seed, &VersionIds::default()).map(drop)
}

fn bucket_from_seed(seed: &S3Bucket, ids: &VersionIds) -> Result<Bucket, SeedError> {
    let error = |field: String, e: AwsError| SeedError {
        field,
        message: e.to_string(),
    };
    check_bucket_name(&seed.name).map_err(|e| error("name".into(), e))?;
    let mut bucket = Bucket {
        versioned: seed.versioned,
        keys: BTreeMap::new(),
    };
    for (i, (key, body, content_type)) in seed.objects.iter().enumerate() {
        let field = format!("objects[{i}]");
        check_key(key).map_err(|e| error(field.clone(), e))?;
        let metadata = seed
            .metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, metadata)| metadata.clone())
            .unwrap_or_default();
        let options = check_options(PutOptions {
            content_type: content_type.clone(),
            metadata,
            ..PutOptions::default()
        })
        .map_err(|e| error(field.clone(), e))?;
        if bucket.keys.contains_key(key) {
            return Err(SeedError {
                field,
                message: format!("the key `{key}` is declared twice"),
            });
        }
        let version = Version {
            id: seed.versioned.then(|| ids.next(&seed.name, key)),
            object: Some(Stored::new(Bytes::from(body.clone()), options)),
        };
        bucket.keys.insert(key.clone(), vec![version]);
    }
    Ok(bucket)
}

/// Version ids: deterministic per store (a digest of bucket, key and a counter), URL-safe, 32 characters
/// like S3's.
#[derive(Debug, Default)]
struct VersionIds {
    counter: AtomicU64,
}

impl VersionIds {
    fn next(&self, bucket: &str, key: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let digest = Sha256::digest(format!("{bucket}/{key}/{n}"));
        let mut id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
        id.truncate(32);
        id
    }
}

/// The in-memory S3 of one host.
#[derive(Debug, Default)]
pub(crate) struct S3Store {
    buckets: Mutex<HashMap<String, Bucket>>,
    versions: VersionIds,
    requests: AtomicU64,
}

impl S3Store {
    /// Validate the seeded buckets; the error names the bucket and field (`bucket `b`.objects[1]`).
    pub(crate) fn new(seeds: &[S3Bucket]) -> Result<S3Store, SeedError> {
        let store = S3Store::default();
        let mut buckets = HashMap::new();
        for seed in seeds {
            let bucket = bucket_from_seed(seed, &store.versions).map_err(|e| SeedError {
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
        *lock(&store.buckets) = buckets;
        Ok(store)
    }

    fn with_bucket<T>(
        &self,
        name: &str,
        run: impl FnOnce(&mut Bucket) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        check_bucket_name(name)?;
        let mut buckets = lock(&self.buckets);
        let bucket = buckets.get_mut(name).ok_or_else(no_such_bucket)?;
        run(bucket)
    }

    /// A request id for S3's answers: 16 upper-case hex digits, from a counter.
    fn request_id(&self) -> String {
        format!("{:016X}", self.requests.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// PutObject: store `body` at `key` (a new version in a versioned bucket).
    pub(crate) fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Bytes,
        options: PutOptions,
    ) -> Result<PutOutput, AwsError> {
        check_key(key)?;
        let options = check_options(options)?;
        self.with_bucket(bucket, |objects| {
            Ok(self.store(bucket, objects, key, body, options))
        })
    }

    fn store(
        &self,
        name: &str,
        bucket: &mut Bucket,
        key: &str,
        body: Bytes,
        options: PutOptions,
    ) -> PutOutput {
        let stored = Stored::new(body, options);
        let etag = stored.etag.clone();
        let id = bucket.versioned.then(|| self.versions.next(name, key));
        let version = Version {
            id: id.clone(),
            object: Some(stored),
        };
        let versions = bucket.keys.entry(key.to_owned()).or_default();
        if !bucket.versioned {
            versions.clear();
        }
        versions.push(version);
        PutOutput {
            etag,
            version_id: id,
            expiration: None,
        }
    }

    /// GetObject: the current object at `key`, if any.
    pub(crate) fn get(&self, bucket: &str, key: &str) -> Result<Option<S3Object>, AwsError> {
        check_key(key)?;
        self.with_bucket(bucket, |objects| {
            Ok(objects.current(key).map(|(o, id)| o.to_object(id)))
        })
    }

    /// GetObject with `versionId`: that version of `key`. Without versioning only the id `null` (the
    /// current object) exists.
    pub(crate) fn get_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
    ) -> Result<Option<S3Object>, AwsError> {
        check_key(key)?;
        self.with_bucket(bucket, |objects| {
            find_version(objects, key, version_id).map(|(stored, id)| Some(stored.to_object(id)))
        })
    }

    /// DeleteObject: remove `key` (in a versioned bucket, add a delete marker). Deleting a key that is
    /// not there succeeds.
    pub(crate) fn delete(&self, bucket: &str, key: &str) -> Result<DeleteOutput, AwsError> {
        check_key(key)?;
        self.with_bucket(bucket, |objects| {
            if !objects.versioned {
                objects.keys.remove(key);
                return Ok(DeleteOutput::default());
            }
            let id = self.versions.next(bucket, key);
            objects
                .keys
                .entry(key.to_owned())
                .or_default()
                .push(Version {
                    id: Some(id.clone()),
                    object: None,
                });
            Ok(DeleteOutput {
                delete_marker: true,
                version_id: Some(id),
            })
        })
    }

    /// DeleteObject with `versionId`: remove that version for good.
    pub(crate) fn delete_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
    ) -> Result<DeleteOutput, AwsError> {
        check_key(key)?;
        self.with_bucket(bucket, |objects| {
            if !objects.versioned {
                if version_id != "null" {
                    return Err(invalid_version());
                }
                objects.keys.remove(key);
                return Ok(DeleteOutput::default());
            }
            let Some(versions) = objects.keys.get_mut(key) else {
                return Ok(DeleteOutput::default());
            };
            let Some(at) = versions
                .iter()
                .position(|v| v.id.as_deref() == Some(version_id))
            else {
                return Ok(DeleteOutput::default());
            };
            let removed = versions.remove(at);
            if versions.is_empty() {
                objects.keys.remove(key);
            }
            Ok(DeleteOutput {
                delete_marker: removed.object.is_none(),
                version_id: removed.id,
            })
        })
    }

    /// ListObjectsV2: keys under `prefix` in order, rolled up into common prefixes at `delimiter`, at
    /// most `max_keys` (1000) entries a page, resuming after a continuation token or `start_after`.
    pub(crate) fn list_v2(
        &self,
        bucket: &str,
        request: &ListRequest,
    ) -> Result<ListPage, AwsError> {
        let resume = match &request.continuation_token {
            Some(token) => Some(decode_token(token).ok_or_else(bad_token)?),
            None => request.start_after.clone().map(Resume::AfterKey),
        };
        let max_keys = request.max_keys.unwrap_or(MAX_KEYS).min(MAX_KEYS);
        self.with_bucket(bucket, |objects| {
            Ok(list_page(objects, request, resume.as_ref(), max_keys))
        })
    }

    /// The current object at `bucket`/`key`, for inspection.
    pub(crate) fn object(&self, bucket: &str, key: &str) -> Option<S3Object> {
        let buckets = lock(&self.buckets);
        let (stored, id) = buckets.get(bucket)?.current(key)?;
        Some(stored.to_object(id))
    }

    /// The keys of `bucket` that have a current object, in order.
    pub(crate) fn keys(&self, bucket: &str) -> Option<Vec<String>> {
        let buckets = lock(&self.buckets);
        let bucket = buckets.get(bucket)?;
        Some(
            bucket
                .keys
                .keys()
                .filter(|k| bucket.current(k).is_some())
                .cloned()
                .collect(),
        )
    }
}

fn invalid_version() -> AwsError {
    malformed("InvalidArgument", "Invalid version id specified")
}

/// The version `version_id` of `key`, or S3's error: `NoSuchVersion`, `NoSuchKey`, or
/// `MethodNotAllowed` for a delete marker.
fn find_version<'b>(
    bucket: &'b Bucket,
    key: &str,
    version_id: &str,
) -> Result<(&'b Stored, Option<&'b str>), AwsError> {
    if !bucket.versioned {
        if version_id != "null" {
            return Err(invalid_version());
        }
        return bucket.current(key).ok_or_else(no_such_key);
    }
    let version = bucket
        .keys
        .get(key)
        .and_then(|versions| {
            versions
                .iter()
                .find(|v| v.id.as_deref() == Some(version_id))
        })
        .ok_or_else(|| {
            AwsError::new(
                AwsErrorKind::NotFound,
                "NoSuchVersion",
                "The specified version does not exist.",
            )
        })?;
    match &version.object {
        Some(stored) => Ok((stored, version.id.as_deref())),
        None => Err(AwsError::new(
            AwsErrorKind::Malformed,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        )),
    }
}

fn list_page(
    bucket: &Bucket,
    request: &ListRequest,
    resume: Option<&Resume>,
    max_keys: usize,
) -> ListPage {
    let prefix = request.prefix.as_str();
    let start = match resume {
        Some(Resume::AfterKey(k) | Resume::AfterPrefix(k)) if k.as_str() >= prefix => {
            Bound::Excluded(k.as_str())
        }
        _ => Bound::Included(prefix),
    };
    let skipped_prefix = match resume {
        Some(Resume::AfterPrefix(p)) => Some(p.as_str()),
        _ => None,
    };
    let candidates = bucket
        .keys
        .range::<str, _>((start, Bound::Unbounded))
        .take_while(|(key, _)| key.starts_with(prefix))
        .filter(|(key, _)| skipped_prefix.is_none_or(|p| !key.starts_with(p)))
        .filter_map(|(key, _)| bucket.current(key).map(|(stored, _)| (key, stored)));
    let mut page = ListPage {
        max_keys,
        ..ListPage::default()
    };
    let mut last: Option<Resume> = None;
    for (key, stored) in candidates {
        let rolled_up = request
            .delimiter
            .as_deref()
            .filter(|d| !d.is_empty())
            .and_then(|d| {
                key[prefix.len()..]
                    .find(d)
                    .map(|at| key[..prefix.len() + at + d.len()].to_owned())
            });
        if let Some(common) = &rolled_up
            && page.common_prefixes.last() == Some(common)
        {
            continue;
        }
        if page.objects.len() + page.common_prefixes.len() == max_keys {
            page.is_truncated = max_keys > 0;
            break;
        }
        match rolled_up {
            Some(common) => {
                last = Some(Resume::AfterPrefix(common.clone()));
                page.common_prefixes.push(common);
            }
            None => {
                last = Some(Resume::AfterKey(key.clone()));
                page.objects.push(ObjectSummary {
                    key: key.clone(),
                    size: stored.body.len() as u64,
                    etag: stored.etag.clone(),
                    last_modified: stored.last_modified,
                });
            }
        }
    }
    if page.is_truncated {
        page.next_continuation_token = last.as_ref().map(encode_token);
    }
    page
}

#[cfg(test)]
mod tests;
