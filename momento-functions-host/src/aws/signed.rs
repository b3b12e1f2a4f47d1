//! AWS operations the platform's AWS interfaces lack, sent as HTTP requests through `momento:http` that
//! the host signs with SigV4, using the credentials a provider was made with.

use crate::aws::auth::{Authorization, AwsCredentialsProvider};
use crate::wit::momento::bytes::bytes::Data as WitData;
use crate::wit::momento::http1_1_0::http as wit;

/// What a client needs to sign requests like its provider: the authorization and the region.
#[derive(Debug, Clone)]
pub(crate) struct Signer {
    authorization: Authorization,
    region: String,
}

/// A response from AWS: status and the whole body.
#[derive(Debug)]
pub(crate) struct AwsResponse {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

impl Signer {
    pub(crate) fn new(provider: &AwsCredentialsProvider) -> Self {
        Signer {
            authorization: provider.authorization().clone(),
            region: provider.region().to_owned(),
        }
    }

    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    /// Send `method url` with `headers` and `body`, signed for `service`. The error is a description of
    /// why no response came back.
    pub(crate) fn send(
        &self,
        service: &str,
        method: &str,
        url: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<AwsResponse, String> {
        let authorization = self
            .authorization
            .http_signing(&self.region, service)
            .map_err(|e| e.to_string())?;
        let request = wit::Request {
            url,
            verb: method.to_owned(),
            headers,
            body: WitData::Value(body),
            authorization,
        };
        let response = wit::invoke(request).map_err(describe)?;
        let body = crate::Data::from_wit(response.body)
            .try_into_bytes()
            .map_err(|e| format!("the response body broke off: {e}"))?;
        Ok(AwsResponse {
            status: response.status,
            body,
        })
    }
}

/// A sentence for an HTTP error.
pub(crate) fn describe(error: wit::Error) -> String {
    match error {
        wit::Error::InternalError => "the host's HTTP client failed".to_owned(),
        wit::Error::RequestError(m) => format!("request failed: {m}"),
        wit::Error::InvalidUrl(e) => format!("invalid URL `{}`: {}", e.url, e.error),
        wit::Error::InvalidHeaderName(e) => {
            format!("invalid header name `{}`: {}", e.header, e.error)
        }
        wit::Error::InvalidHeaderValue(e) => {
            format!("invalid header value `{}`: {}", e.value, e.error)
        }
        wit::Error::Timeout(m) => format!("timed out: {m}"),
        wit::Error::ConnectTimeout(m) => format!("connect timed out: {m}"),
        wit::Error::ConnectionFailed(m) => format!("cannot connect: {m}"),
        wit::Error::ConnectionInterrupted(m) => format!("connection interrupted: {m}"),
        wit::Error::TlsError(m) => format!("TLS failed: {m}"),
        wit::Error::TooManyRedirects(m) => format!("too many redirects: {m}"),
        wit::Error::MalformedResponse(m) => format!("malformed response: {m}"),
    }
}

/// Percent-encode `text` as SigV4 wants it: unreserved characters (`A-Z a-z 0-9 - _ . ~`) as they are,
/// every other byte as `%XX`; `/` too unless `keep_slash`.
pub(crate) fn uri_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_encoding_keeps_unreserved_characters_only() {
        assert_eq!(uri_encode("a-b_c.d~e/f g", true), "a-b_c.d~e/f%20g");
        assert_eq!(uri_encode("a/b+c=d&é", false), "a%2Fb%2Bc%3Dd%26%C3%A9");
    }

    #[test]
    fn errors_become_sentences() {
        assert_eq!(
            describe(wit::Error::ConnectionFailed("dns".into())),
            "cannot connect: dns"
        );
        assert_eq!(
            describe(wit::Error::InvalidUrl(wit::InvalidUrl {
                url: "x".into(),
                error: "relative".into()
            })),
            "invalid URL `x`: relative"
        );
    }
}
