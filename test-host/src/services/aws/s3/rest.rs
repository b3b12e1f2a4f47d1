//! S3's REST protocol over the store: object GET, HEAD, PUT and DELETE, bucket HEAD, ListObjectsV2, and
//! S3's XML errors with their statuses.

use base64::Engine as _;
use bytes::Bytes;
use md5::{Digest, Md5};

use super::super::datetime::Utc;
use super::xml::{self, ListEcho};
use super::{
    AwsError, AwsErrorKind, ListRequest, PutOptions, S3Object, S3Store, find_version, malformed,
    no_such_key,
};

/// One S3 request, as routed from its URL: the bucket, the key (`None` for the bucket itself), the
/// decoded query, the headers and the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RestRequest {
    pub(crate) method: String,
    pub(crate) bucket: String,
    pub(crate) key: Option<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
}

impl RestRequest {
    /// A header's value (names are case-insensitive).
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `/bucket/key`, as S3's errors name the resource.
    fn resource(&self) -> String {
        match &self.key {
            Some(key) => format!("/{}/{key}", self.bucket),
            None => format!("/{}", self.bucket),
        }
    }
}

/// S3's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RestResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
}

impl RestResponse {
    /// A header's value (names are case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Query parameters that name S3 features the mock does not have (ACLs, tagging, multipart uploads, …).
const SUBRESOURCES: [&str; 16] = [
    "acl",
    "attributes",
    "cors",
    "delete",
    "legal-hold",
    "lifecycle",
    "location",
    "partNumber",
    "policy",
    "restore",
    "retention",
    "select",
    "tagging",
    "uploadId",
    "uploads",
    "versioning",
];

fn not_implemented(what: &str) -> AwsError {
    AwsError::new(
        AwsErrorKind::Malformed,
        "NotImplemented",
        format!(
            "A header you provided implies functionality that is not implemented ({what} is not supported by the test host)"
        ),
    )
}

fn method_not_allowed() -> AwsError {
    AwsError::new(
        AwsErrorKind::Malformed,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
    )
}

fn precondition_failed() -> AwsError {
    AwsError::new(
        AwsErrorKind::ConditionFailed,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    )
}

/// The HTTP status S3 answers an error code with.
fn status_of(error: &AwsError) -> u16 {
    match error.code.as_str() {
        "NoSuchBucket" | "NoSuchKey" | "NoSuchVersion" | "NoSuchUpload" => 404,
        "AccessDenied"
        | "InvalidAccessKeyId"
        | "SignatureDoesNotMatch"
        | "RequestTimeTooSkewed" => 403,
        "MethodNotAllowed" => 405,
        "PreconditionFailed" => 412,
        "InvalidRange" => 416,
        "InternalError" => 500,
        "NotImplemented" => 501,
        "SlowDown" | "ServiceUnavailable" => 503,
        _ => match error.kind {
            AwsErrorKind::NotFound => 404,
            AwsErrorKind::Unauthorized => 403,
            AwsErrorKind::ConditionFailed => 412,
            AwsErrorKind::Throttled => 503,
            AwsErrorKind::Other => 500,
            AwsErrorKind::Malformed => 400,
        },
    }
}

/// S3's answer to an error (an engine's, or an injected fault such as `AccessDenied` or `SlowDown`):
/// the status, `x-amz-request-id`, and the XML error document (none for HEAD, whose answers have no body).
pub(crate) fn error_response(
    error: &AwsError,
    request: &RestRequest,
    request_id: &str,
) -> RestResponse {
    let status = status_of(error);
    let mut headers = vec![("x-amz-request-id".to_owned(), request_id.to_owned())];
    if request.method.eq_ignore_ascii_case("HEAD") {
        return RestResponse {
            status,
            headers,
            body: Bytes::new(),
        };
    }
    let mut extra: Vec<(&str, &str)> = Vec::new();
    match error.code.as_str() {
        "NoSuchKey" => extra.push(("Key", request.key.as_deref().unwrap_or_default())),
        "NoSuchBucket" | "InvalidBucketName" => extra.push(("BucketName", &request.bucket)),
        _ => {}
    }
    let body = xml::error(
        &error.code,
        &error.message,
        &extra,
        &request.resource(),
        request_id,
    );
    headers.push(("Content-Type".to_owned(), "application/xml".to_owned()));
    RestResponse {
        status,
        headers,
        body: Bytes::from(body),
    }
}

/// The headers S3 describes an object with (GET and HEAD).
fn object_headers(object: &S3Object, versioned: bool) -> Vec<(String, String)> {
    let mut headers = vec![
        ("Content-Type".to_owned(), object.content_type.clone()),
        ("ETag".to_owned(), object.etag.clone()),
        (
            "Last-Modified".to_owned(),
            Utc::of(object.last_modified).http_date(),
        ),
        ("Accept-Ranges".to_owned(), "bytes".to_owned()),
        (
            "x-amz-server-side-encryption".to_owned(),
            "AES256".to_owned(),
        ),
    ];
    if let Some(encoding) = &object.content_encoding {
        headers.push(("Content-Encoding".to_owned(), encoding.clone()));
    }
    for (name, value) in &object.metadata {
        headers.push((format!("x-amz-meta-{name}"), value.clone()));
    }
    if versioned {
        let id = object
            .version_id
            .clone()
            .unwrap_or_else(|| "null".to_owned());
        headers.push(("x-amz-version-id".to_owned(), id));
    }
    headers
}

/// Does an `If-Match`/`If-None-Match` list (`*` or quoted ETags, comma-separated) name `etag`?
fn etag_listed(list: &str, etag: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_matches('"') == etag.trim_matches('"'))
}

/// A single `Range: bytes=…` over `len` bytes: `Ok(None)` for none or one S3 ignores, `Err` when it
/// cannot be satisfied.
fn byte_range(header: Option<&str>, len: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (first, last) = (first.trim(), last.trim());
    let parse = |s: &str| s.parse::<u64>().ok();
    let range = match (first.is_empty(), last.is_empty()) {
        (true, false) => match parse(last) {
            Some(0) => return Err(()),
            Some(n) => (len.saturating_sub(n), len.saturating_sub(1)),
            None => return Ok(None),
        },
        (false, _) => {
            let Some(start) = parse(first) else {
                return Ok(None);
            };
            let end = if last.is_empty() {
                Some(u64::MAX)
            } else {
                parse(last)
            };
            match end {
                Some(end) if end >= start => (start, end.min(len.saturating_sub(1))),
                _ => return Ok(None),
            }
        }
        (true, true) => return Ok(None),
    };
    if len == 0 || range.0 >= len {
        return Err(());
    }
    Ok(Some(range))
}

impl S3Store {
    /// S3's answer to `request` failing with `error` before it ran (an injected fault, refused
    /// credentials), with a fresh request id.
    pub(crate) fn fault_response(&self, error: &AwsError, request: &RestRequest) -> RestResponse {
        error_response(error, request, &self.request_id())
    }

    /// Answer one REST request.
    pub(crate) fn rest(&self, request: RestRequest) -> RestResponse {
        let request_id = self.request_id();
        let mut response = match self.route(&request) {
            Ok(response) => response,
            Err(error) => error_response(&error, &request, &request_id),
        };
        if response.header("x-amz-request-id").is_none() {
            response
                .headers
                .push(("x-amz-request-id".to_owned(), request_id));
        }
        if request.method.eq_ignore_ascii_case("HEAD") {
            response.body = Bytes::new();
        }
        response
    }

    fn route(&self, request: &RestRequest) -> Result<RestResponse, AwsError> {
        if request.bucket.is_empty() {
            return Err(not_implemented("ListBuckets"));
        }
        if let Some((name, _)) = request
            .query
            .iter()
            .find(|(name, _)| SUBRESOURCES.contains(&name.as_str()))
        {
            return Err(not_implemented(&format!("the `{name}` subresource")));
        }
        let method = request.method.to_ascii_uppercase();
        match (method.as_str(), &request.key) {
            ("GET", None) if request.query("list-type") == Some("2") => self.rest_list(request),
            ("GET", None) => Err(not_implemented(
                "ListObjects version 1 (use ListObjectsV2: list-type=2)",
            )),
            ("HEAD", None) => self.with_bucket(&request.bucket, |_| Ok(ok(200))),
            ("PUT" | "DELETE" | "POST", None) => Err(not_implemented("bucket administration")),
            ("GET" | "HEAD", Some(key)) => self.rest_get(request, key),
            ("PUT", Some(_)) if request.header("x-amz-copy-source").is_some() => {
                Err(not_implemented("CopyObject"))
            }
            ("PUT", Some(key)) => self.rest_put(request, key),
            ("DELETE", Some(key)) => self.rest_delete(request, key),
            _ => Err(method_not_allowed()),
        }
    }

    fn rest_get(&self, request: &RestRequest, key: &str) -> Result<RestResponse, AwsError> {
        super::check_key(key)?;
        let (object, versioned) = self.with_bucket(&request.bucket, |bucket| {
            let found = match request.query("versionId") {
                Some(id) => Some(find_version(bucket, key, id)?),
                None => bucket.current(key),
            };
            let object = found.map(|(stored, id)| stored.to_object(id));
            Ok((object, bucket.versioned))
        })?;
        let Some(object) = object else {
            return Err(no_such_key());
        };
        if let Some(list) = request.header("If-Match")
            && !etag_listed(list, &object.etag)
        {
            return Err(precondition_failed());
        }
        let mut headers = object_headers(&object, versioned);
        if let Some(list) = request.header("If-None-Match")
            && etag_listed(list, &object.etag)
        {
            headers.retain(|(n, _)| n == "ETag" || n == "Last-Modified");
            return Ok(RestResponse {
                status: 304,
                headers,
                body: Bytes::new(),
            });
        }
        let len = object.body.len() as u64;
        let body = Bytes::from(object.body);
        let (status, body) = match byte_range(request.header("Range"), len) {
            Ok(None) => (200, body),
            Ok(Some((first, last))) => {
                headers.push((
                    "Content-Range".to_owned(),
                    format!("bytes {first}-{last}/{len}"),
                ));
                (206, body.slice(first as usize..=last as usize))
            }
            Err(()) => {
                return Err(AwsError::new(
                    AwsErrorKind::Malformed,
                    "InvalidRange",
                    "The requested range is not satisfiable",
                ));
            }
        };
        headers.push(("Content-Length".to_owned(), body.len().to_string()));
        Ok(RestResponse {
            status,
            headers,
            body,
        })
    }

    fn rest_put(&self, request: &RestRequest, key: &str) -> Result<RestResponse, AwsError> {
        super::check_key(key)?;
        if let Some(digest) = request.header("Content-MD5") {
            let expected = base64::engine::general_purpose::STANDARD
                .decode(digest.trim())
                .ok()
                .filter(|d| d.len() == 16)
                .ok_or_else(|| {
                    malformed(
                        "InvalidDigest",
                        "The Content-MD5 you specified was invalid.",
                    )
                })?;
            if Md5::digest(&request.body).as_slice() != expected.as_slice() {
                return Err(malformed(
                    "BadDigest",
                    "The Content-MD5 you specified did not match what we received.",
                ));
            }
        }
        let metadata = request
            .headers
            .iter()
            .filter_map(|(name, value)| {
                let lower = name.to_ascii_lowercase();
                lower
                    .strip_prefix("x-amz-meta-")
                    .map(|n| (n.to_owned(), value.clone()))
            })
            .collect();
        let options = super::check_options(PutOptions {
            content_type: request.header("Content-Type").map(str::to_owned),
            content_encoding: request.header("Content-Encoding").map(str::to_owned),
            metadata,
        })?;
        let output = self.with_bucket(&request.bucket, |bucket| {
            let current = bucket.current(key).map(|(stored, _)| stored.etag.clone());
            if let Some(list) = request.header("If-None-Match")
                && current
                    .as_deref()
                    .is_some_and(|etag| etag_listed(list, etag))
            {
                return Err(precondition_failed());
            }
            if let Some(list) = request.header("If-Match") {
                match &current {
                    None => return Err(no_such_key()),
                    Some(etag) if !etag_listed(list, etag) => return Err(precondition_failed()),
                    Some(_) => {}
                }
            }
            Ok(self.store(&request.bucket, bucket, key, request.body.clone(), options))
        })?;
        let mut response = ok(200);
        response.headers.push(("ETag".to_owned(), output.etag));
        response.headers.push((
            "x-amz-server-side-encryption".to_owned(),
            "AES256".to_owned(),
        ));
        if let Some(id) = output.version_id {
            response.headers.push(("x-amz-version-id".to_owned(), id));
        }
        Ok(response)
    }

    fn rest_delete(&self, request: &RestRequest, key: &str) -> Result<RestResponse, AwsError> {
        let output = match request.query("versionId") {
            Some(id) => self.delete_version(&request.bucket, key, id)?,
            None => self.delete(&request.bucket, key)?,
        };
        let mut response = ok(204);
        if output.delete_marker {
            response
                .headers
                .push(("x-amz-delete-marker".to_owned(), "true".to_owned()));
        }
        if let Some(id) = output.version_id {
            response.headers.push(("x-amz-version-id".to_owned(), id));
        }
        Ok(response)
    }

    fn rest_list(&self, request: &RestRequest) -> Result<RestResponse, AwsError> {
        let max_keys = match request.query("max-keys") {
            None => None,
            Some(text) => Some(text.parse::<usize>().map_err(|_| {
                malformed(
                    "InvalidArgument",
                    "Provided max-keys not an integer or within integer range",
                )
            })?),
        };
        let url_encoded = match request.query("encoding-type") {
            None => false,
            Some("url") => true,
            Some(_) => {
                return Err(malformed(
                    "InvalidArgument",
                    "Invalid Encoding Method specified in Request",
                ));
            }
        };
        let list = ListRequest {
            prefix: request.query("prefix").unwrap_or_default().to_owned(),
            delimiter: request.query("delimiter").map(str::to_owned),
            max_keys,
            continuation_token: request.query("continuation-token").map(str::to_owned),
            start_after: request.query("start-after").map(str::to_owned),
        };
        let page = self.list_v2(&request.bucket, &list)?;
        let echo = ListEcho {
            bucket: &request.bucket,
            prefix: &list.prefix,
            delimiter: list.delimiter.as_deref(),
            continuation_token: list.continuation_token.as_deref(),
            start_after: list.start_after.as_deref(),
            url_encoded,
        };
        let mut response = ok(200);
        response
            .headers
            .push(("Content-Type".to_owned(), "application/xml".to_owned()));
        response.body = Bytes::from(xml::list_bucket_result(&page, &echo));
        Ok(response)
    }
}

/// An answer with `status` and no body.
fn ok(status: u16) -> RestResponse {
    RestResponse {
        status,
        headers: Vec::new(),
        body: Bytes::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_like_s3() {
        assert_eq!(byte_range(Some("bytes=0-9"), 100), Ok(Some((0, 9))));
        assert_eq!(byte_range(Some("bytes=90-"), 100), Ok(Some((90, 99))));
        assert_eq!(byte_range(Some("bytes=-10"), 100), Ok(Some((90, 99))));
        assert_eq!(byte_range(Some("bytes=-500"), 100), Ok(Some((0, 99))));
        assert_eq!(byte_range(Some("bytes=50-500"), 100), Ok(Some((50, 99))));
        assert_eq!(byte_range(Some("bytes=100-"), 100), Err(()));
        assert_eq!(byte_range(Some("bytes=-0"), 100), Err(()));
        assert_eq!(byte_range(Some("bytes=0-0"), 0), Err(()));
        // Ignored, as S3 ignores them: no range, several ranges, nonsense, reversed.
        for ignored in [
            None,
            Some("bytes=0-1,3-4"),
            Some("pages=1-2"),
            Some("bytes=x-1"),
            Some("bytes=5-1"),
        ] {
            assert_eq!(byte_range(ignored, 100), Ok(None), "{ignored:?}");
        }
    }

    #[test]
    fn etag_lists() {
        assert!(etag_listed("*", "\"abc\""));
        assert!(etag_listed("\"x\", \"abc\"", "\"abc\""));
        assert!(etag_listed("abc", "\"abc\""));
        assert!(!etag_listed("\"x\"", "\"abc\""));
    }

    #[test]
    fn statuses_by_code_then_kind() {
        let status = |kind, code| status_of(&AwsError::new(kind, code, "m"));
        assert_eq!(status(AwsErrorKind::NotFound, "NoSuchKey"), 404);
        assert_eq!(status(AwsErrorKind::Unauthorized, "AccessDenied"), 403);
        assert_eq!(status(AwsErrorKind::Throttled, "SlowDown"), 503);
        assert_eq!(status(AwsErrorKind::Other, "InternalError"), 500);
        assert_eq!(status(AwsErrorKind::Malformed, "InvalidBucketName"), 400);
        assert_eq!(status(AwsErrorKind::Malformed, "NotImplemented"), 501);
        assert_eq!(status(AwsErrorKind::Throttled, "Custom"), 503);
        assert_eq!(status(AwsErrorKind::ConditionFailed, "Custom"), 412);
    }
}
