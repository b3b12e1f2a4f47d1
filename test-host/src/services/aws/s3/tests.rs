//! The store through its typed API and its REST protocol.

use super::rest::{RestRequest, RestResponse, error_response};
use super::*;

fn store() -> S3Store {
    S3Store::new(&[
        S3Bucket::new("b-1")
            .object("a/1", "one", Some("text/plain"))
            .object("a/2", "two", None)
            .object("a/3", "three", None)
            .object("b/1", "", None),
        S3Bucket::new("history").versioned(),
    ])
    .expect("valid seeds")
}

fn list(
    s3: &S3Store,
    prefix: &str,
    delimiter: Option<&str>,
    max_keys: Option<usize>,
    token: Option<String>,
) -> ListPage {
    s3.list_v2(
        "b-1",
        &ListRequest {
            prefix: prefix.into(),
            delimiter: delimiter.map(Into::into),
            max_keys,
            continuation_token: token,
            start_after: None,
        },
    )
    .expect("lists")
}

fn keys(page: &ListPage) -> Vec<&str> {
    page.objects.iter().map(|o| o.key.as_str()).collect()
}

fn rest(
    s3: &S3Store,
    method: &str,
    bucket: &str,
    key: Option<&str>,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
    body: &str,
) -> RestResponse {
    s3.rest(RestRequest {
        method: method.into(),
        bucket: bucket.into(),
        key: key.map(Into::into),
        query: query
            .iter()
            .map(|(n, v)| ((*n).into(), (*v).into()))
            .collect(),
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).into(), (*v).into()))
            .collect(),
        body: Bytes::from(body.to_owned()),
    })
}

fn text(response: &RestResponse) -> &str {
    std::str::from_utf8(&response.body).expect("UTF-8")
}

#[test]
fn etags_are_quoted_md5_and_content_types_default() {
    let object = store().object("b-1", "b/1").expect("seeded");
    assert_eq!(object.etag, "\"d41d8cd98f00b204e9800998ecf8427e\"");
    assert_eq!(object.content_type, "binary/octet-stream");
    assert_eq!(object.version_id, None);
}

#[test]
fn typed_put_and_get_with_metadata() {
    let s3 = store();
    let output = s3
        .put(
            "b-1",
            "doc.json",
            Bytes::from_static(b"{}"),
            PutOptions {
                content_type: Some("application/json".into()),
                content_encoding: Some("gzip".into()),
                metadata: vec![("Owner".into(), "ada".into())],
            },
        )
        .expect("stored");
    assert_eq!(output.etag, "\"99914b932bd37a50b983c5e7c90ae93b\"");
    assert_eq!((output.version_id, output.expiration), (None, None));
    let object = s3.get("b-1", "doc.json").expect("gets").expect("found");
    assert_eq!(object.body, b"{}");
    assert_eq!(
        object.metadata,
        vec![("owner".to_owned(), "ada".to_owned())]
    );
    assert_eq!(object.content_encoding.as_deref(), Some("gzip"));
    assert_eq!(s3.get("b-1", "nope").expect("gets"), None);
    s3.delete("b-1", "doc.json").expect("deleted");
    assert_eq!(
        s3.keys("b-1").expect("bucket"),
        ["a/1", "a/2", "a/3", "b/1"]
    );
    let too_much = PutOptions {
        metadata: vec![("big".into(), "x".repeat(2048))],
        ..PutOptions::default()
    };
    assert_eq!(
        s3.put("b-1", "k", Bytes::new(), too_much)
            .expect_err("too large")
            .code,
        "MetadataTooLarge"
    );
    let bad_name = PutOptions {
        metadata: vec![("a b".into(), "x".into())],
        ..PutOptions::default()
    };
    assert_eq!(
        s3.put("b-1", "k", Bytes::new(), bad_name)
            .expect_err("bad name")
            .code,
        "InvalidArgument"
    );
}

#[test]
fn versioned_buckets_keep_versions_and_markers() {
    let s3 = store();
    let v1 = s3
        .put(
            "history",
            "k",
            Bytes::from_static(b"one"),
            PutOptions::default(),
        )
        .expect("v1")
        .version_id
        .expect("an id");
    let v2 = s3
        .put(
            "history",
            "k",
            Bytes::from_static(b"two"),
            PutOptions::default(),
        )
        .expect("v2")
        .version_id
        .expect("an id");
    assert_ne!(v1, v2);
    assert_eq!(v1.len(), 32);
    let current = s3.get("history", "k").expect("gets").expect("found");
    assert_eq!(
        (current.body.as_slice(), current.version_id.as_deref()),
        (&b"two"[..], Some(v2.as_str()))
    );
    let old = s3
        .get_version("history", "k", &v1)
        .expect("gets")
        .expect("found");
    assert_eq!(old.body, b"one");
    let marker = s3.delete("history", "k").expect("deleted");
    assert!(marker.delete_marker);
    assert_eq!(s3.get("history", "k").expect("gets"), None);
    assert_eq!(s3.keys("history").expect("bucket"), Vec::<String>::new());
    let marker_id = marker.version_id.expect("marker id");
    assert_eq!(
        s3.get_version("history", "k", &marker_id)
            .expect_err("marker")
            .code,
        "MethodNotAllowed"
    );
    assert_eq!(
        s3.get_version("history", "k", "nope")
            .expect_err("no version")
            .code,
        "NoSuchVersion"
    );
    // Removing the marker brings v2 back.
    let removed = s3
        .delete_version("history", "k", &marker_id)
        .expect("removed");
    assert!(removed.delete_marker);
    assert_eq!(
        s3.get("history", "k").expect("gets").map(|o| o.body),
        Some(b"two".to_vec())
    );
    // Without versioning only `null` names a version.
    assert_eq!(
        s3.get_version("b-1", "a/1", "null")
            .expect("gets")
            .map(|o| o.body),
        Some(b"one".to_vec())
    );
    assert_eq!(
        s3.get_version("b-1", "a/1", &v1)
            .expect_err("no versions")
            .code,
        "InvalidArgument"
    );
}

#[test]
fn listing_pages_by_prefix() {
    let s3 = store();
    let first = list(&s3, "a/", None, Some(2), None);
    assert_eq!(keys(&first), ["a/1", "a/2"]);
    assert!(first.is_truncated);
    let second = list(&s3, "a/", None, Some(2), first.next_continuation_token);
    assert_eq!(keys(&second), ["a/3"]);
    assert_eq!(second.objects[0].size, 5);
    assert_eq!(
        (second.is_truncated, second.next_continuation_token),
        (false, None)
    );
    assert_eq!(list(&s3, "", None, None, None).objects.len(), 4);
    let none = list(&s3, "", None, Some(0), None);
    assert!(none.objects.is_empty() && !none.is_truncated);
    let error = s3
        .list_v2(
            "b-1",
            &ListRequest {
                continuation_token: Some("%%%".into()),
                ..ListRequest::default()
            },
        )
        .expect_err("bad token");
    assert_eq!(
        (error.kind, error.code.as_str()),
        (AwsErrorKind::Malformed, "InvalidArgument")
    );
    let after = s3
        .list_v2(
            "b-1",
            &ListRequest {
                start_after: Some("a/2".into()),
                ..ListRequest::default()
            },
        )
        .expect("lists");
    assert_eq!(keys(&after), ["a/3", "b/1"]);
}

#[test]
fn listing_rolls_up_common_prefixes() {
    let s3 = store();
    let top = list(&s3, "", Some("/"), None, None);
    assert!(top.objects.is_empty());
    assert_eq!(top.common_prefixes, ["a/", "b/"]);
    // A common prefix counts as one entry, and the next page starts after all of its keys.
    let first = list(&s3, "", Some("/"), Some(1), None);
    assert_eq!(
        (first.common_prefixes.clone(), first.is_truncated),
        (vec!["a/".to_owned()], true)
    );
    let second = list(&s3, "", Some("/"), Some(1), first.next_continuation_token);
    assert_eq!(
        (second.common_prefixes, second.is_truncated),
        (vec!["b/".to_owned()], false)
    );
    let inside = list(&s3, "a/", Some("/"), None, None);
    assert_eq!(keys(&inside), ["a/1", "a/2", "a/3"]);
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
    let missing = s3.get("missing", "k").expect_err("missing");
    assert_eq!(
        (
            missing.kind,
            missing.code.as_str(),
            missing.message.as_str()
        ),
        (
            AwsErrorKind::NotFound,
            "NoSuchBucket",
            "The specified bucket does not exist"
        )
    );
    assert_eq!(
        s3.get("b-1", "").expect_err("empty").kind,
        AwsErrorKind::Malformed
    );
    assert_eq!(
        s3.put(
            "b-1",
            &"k".repeat(1025),
            Bytes::new(),
            PutOptions::default()
        )
        .expect_err("long")
        .code,
        "KeyTooLongError"
    );
    let bad_type = PutOptions {
        content_type: Some("bad\ntype".into()),
        ..PutOptions::default()
    };
    assert_eq!(
        s3.put("b-1", "k", Bytes::new(), bad_type)
            .expect_err("bad")
            .code,
        "InvalidArgument"
    );
    let error = S3Store::new(&[S3Bucket::new("ok-bucket")
        .object("k", "", None)
        .object("k", "", None)])
    .expect_err("duplicate");
    assert_eq!(error.field, "bucket `ok-bucket`.objects[1]");
    assert_eq!(
        validate_bucket(&S3Bucket::new("Bad"))
            .expect_err("bad")
            .field,
        "name"
    );
    let twice = S3Store::new(&[S3Bucket::new("abc"), S3Bucket::new("abc")]).expect_err("twice");
    assert_eq!(twice.message, "the bucket is declared twice");
}

#[test]
fn rest_put_get_head_delete() {
    let s3 = store();
    let put = rest(
        &s3,
        "PUT",
        "b-1",
        Some("docs/a b.txt"),
        &[],
        &[
            ("Content-Type", "text/plain"),
            ("X-Amz-Meta-Owner", "ada"),
            ("Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="),
        ],
        "hello",
    );
    assert_eq!(put.status, 200);
    assert_eq!(
        put.header("etag"),
        Some("\"5d41402abc4b2a76b9719d911017c592\"")
    );
    let get = rest(&s3, "GET", "b-1", Some("docs/a b.txt"), &[], &[], "");
    assert_eq!((get.status, text(&get)), (200, "hello"));
    assert_eq!(get.header("Content-Type"), Some("text/plain"));
    assert_eq!(get.header("Content-Length"), Some("5"));
    assert_eq!(get.header("x-amz-meta-owner"), Some("ada"));
    assert!(
        get.header("Last-Modified")
            .is_some_and(|d| d.ends_with(" GMT"))
    );
    assert!(get.header("x-amz-request-id").is_some());
    let head = rest(&s3, "HEAD", "b-1", Some("docs/a b.txt"), &[], &[], "");
    assert_eq!(
        (head.status, head.body.len(), head.header("Content-Length")),
        (200, 0, Some("5"))
    );
    let range = rest(
        &s3,
        "GET",
        "b-1",
        Some("docs/a b.txt"),
        &[],
        &[("Range", "bytes=1-3")],
        "",
    );
    assert_eq!(
        (range.status, text(&range), range.header("Content-Range")),
        (206, "ell", Some("bytes 1-3/5"))
    );
    let unsatisfiable = rest(
        &s3,
        "GET",
        "b-1",
        Some("docs/a b.txt"),
        &[],
        &[("Range", "bytes=9-")],
        "",
    );
    assert_eq!(unsatisfiable.status, 416);
    assert!(text(&unsatisfiable).contains("<Code>InvalidRange</Code>"));
    let etag = "\"5d41402abc4b2a76b9719d911017c592\"";
    let cached = rest(
        &s3,
        "GET",
        "b-1",
        Some("docs/a b.txt"),
        &[],
        &[("If-None-Match", etag)],
        "",
    );
    assert_eq!((cached.status, cached.body.len()), (304, 0));
    let stale = rest(
        &s3,
        "GET",
        "b-1",
        Some("docs/a b.txt"),
        &[],
        &[("If-Match", "\"other\"")],
        "",
    );
    assert_eq!(stale.status, 412);
    let delete = rest(&s3, "DELETE", "b-1", Some("docs/a b.txt"), &[], &[], "");
    assert_eq!(delete.status, 204);
    let gone = rest(&s3, "GET", "b-1", Some("docs/a b.txt"), &[], &[], "");
    assert_eq!(gone.status, 404);
    let body = text(&gone);
    assert!(body.contains("<Code>NoSuchKey</Code>"));
    assert!(body.contains("<Message>The specified key does not exist.</Message>"));
    assert!(body.contains("<Key>docs/a b.txt</Key>"));
    assert!(body.contains("<Resource>/b-1/docs/a b.txt</Resource>"));
    assert!(body.contains("<RequestId>"));
    let head_gone = rest(&s3, "HEAD", "b-1", Some("docs/a b.txt"), &[], &[], "");
    assert_eq!((head_gone.status, head_gone.body.len()), (404, 0));
}

#[test]
fn rest_conditional_and_checked_puts() {
    let s3 = store();
    let create = |key: &str| {
        rest(
            &s3,
            "PUT",
            "b-1",
            Some(key),
            &[],
            &[("If-None-Match", "*")],
            "x",
        )
    };
    assert_eq!(create("new").status, 200);
    let again = create("new");
    assert_eq!(again.status, 412);
    assert!(text(&again).contains("<Code>PreconditionFailed</Code>"));
    let if_match = rest(
        &s3,
        "PUT",
        "b-1",
        Some("missing"),
        &[],
        &[("If-Match", "\"x\"")],
        "x",
    );
    assert_eq!(if_match.status, 404);
    let bad_digest = rest(
        &s3,
        "PUT",
        "b-1",
        Some("k"),
        &[],
        &[("Content-MD5", "XUFAKrxLKna5cZ2REBfFkg==")],
        "other",
    );
    assert_eq!(bad_digest.status, 400);
    assert!(text(&bad_digest).contains("<Code>BadDigest</Code>"));
    let invalid_digest = rest(
        &s3,
        "PUT",
        "b-1",
        Some("k"),
        &[],
        &[("Content-MD5", "nope")],
        "x",
    );
    assert!(text(&invalid_digest).contains("<Code>InvalidDigest</Code>"));
    let copy = rest(
        &s3,
        "PUT",
        "b-1",
        Some("k"),
        &[],
        &[("x-amz-copy-source", "/b-1/a/1")],
        "",
    );
    assert_eq!(copy.status, 501);
}

#[test]
fn rest_versions() {
    let s3 = store();
    let put = rest(&s3, "PUT", "history", Some("k"), &[], &[], "one");
    let v1 = put
        .header("x-amz-version-id")
        .expect("versioned")
        .to_owned();
    rest(&s3, "PUT", "history", Some("k"), &[], &[], "two");
    let old = rest(
        &s3,
        "GET",
        "history",
        Some("k"),
        &[("versionId", &v1)],
        &[],
        "",
    );
    assert_eq!(
        (old.status, text(&old), old.header("x-amz-version-id")),
        (200, "one", Some(v1.as_str()))
    );
    let deleted = rest(&s3, "DELETE", "history", Some("k"), &[], &[], "");
    assert_eq!(deleted.header("x-amz-delete-marker"), Some("true"));
    assert_eq!(
        rest(&s3, "GET", "history", Some("k"), &[], &[], "").status,
        404
    );
    let no_version = rest(
        &s3,
        "GET",
        "history",
        Some("k"),
        &[("versionId", "zzz")],
        &[],
        "",
    );
    assert_eq!(no_version.status, 404);
    assert!(text(&no_version).contains("<Code>NoSuchVersion</Code>"));
}

#[test]
fn rest_list_objects_v2() {
    let s3 = store();
    let page = rest(
        &s3,
        "GET",
        "b-1",
        None,
        &[("list-type", "2"), ("prefix", "a/"), ("max-keys", "2")],
        &[],
        "",
    );
    assert_eq!(page.status, 200);
    assert_eq!(page.header("Content-Type"), Some("application/xml"));
    let body = text(&page);
    assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b-1</Name><Prefix>a/</Prefix>"));
    assert!(body.contains("<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"));
    assert!(body.contains("<IsTruncated>true</IsTruncated>"));
    assert!(body.contains("<Contents><Key>a/1</Key>"));
    assert!(
        body.contains("<ETag>&quot;f97c5d29941bfb1b2fdab0874906ab82&quot;</ETag><Size>3</Size>")
    );
    let token = body
        .split("<NextContinuationToken>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("a token");
    let next = rest(
        &s3,
        "GET",
        "b-1",
        None,
        &[
            ("list-type", "2"),
            ("prefix", "a/"),
            ("continuation-token", token),
        ],
        &[],
        "",
    );
    let body = text(&next);
    assert!(body.contains(&format!("<ContinuationToken>{token}</ContinuationToken>")));
    assert!(body.contains("<Key>a/3</Key>") && !body.contains("<Key>a/1</Key>"));
    assert!(body.contains("<IsTruncated>false</IsTruncated>"));
    let rolled = rest(
        &s3,
        "GET",
        "b-1",
        None,
        &[("list-type", "2"), ("delimiter", "/")],
        &[],
        "",
    );
    assert!(text(&rolled).contains("<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes>"));
    let bad = rest(
        &s3,
        "GET",
        "b-1",
        None,
        &[("list-type", "2"), ("max-keys", "x")],
        &[],
        "",
    );
    assert_eq!(bad.status, 400);
    assert!(text(&bad).contains("<Code>InvalidArgument</Code>"));
    let v1 = rest(&s3, "GET", "b-1", None, &[], &[], "");
    assert_eq!(v1.status, 501);
}

#[test]
fn rest_bucket_errors_and_injected_faults() {
    let s3 = store();
    let missing = rest(&s3, "GET", "nope-bucket", Some("k"), &[], &[], "");
    assert_eq!(missing.status, 404);
    let body = text(&missing);
    assert!(body.contains("<Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>nope-bucket</BucketName>"));
    let invalid = rest(&s3, "GET", "Bad_Bucket", Some("k"), &[], &[], "");
    assert_eq!(invalid.status, 400);
    assert!(text(&invalid).contains("<Code>InvalidBucketName</Code>"));
    assert_eq!(rest(&s3, "HEAD", "b-1", None, &[], &[], "").status, 200);
    assert_eq!(
        rest(&s3, "HEAD", "nope-bucket", None, &[], &[], "").status,
        404
    );
    assert_eq!(
        rest(&s3, "PATCH", "b-1", Some("k"), &[], &[], "").status,
        405
    );
    assert_eq!(
        rest(&s3, "GET", "b-1", Some("k"), &[("tagging", "")], &[], "").status,
        501
    );
    assert_eq!(rest(&s3, "GET", "", None, &[], &[], "").status, 501);
    // Faults the host injects render as S3 does.
    let request = RestRequest {
        method: "GET".into(),
        bucket: "b-1".into(),
        key: Some("k".into()),
        ..RestRequest::default()
    };
    let denied = error_response(
        &AwsError::new(AwsErrorKind::Unauthorized, "AccessDenied", "Access Denied"),
        &request,
        "R1",
    );
    assert_eq!(denied.status, 403);
    assert_eq!(
        text(&denied),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><Resource>/b-1/k</Resource><RequestId>R1</RequestId></Error>"
    );
    let slow = error_response(
        &AwsError::new(
            AwsErrorKind::Throttled,
            "SlowDown",
            "Please reduce your request rate.",
        ),
        &request,
        "R2",
    );
    assert_eq!(
        (slow.status, slow.header("x-amz-request-id")),
        (503, Some("R2"))
    );
    let head = RestRequest {
        method: "HEAD".into(),
        ..request
    };
    let denied = AwsError::new(AwsErrorKind::Unauthorized, "AccessDenied", "Access Denied");
    let fault = s3.fault_response(&denied, &head);
    assert_eq!((fault.status, fault.body.len()), (403, 0));
    assert_eq!(fault.header("x-amz-request-id").map(str::len), Some(16));
}
