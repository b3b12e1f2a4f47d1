//! Telling AWS requests apart by URL: DynamoDB's regional endpoint, and S3's path-style and
//! virtual-hosted-style endpoints (with the bucket and the percent-decoded key). Also the percent
//! encoding AWS uses (RFC 3986's unreserved characters stay, everything else is `%XX`).

/// An AWS endpoint the test host answers itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AwsEndpoint {
    /// `https://dynamodb.{region}.amazonaws.com/`.
    DynamoDb { region: String },
    /// `https://s3.{region}.amazonaws.com/{bucket}/{key}` or `https://{bucket}.s3.{region}.amazonaws.com/{key}`
    /// (`s3.amazonaws.com` is us-east-1). `bucket` is `None` for the service itself (ListBuckets); `key`
    /// is `None` for the bucket itself. `query` is decoded.
    S3 {
        region: String,
        bucket: Option<String>,
        key: Option<String>,
        query: Vec<(String, String)>,
    },
}

/// The region of the global S3 endpoint.
const GLOBAL_REGION: &str = "us-east-1";

/// Percent-encode `text` the way AWS canonicalizes: `A-Z a-z 0-9 - _ . ~` stay (and `/` when
/// `keep_slash`), every other byte of the UTF-8 becomes `%XX` (upper-case hex).
pub(crate) fn percent_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decode `%XX` escapes (and `+` as a space when `plus_is_space`, as in query strings); `None` when the
/// result is not UTF-8. A `%` not followed by two hex digits stays as it is.
pub(crate) fn percent_decode(text: &str, plus_is_space: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| char::from(*b).to_digit(16));
        match bytes[i] {
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// A query string's pairs, decoded (`a=1&b&c=x%20y` → `[(a, 1), (b, ""), (c, "x y")]`).
pub(crate) fn parse_query(query: &str) -> Option<Vec<(String, String)>> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(name, true)?, percent_decode(value, true)?))
        })
        .collect()
}

/// The parts of a URL the endpoints are told by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlParts<'a> {
    pub(crate) scheme: &'a str,
    /// As written, with a port if any (`Host` header value).
    pub(crate) authority: &'a str,
    /// Lower case, without the port.
    pub(crate) host: String,
    pub(crate) port: Option<u16>,
    /// As written (still percent-encoded); `/` when empty.
    pub(crate) path: &'a str,
    /// After `?`, as written.
    pub(crate) query: &'a str,
}

/// Split an `http(s)://` URL (a fragment is dropped).
pub(crate) fn split_url(url: &str) -> Option<UrlParts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    let rest = rest.split('#').next().unwrap_or_default();
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(end);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let hostport = authority.rsplit('@').next().unwrap_or_default();
    // An IPv6 literal keeps its colons inside brackets.
    let port_at = match hostport.rfind(']') {
        Some(bracket) => hostport[bracket..].find(':').map(|at| bracket + at),
        None => hostport.rfind(':'),
    };
    let (host, port) = match port_at {
        Some(at) => (
            &hostport[..at],
            Some(hostport[at + 1..].parse::<u16>().ok()?),
        ),
        None => (hostport, None),
    };
    if host.is_empty() {
        return None;
    }
    Some(UrlParts {
        scheme,
        authority,
        host: host.to_ascii_lowercase(),
        port,
        path: if path.is_empty() { "/" } else { path },
        query,
    })
}

fn is_region(label: &str) -> bool {
    !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// S3's host names, without `.amazonaws.com`: the bucket (virtual-hosted style) and the region.
fn s3_host(labels: &[&str]) -> Option<(Option<String>, String)> {
    // The rightmost `s3` label whose remainder is a valid endpoint tail.
    for i in (0..labels.len()).rev() {
        let region = match (labels[i], &labels[i + 1..]) {
            ("s3", []) => GLOBAL_REGION.to_owned(),
            ("s3", [region]) | ("s3", ["dualstack", region]) if is_region(region) => {
                (*region).to_owned()
            }
            (label, []) if label.starts_with("s3-") => {
                let region = &label[3..];
                if region == "external-1" {
                    GLOBAL_REGION.to_owned()
                } else if is_region(region) {
                    region.to_owned()
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        let bucket = (i > 0).then(|| labels[..i].join("."));
        return Some((bucket, region));
    }
    None
}

/// Which AWS endpoint `url` addresses, if it is one the test host answers.
pub(crate) fn aws_endpoint(url: &str) -> Option<AwsEndpoint> {
    let parts = split_url(url)?;
    let name = parts.host.strip_suffix(".amazonaws.com")?;
    let labels: Vec<&str> = name.split('.').collect();
    if let ["dynamodb", region] = labels.as_slice() {
        return (is_region(region) && parts.path == "/").then(|| AwsEndpoint::DynamoDb {
            region: (*region).to_owned(),
        });
    }
    let (host_bucket, region) = s3_host(&labels)?;
    let path = percent_decode(parts.path.strip_prefix('/').unwrap_or(parts.path), false)?;
    let (bucket, key) = match host_bucket {
        Some(bucket) => (Some(bucket), path),
        None => match path.split_once('/') {
            Some((bucket, key)) => (Some(bucket.to_owned()), key.to_owned()),
            None => ((!path.is_empty()).then(|| path.clone()), String::new()),
        },
    };
    Some(AwsEndpoint::S3 {
        region,
        bucket,
        key: (!key.is_empty()).then_some(key),
        query: parse_query(parts.query)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(region: &str, bucket: Option<&str>, key: Option<&str>) -> Option<AwsEndpoint> {
        Some(AwsEndpoint::S3 {
            region: region.into(),
            bucket: bucket.map(Into::into),
            key: key.map(Into::into),
            query: Vec::new(),
        })
    }

    #[test]
    fn dynamodb_endpoints() {
        assert_eq!(
            aws_endpoint("https://dynamodb.eu-west-1.amazonaws.com/"),
            Some(AwsEndpoint::DynamoDb {
                region: "eu-west-1".into()
            })
        );
        assert_eq!(
            aws_endpoint("https://DynamoDB.us-east-1.amazonaws.com:443"),
            Some(AwsEndpoint::DynamoDb {
                region: "us-east-1".into()
            })
        );
        assert_eq!(
            aws_endpoint("https://dynamodb.us-east-1.amazonaws.com/other"),
            None
        );
        assert_eq!(aws_endpoint("https://dynamodb.amazonaws.com/"), None);
    }

    #[test]
    fn s3_path_style() {
        assert_eq!(
            aws_endpoint("https://s3.eu-west-1.amazonaws.com/my-bucket/a/b%20c.txt"),
            s3("eu-west-1", Some("my-bucket"), Some("a/b c.txt"))
        );
        assert_eq!(
            aws_endpoint("https://s3.amazonaws.com/my-bucket"),
            s3("us-east-1", Some("my-bucket"), None)
        );
        assert_eq!(
            aws_endpoint("https://s3.amazonaws.com/my-bucket/"),
            s3("us-east-1", Some("my-bucket"), None)
        );
        assert_eq!(
            aws_endpoint("https://s3.amazonaws.com/"),
            s3("us-east-1", None, None)
        );
        assert_eq!(
            aws_endpoint("https://s3-us-west-2.amazonaws.com/b-1/k"),
            s3("us-west-2", Some("b-1"), Some("k"))
        );
        assert_eq!(
            aws_endpoint("https://s3.dualstack.ap-south-1.amazonaws.com/b-1/k"),
            s3("ap-south-1", Some("b-1"), Some("k"))
        );
    }

    #[test]
    fn s3_virtual_hosted_style() {
        assert_eq!(
            aws_endpoint("https://my.dotted.bucket.s3.us-east-2.amazonaws.com/x+y%2Fz"),
            s3("us-east-2", Some("my.dotted.bucket"), Some("x+y/z"))
        );
        assert_eq!(
            aws_endpoint("https://photos.s3.amazonaws.com/"),
            s3("us-east-1", Some("photos"), None)
        );
        assert_eq!(
            aws_endpoint("https://s3.s3.us-east-1.amazonaws.com/k"),
            s3("us-east-1", Some("s3"), Some("k"))
        );
        let Some(AwsEndpoint::S3 { query, key, .. }) = aws_endpoint(
            "https://b-1.s3.eu-central-1.amazonaws.com/?list-type=2&prefix=a%2Fb+c&delimiter=/#frag",
        ) else {
            panic!("an S3 endpoint");
        };
        assert_eq!(key, None);
        assert_eq!(
            query,
            vec![
                ("list-type".into(), "2".into()),
                ("prefix".into(), "a/b c".into()),
                ("delimiter".into(), "/".into())
            ]
        );
    }

    #[test]
    fn other_urls_are_not_aws() {
        for url in [
            "https://example.com/",
            "https://sqs.us-east-1.amazonaws.com/",
            "ftp://s3.amazonaws.com/b/k",
            "https://s3.amazonaws.com.evil.com/b/k",
            "not a url",
            "https://s3.amazonaws.com/b/%FF",
        ] {
            assert_eq!(aws_endpoint(url), None, "{url}");
        }
    }

    #[test]
    fn percent_coding() {
        assert_eq!(percent_encode("a b/ü~*", true), "a%20b/%C3%BC~%2A");
        assert_eq!(percent_encode("a/b", false), "a%2Fb");
        assert_eq!(
            percent_decode("a%20b%2f+%zz", false).as_deref(),
            Some("a b/+%zz")
        );
        assert_eq!(percent_decode("a+b", true).as_deref(), Some("a b"));
        assert_eq!(
            parse_query("a=1&b&&c=x%20y"),
            Some(vec![
                ("a".into(), "1".into()),
                ("b".into(), String::new()),
                ("c".into(), "x y".into())
            ])
        );
        let parts = split_url("https://user@Host.Example:8443/p?q=1").expect("valid");
        assert_eq!(
            (
                parts.host.as_str(),
                parts.port,
                parts.path,
                parts.query,
                parts.authority
            ),
            (
                "host.example",
                Some(8443),
                "/p",
                "q=1",
                "user@Host.Example:8443"
            )
        );
        assert_eq!(split_url("https://h:notaport/"), None);
        let v6 = split_url("http://[::1]:9000").expect("valid");
        assert_eq!(
            (v6.host.as_str(), v6.port, v6.path),
            ("[::1]", Some(9000), "/")
        );
        assert_eq!(split_url("http://[::1]/").map(|p| p.port), Some(None));
    }
}
