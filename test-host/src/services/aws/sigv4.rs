//! AWS Signature Version 4, for the host's real-HTTP mode: the host signs a guest's request to an AWS
//! endpoint with the keys the guest named (or a role's credentials).
//!
//! [`sign`] adds `x-amz-date`, `x-amz-security-token` (with a session token), `x-amz-content-sha256`
//! (for S3, which requires it; other services do not use it) and `authorization`. The canonical request
//! follows AWS's rules: the method; the path URI-encoded once for S3 and twice for every other service
//! (the path of a URL is already encoded once); the query parameters encoded and sorted; the headers
//! lower-cased, trimmed, their inner runs of spaces collapsed, repeated ones joined with commas, sorted;
//! the hex SHA-256 of the body.

use std::fmt;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use super::datetime::Utc;
use super::endpoint::{percent_decode, percent_encode, split_url};

/// Keys to sign with.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Credentials {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    pub(crate) session_token: Option<String>,
}

impl fmt::Debug for Credentials {
    /// Never shows the secret or the token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A request to sign: [`sign`] adds its headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignableRequest<'a> {
    pub(crate) method: String,
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: &'a [u8],
}

/// Why a request cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SigningError {
    /// The URL is not an `http(s)://` URL with a host.
    InvalidUrl(String),
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigningError::InvalidUrl(url) => {
                write!(f, "cannot sign a request to `{url}`: not an http(s) URL")
            }
        }
    }
}

/// Headers a proxy may change or drop on the way: never signed.
const UNSIGNED_HEADERS: [&str; 10] = [
    "authorization",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
];

/// The hex SHA-256 of the empty body.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA256 (RFC 2104) over the `sha2` digest: 64-byte blocks.
fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| -> Vec<u8> { block.iter().map(|b| b ^ byte).collect() };
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The canonical URI: each segment decoded, then encoded once (S3) or twice (other services).
fn canonical_uri(path: &str, service: &str) -> String {
    let segments: Vec<String> = path
        .split('/')
        .map(|segment| {
            let raw = percent_decode(segment, false).unwrap_or_else(|| segment.to_owned());
            let once = percent_encode(&raw, false);
            if service == "s3" {
                once
            } else {
                percent_encode(&once, false)
            }
        })
        .collect();
    let joined = segments.join("/");
    if joined.is_empty() {
        "/".to_owned()
    } else {
        joined
    }
}

/// The canonical query: pairs decoded, encoded again, sorted by name then value.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| percent_decode(s, true).unwrap_or_else(|| s.to_owned());
            (
                percent_encode(&decode(name), false),
                percent_encode(&decode(value), false),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The signed headers: `(names joined with ;, canonical header lines)`.
fn canonical_headers(headers: &[(String, String)]) -> (String, String) {
    let mut merged: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let name = name.trim().to_ascii_lowercase();
        if UNSIGNED_HEADERS.contains(&name.as_str()) {
            continue;
        }
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        match merged.iter_mut().find(|(n, _)| *n == name) {
            Some((_, existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            None => merged.push((name, value)),
        }
    }
    merged.sort_by(|a, b| a.0.cmp(&b.0));
    let names: Vec<&str> = merged.iter().map(|(n, _)| n.as_str()).collect();
    let lines: String = merged.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    (names.join(";"), lines)
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Sign `request` for `service` in `region` at `time`: adds `x-amz-date`, `x-amz-security-token` (with a
/// session token), `x-amz-content-sha256` (S3) and `authorization`, replacing earlier ones; adds `host`
/// when missing.
pub(crate) fn sign(
    request: &mut SignableRequest<'_>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<(), SigningError> {
    let parts =
        split_url(&request.url).ok_or_else(|| SigningError::InvalidUrl(request.url.clone()))?;
    let host = match parts.port {
        Some(443) if parts.scheme.eq_ignore_ascii_case("https") => parts.host.clone(),
        Some(80) if parts.scheme.eq_ignore_ascii_case("http") => parts.host.clone(),
        Some(port) => format!("{}:{port}", parts.host),
        None => parts.host.clone(),
    };
    let (path, query) = (parts.path.to_owned(), parts.query.to_owned());
    let payload_hash = match header(&request.headers, "x-amz-content-sha256") {
        Some(given) if service == "s3" => given.to_owned(),
        _ if request.body.is_empty() => EMPTY_SHA256.to_owned(),
        _ => hex(&Sha256::digest(request.body)),
    };
    let replaced = [
        "authorization",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
    ];
    request
        .headers
        .retain(|(n, _)| !replaced.iter().any(|r| n.eq_ignore_ascii_case(r)));
    if header(&request.headers, "host").is_none() {
        request.headers.push(("host".to_owned(), host));
    }
    let utc = Utc::of(time);
    request
        .headers
        .push(("x-amz-date".to_owned(), utc.amz_date()));
    if service == "s3" {
        request
            .headers
            .push(("x-amz-content-sha256".to_owned(), payload_hash.clone()));
    }
    if let Some(token) = &credentials.session_token {
        request
            .headers
            .push(("x-amz-security-token".to_owned(), token.clone()));
    }
    let (signed_headers, header_lines) = canonical_headers(&request.headers);
    let canonical = format!(
        "{}\n{}\n{}\n{header_lines}\n{signed_headers}\n{payload_hash}",
        request.method.to_ascii_uppercase(),
        canonical_uri(&path, service),
        canonical_query(&query),
    );
    let scope = format!("{}/{region}/{service}/aws4_request", utc.amz_day());
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
        utc.amz_date(),
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let key = [utc.amz_day().as_str(), region, service, "aws4_request"]
        .iter()
        .fold(
            format!("AWS4{}", credentials.secret_access_key).into_bytes(),
            |key, part| hmac(&key, part.as_bytes()).to_vec(),
        );
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    request.headers.push((
        "authorization".to_owned(),
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            credentials.access_key_id
        ),
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    /// The SigV4 test suite's keys, region, service and time (2015-08-30T12:36:00Z).
    fn suite() -> (Credentials, SystemTime) {
        let credentials = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        };
        (credentials, UNIX_EPOCH + Duration::from_secs(1_440_938_160))
    }

    /// The S3 documentation's keys and time (2013-05-24T00:00:00Z).
    fn s3_docs() -> (Credentials, SystemTime) {
        let credentials = Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        };
        (credentials, UNIX_EPOCH + Duration::from_secs(1_369_353_600))
    }

    fn signed(
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        (credentials, time): (Credentials, SystemTime),
        service: &str,
    ) -> Vec<(String, String)> {
        let mut request = SignableRequest {
            method: method.into(),
            url: url.into(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).into(), (*v).into()))
                .collect(),
            body,
        };
        sign(&mut request, &credentials, "us-east-1", service, time).expect("signs");
        request.headers
    }

    fn authorization(headers: &[(String, String)]) -> &str {
        header(headers, "authorization").expect("signed")
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            hex(&hmac(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a 131-byte key, hashed first.
        assert_eq!(
            hex(&hmac(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn test_suite_get_vanilla() {
        let headers = signed(
            "GET",
            "https://example.amazonaws.com/",
            &[],
            b"",
            suite(),
            "service",
        );
        assert_eq!(
            authorization(&headers),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert_eq!(header(&headers, "x-amz-date"), Some("20150830T123600Z"));
        assert_eq!(header(&headers, "host"), Some("example.amazonaws.com"));
        assert_eq!(header(&headers, "x-amz-content-sha256"), None);
    }

    #[test]
    fn test_suite_post_vanilla() {
        let headers = signed(
            "POST",
            "https://example.amazonaws.com/",
            &[],
            b"",
            suite(),
            "service",
        );
        assert!(authorization(&headers).ends_with(
            "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        ));
    }

    #[test]
    fn test_suite_query_order() {
        let headers = signed(
            "GET",
            "https://example.amazonaws.com/?Param2=value2&Param1=value1",
            &[],
            b"",
            suite(),
            "service",
        );
        assert!(authorization(&headers).ends_with(
            "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        ));
    }

    #[test]
    fn test_suite_repeated_header() {
        let headers = signed(
            "GET",
            "https://example.amazonaws.com/",
            &[
                ("My-Header1", "value2"),
                ("My-Header1", "value2"),
                ("My-Header1", "value1"),
            ],
            b"",
            suite(),
            "service",
        );
        assert_eq!(
            authorization(&headers),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;my-header1;x-amz-date, \
             Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"
        );
    }

    #[test]
    fn s3_docs_get_object() {
        let headers = signed(
            "GET",
            "https://examplebucket.s3.amazonaws.com/test.txt",
            &[("Range", "bytes=0-9")],
            b"",
            s3_docs(),
            "s3",
        );
        assert_eq!(
            authorization(&headers),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        assert_eq!(header(&headers, "x-amz-content-sha256"), Some(EMPTY_SHA256));
    }

    #[test]
    fn s3_docs_put_object_encodes_the_key_once() {
        let headers = signed(
            "PUT",
            "https://examplebucket.s3.amazonaws.com/test$file.text",
            &[
                ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ],
            b"Welcome to Amazon S3.",
            s3_docs(),
            "s3",
        );
        assert!(authorization(&headers).contains(
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, \
             Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
        ));
        assert_eq!(
            header(&headers, "x-amz-content-sha256"),
            Some("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        );
        // The same key already encoded in the URL signs the same.
        let encoded = signed(
            "PUT",
            "https://examplebucket.s3.amazonaws.com/test%24file.text",
            &[
                ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ],
            b"Welcome to Amazon S3.",
            s3_docs(),
            "s3",
        );
        assert_eq!(authorization(&encoded), authorization(&headers));
    }

    #[test]
    fn s3_docs_queries() {
        let lifecycle = signed(
            "GET",
            "https://examplebucket.s3.amazonaws.com/?lifecycle",
            &[],
            b"",
            s3_docs(),
            "s3",
        );
        assert!(authorization(&lifecycle).ends_with(
            "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"
        ));
        let list = signed(
            "GET",
            "https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2",
            &[],
            b"",
            s3_docs(),
            "s3",
        );
        assert!(authorization(&list).ends_with(
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
        ));
    }

    #[test]
    fn encoding_rules() {
        assert_eq!(canonical_uri("/a b/c%2Fd", "s3"), "/a%20b/c%2Fd");
        assert_eq!(canonical_uri("/a%20b", "dynamodb"), "/a%2520b");
        assert_eq!(canonical_uri("", "service"), "/");
        assert_eq!(canonical_query("b=2&a=x%20y&a=1&c"), "a=1&a=x%20y&b=2&c=");
        assert_eq!(canonical_query("k=a+b&s=%2A~"), "k=a%20b&s=%2A~");
        let (names, lines) = canonical_headers(&[
            ("X-Custom".into(), "  a   b  ".into()),
            ("User-Agent".into(), "ignored".into()),
            ("Host".into(), "h".into()),
        ]);
        assert_eq!(
            (names.as_str(), lines.as_str()),
            ("host;x-custom", "host:h\nx-custom:a b\n")
        );
    }

    #[test]
    fn session_tokens_and_resigning() {
        let (mut credentials, time) = suite();
        credentials.session_token = Some("TOKEN".into());
        let mut request = SignableRequest {
            method: "POST".into(),
            url: "https://dynamodb.us-east-1.amazonaws.com:443/".into(),
            headers: vec![
                ("x-amz-target".into(), "DynamoDB_20120810.GetItem".into()),
                ("authorization".into(), "stale".into()),
            ],
            body: b"{}",
        };
        sign(&mut request, &credentials, "us-east-1", "dynamodb", time).expect("signs");
        let auth = authorization(&request.headers).to_owned();
        assert!(auth.contains("SignedHeaders=host;x-amz-date;x-amz-security-token;x-amz-target,"));
        assert_eq!(
            header(&request.headers, "host"),
            Some("dynamodb.us-east-1.amazonaws.com")
        );
        assert_eq!(
            header(&request.headers, "x-amz-security-token"),
            Some("TOKEN")
        );
        // Signing again replaces the signature instead of adding a second one.
        sign(&mut request, &credentials, "us-east-1", "dynamodb", time).expect("signs");
        let count = request
            .headers
            .iter()
            .filter(|(n, _)| n == "authorization")
            .count();
        assert_eq!((count, authorization(&request.headers)), (1, auth.as_str()));
        // A different body signs differently.
        request.body = b"{\"TableName\":\"t\"}";
        sign(&mut request, &credentials, "us-east-1", "dynamodb", time).expect("signs");
        assert_ne!(authorization(&request.headers), auth);
        assert!(!format!("{credentials:?}").contains("EXAMPLEKEY"));
        let mut bad = SignableRequest {
            method: "GET".into(),
            url: "nope".into(),
            headers: vec![],
            body: b"",
        };
        assert_eq!(
            sign(&mut bad, &credentials, "us-east-1", "s3", time),
            Err(SigningError::InvalidUrl("nope".into()))
        );
        assert!(
            SigningError::InvalidUrl("nope".into())
                .to_string()
                .contains("`nope`")
        );
    }
}
