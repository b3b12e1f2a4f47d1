//! S3's XML documents: the error body and ListObjectsV2's `ListBucketResult`.

use std::fmt::Write as _;

use super::super::datetime::Utc;
use super::ListPage;

const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;
const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Text escaped for XML content (S3 escapes quotes too: ETags come out as `&quot;…&quot;`).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// `<name>escaped text</name>`.
fn element(out: &mut String, name: &str, text: &str) {
    let _ = write!(out, "<{name}>{}</{name}>", escape(text));
}

/// S3's error document: code, message, any extra elements (`Key`, `BucketName`), resource and request id.
pub(crate) fn error(
    code: &str,
    message: &str,
    extra: &[(&str, &str)],
    resource: &str,
    request_id: &str,
) -> String {
    let mut out = format!("{DECLARATION}\n<Error>");
    element(&mut out, "Code", code);
    element(&mut out, "Message", message);
    for (name, text) in extra {
        element(&mut out, name, text);
    }
    element(&mut out, "Resource", resource);
    element(&mut out, "RequestId", request_id);
    out.push_str("</Error>");
    out
}

/// What a listing echoes of its request, and how names are encoded.
#[derive(Debug, Clone, Default)]
pub(crate) struct ListEcho<'a> {
    pub(crate) bucket: &'a str,
    pub(crate) prefix: &'a str,
    pub(crate) delimiter: Option<&'a str>,
    pub(crate) continuation_token: Option<&'a str>,
    pub(crate) start_after: Option<&'a str>,
    /// `encoding-type=url`: keys and prefixes come URL-encoded (slashes kept).
    pub(crate) url_encoded: bool,
}

/// ListObjectsV2's `ListBucketResult`.
pub(crate) fn list_bucket_result(page: &ListPage, echo: &ListEcho<'_>) -> String {
    let name = |text: &str| {
        if echo.url_encoded {
            super::super::endpoint::percent_encode(text, true)
        } else {
            text.to_owned()
        }
    };
    let mut out = format!("{DECLARATION}\n<ListBucketResult xmlns=\"{NAMESPACE}\">");
    element(&mut out, "Name", echo.bucket);
    element(&mut out, "Prefix", &name(echo.prefix));
    if let Some(token) = echo.continuation_token {
        element(&mut out, "ContinuationToken", token);
    }
    if let Some(token) = &page.next_continuation_token {
        element(&mut out, "NextContinuationToken", token);
    }
    let key_count = page.objects.len() + page.common_prefixes.len();
    element(&mut out, "KeyCount", &key_count.to_string());
    element(&mut out, "MaxKeys", &page.max_keys.to_string());
    if let Some(delimiter) = echo.delimiter {
        element(&mut out, "Delimiter", &name(delimiter));
    }
    element(&mut out, "IsTruncated", &page.is_truncated.to_string());
    if echo.url_encoded {
        element(&mut out, "EncodingType", "url");
    }
    if let Some(start_after) = echo.start_after {
        element(&mut out, "StartAfter", &name(start_after));
    }
    for object in &page.objects {
        out.push_str("<Contents>");
        element(&mut out, "Key", &name(&object.key));
        element(
            &mut out,
            "LastModified",
            &Utc::of(object.last_modified).iso8601(),
        );
        element(&mut out, "ETag", &object.etag);
        element(&mut out, "Size", &object.size.to_string());
        element(&mut out, "StorageClass", "STANDARD");
        out.push_str("</Contents>");
    }
    for prefix in &page.common_prefixes {
        out.push_str("<CommonPrefixes>");
        element(&mut out, "Prefix", &name(prefix));
        out.push_str("</CommonPrefixes>");
    }
    out.push_str("</ListBucketResult>");
    out
}

#[cfg(test)]
mod tests {
    use super::super::ObjectSummary;
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn errors_and_escaping() {
        assert_eq!(escape(r#"a<b>&"c"'"#), "a&lt;b&gt;&amp;&quot;c&quot;&apos;");
        assert_eq!(
            error(
                "NoSuchKey",
                "The specified key does not exist.",
                &[("Key", "a&b")],
                "/b/a&b",
                "1"
            ),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>\
             <Message>The specified key does not exist.</Message><Key>a&amp;b</Key>\
             <Resource>/b/a&amp;b</Resource><RequestId>1</RequestId></Error>"
        );
    }

    #[test]
    fn list_result_shape() {
        let page = ListPage {
            objects: vec![ObjectSummary {
                key: "a b/1".into(),
                size: 3,
                etag: "\"abc\"".into(),
                last_modified: UNIX_EPOCH + Duration::from_secs(1_440_938_160),
            }],
            common_prefixes: vec!["c d/".into()],
            is_truncated: true,
            next_continuation_token: Some("tok".into()),
            max_keys: 2,
        };
        let echo = ListEcho {
            bucket: "b-1",
            delimiter: Some("/"),
            url_encoded: true,
            ..ListEcho::default()
        };
        assert_eq!(
            list_bucket_result(&page, &echo),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b-1</Name>\
             <Prefix></Prefix><NextContinuationToken>tok</NextContinuationToken><KeyCount>2</KeyCount>\
             <MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>\
             <EncodingType>url</EncodingType><Contents><Key>a%20b/1</Key>\
             <LastModified>2015-08-30T12:36:00.000Z</LastModified><ETag>&quot;abc&quot;</ETag>\
             <Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>\
             <CommonPrefixes><Prefix>c%20d/</Prefix></CommonPrefixes></ListBucketResult>"
        );
    }
}
