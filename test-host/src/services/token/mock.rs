//! [`TokensMock`]: disposable tokens of a host — validation, the tokens it issued, faults, the call log.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::permissions::{self, TokenPermission};
use crate::clock::Clock;
use crate::services::record::{CallLog, FaultQueue, Matcher};

/// The longest life Momento gives a disposable token: one hour (documented).
pub const MAX_TOKEN_VALIDITY: Duration = Duration::from_secs(3600);
/// The longest `token-id` the test host accepts (its own bound: Momento documents none for functions).
pub const MAX_TOKEN_ID_BYTES: usize = 64;
/// The endpoint the test host's tokens name unless [`TestHostBuilder::token_endpoint`] sets one.
///
/// [`TestHostBuilder::token_endpoint`]: crate::TestHostBuilder::token_endpoint
pub const DEFAULT_TOKEN_ENDPOINT: &str = "cache.momento-functions-test-host.invalid";

/// Every API key the test host issues starts with this.
const KEY_PREFIX: &str = "mfth.";

/// An error `generate-disposable-token` is answered with (the host-side mirror of `token-error`). Tests
/// inject them with [`TokensMock::fail_next`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The permissions, validity or token id are not valid; the message names the field.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The function may not make such a token.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// A limit (e.g. tokens per second) was hit.
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    /// The service failed on its side (the message stays in the host).
    #[error("internal error: {0}")]
    Internal(String),
}

/// A token the test host issued. Its API key is the test host's own: `mfth.` and base64url JSON of
/// these fields, so a test can read it back with [`TokensMock::decode`] (it works nowhere else).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IssuedToken {
    /// The API key handed to the function.
    #[serde(skip)]
    pub api_key: String,
    /// The endpoint handed to the function.
    pub endpoint: String,
    /// When it was made, seconds since the Unix epoch (host clock).
    pub issued_at: u64,
    /// When it expires, seconds since the Unix epoch (host clock).
    pub valid_until: u64,
    /// Its permissions, as validated.
    pub permissions: Vec<TokenPermission>,
    /// The `token-id` it carries.
    pub token_id: Option<String>,
    /// The cache of the function that made it.
    pub cache_name: String,
    /// Its serial number in this host (1, 2, …): two tokens never share a key.
    pub serial: u64,
}

impl IssuedToken {
    /// Is it still valid at `unix_seconds`?
    pub fn is_valid_at(&self, unix_seconds: u64) -> bool {
        unix_seconds < self.valid_until
    }
}

/// One `generate-disposable-token` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenCall {
    /// The invocation that made it.
    pub invocation_id: String,
    /// The validity asked for, in seconds.
    pub valid_for_seconds: u32,
    /// The permissions text as the function sent it.
    pub permissions: String,
    /// The `token-id` asked for.
    pub token_id: Option<String>,
    /// The token, or the error.
    pub result: Result<IssuedToken, TokenError>,
}

/// Disposable tokens ([`TestHost::tokens`](crate::TestHost::tokens)): every request with its outcome,
/// decoding of the test host's API keys, injected faults.
///
/// `generate-disposable-token` validates the permissions as Momento's published SDK serializes them
/// (errors name the field), a validity of 1 s to 1 hour and a token id of at most 64 bytes, and answers
/// with an API key of the test host's own (see [`IssuedToken`]), an endpoint, and a `valid-until` by the
/// host's clock.
///
/// ```
/// use momento_functions_test_host::{TokenError, TokensMock};
///
/// let tokens = TokensMock::default();
/// assert!(tokens.decode("not-a-test-host-key").is_none());
/// tokens.fail_next(1, TokenError::LimitExceeded("too many tokens".into()));
/// assert!(tokens.calls().is_empty());
/// ```
#[derive(Clone)]
pub struct TokensMock {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Clock,
    endpoint: String,
    cache_name: String,
    state: Mutex<State>,
}

struct State {
    calls: CallLog<TokenCall>,
    faults: FaultQueue<Any, TokenError>,
    serial: u64,
}

/// Token faults answer every call.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Any;

impl Matcher<()> for Any {
    fn matches(&self, (): &()) -> bool {
        true
    }
}

impl Default for TokensMock {
    fn default() -> Self {
        TokensMock::new(
            Clock::system(),
            DEFAULT_TOKEN_ENDPOINT.to_owned(),
            "test-cache".to_owned(),
            true,
        )
    }
}

impl std::fmt::Debug for TokensMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokensMock")
            .field("endpoint", &self.inner.endpoint)
            .finish_non_exhaustive()
    }
}

impl TokensMock {
    pub(crate) fn new(
        clock: Clock,
        endpoint: String,
        cache_name: String,
        record_calls: bool,
    ) -> TokensMock {
        TokensMock {
            inner: Arc::new(Inner {
                clock,
                endpoint,
                cache_name,
                state: Mutex::new(State {
                    calls: CallLog::new(record_calls),
                    faults: FaultQueue::default(),
                    serial: 0,
                }),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The endpoint tokens name.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }

    /// One call of the function: fault, validation, issue, record.
    pub(crate) fn generate(
        &self,
        invocation_id: &str,
        valid_for_seconds: u32,
        permissions: String,
        token_id: Option<String>,
    ) -> Result<IssuedToken, TokenError> {
        let now = self
            .inner
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let mut state = self.state();
        let result = match state.faults.take(&()) {
            Some(error) => Err(error),
            None => self
                .validate(valid_for_seconds, &permissions, token_id.as_deref())
                .map(|parsed| {
                    state.serial += 1;
                    let mut token = IssuedToken {
                        api_key: String::new(),
                        endpoint: self.inner.endpoint.clone(),
                        issued_at: now,
                        valid_until: now.saturating_add(u64::from(valid_for_seconds)),
                        permissions: parsed,
                        token_id: token_id.clone(),
                        cache_name: self.inner.cache_name.clone(),
                        serial: state.serial,
                    };
                    token.api_key = encode(&token);
                    token
                }),
        };
        let recorded = result.clone();
        state.calls.record(|| TokenCall {
            invocation_id: invocation_id.to_owned(),
            valid_for_seconds,
            permissions,
            token_id,
            result: recorded,
        });
        result
    }

    fn validate(
        &self,
        valid_for_seconds: u32,
        permissions: &str,
        token_id: Option<&str>,
    ) -> Result<Vec<TokenPermission>, TokenError> {
        let max = MAX_TOKEN_VALIDITY.as_secs();
        if valid_for_seconds == 0 {
            return Err(TokenError::InvalidArgument(
                "expires.valid-for-seconds: must be at least 1".to_owned(),
            ));
        }
        if u64::from(valid_for_seconds) > max {
            return Err(TokenError::InvalidArgument(format!(
                "expires.valid-for-seconds: {valid_for_seconds} is over the maximum of {max} (disposable tokens live at most one hour)"
            )));
        }
        if let Some(id) = token_id
            && id.len() > MAX_TOKEN_ID_BYTES
        {
            return Err(TokenError::InvalidArgument(format!(
                "token-id: {} bytes, over the {MAX_TOKEN_ID_BYTES}-byte limit",
                id.len()
            )));
        }
        permissions::parse(permissions).map_err(TokenError::InvalidArgument)
    }

    /// What an API key of this test host stands for (`None` for any other string). Decoding does not
    /// check expiry: compare [`IssuedToken::valid_until`] with the host's clock.
    pub fn decode(&self, api_key: &str) -> Option<IssuedToken> {
        decode(api_key)
    }

    /// Every token issued so far, in order.
    pub fn issued(&self) -> Vec<IssuedToken> {
        self.calls()
            .into_iter()
            .filter_map(|call| call.result.ok())
            .collect()
    }

    /// Every `generate-disposable-token` call so far, in order (also refused ones).
    pub fn calls(&self) -> Vec<TokenCall> {
        self.state().calls.snapshot()
    }

    /// Forget the recorded calls.
    pub fn clear_calls(&self) {
        self.state().calls.clear();
    }

    /// Answer the next `calls` requests with `error`.
    pub fn fail_next(&self, calls: usize, error: TokenError) {
        self.state().faults.push(Any, error, Some(calls));
    }

    /// Answer requests with `error`, `times` times (`None`: always), from fixtures.
    pub(crate) fn add_fault(&self, error: TokenError, times: Option<usize>) {
        self.state().faults.push(Any, error, times);
    }

    /// Remove every injected fault.
    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }
}

fn encode(token: &IssuedToken) -> String {
    let json = serde_json::to_vec(token).unwrap_or_default();
    format!(
        "{KEY_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    )
}

fn decode(api_key: &str) -> Option<IssuedToken> {
    let encoded = api_key.strip_prefix(KEY_PREFIX)?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()?;
    let mut token: IssuedToken = serde_json::from_slice(&json).ok()?;
    token.api_key = api_key.to_owned();
    Some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::token::permissions::{CacheScope, KeyScope};

    const READ_ONE_KEY: &str = r#"{"explicit":{"permissions":[{"cache_permissions":{"role":"CacheReadOnly","cache_selector":{"cacheName":"c"},"item_selector":{"key":[107]}}}]}}"#;

    fn tokens() -> (TokensMock, Clock) {
        let clock = Clock::manual(UNIX_EPOCH + Duration::from_secs(1_000_000));
        (
            TokensMock::new(clock.clone(), "cell.example".into(), "c".into(), true),
            clock,
        )
    }

    #[test]
    fn issued_keys_decode_to_their_permissions_and_expiry() {
        let (tokens, _) = tokens();
        let token = tokens
            .generate("i", 900, READ_ONE_KEY.into(), Some("user-7".into()))
            .expect("issued");
        assert!(token.api_key.starts_with("mfth."));
        assert_eq!(token.endpoint, "cell.example");
        assert_eq!(token.valid_until, 1_000_900);
        let decoded = tokens.decode(&token.api_key).expect("a test-host key");
        assert_eq!(decoded, token);
        assert_eq!(
            decoded.permissions[0],
            TokenPermission::Cache {
                role: permissions::CacheRole::ReadOnly,
                caches: CacheScope::Named("c".into()),
                items: KeyScope::Key(b"k".to_vec())
            }
        );
        assert!(decoded.is_valid_at(1_000_899) && !decoded.is_valid_at(1_000_900));
        let again = tokens
            .generate("i", 900, READ_ONE_KEY.into(), Some("user-7".into()))
            .unwrap();
        assert_ne!(again.api_key, token.api_key, "serial numbers differ");
        assert_eq!(tokens.issued().len(), 2);
        assert!(tokens.decode("mfth.!!").is_none());
        assert!(tokens.decode("eyJhbGciOi").is_none());
    }

    #[test]
    fn validity_and_token_id_bounds() {
        let (tokens, _) = tokens();
        let invalid = |seconds, id: Option<String>| match tokens.generate(
            "i",
            seconds,
            READ_ONE_KEY.into(),
            id,
        ) {
            Err(TokenError::InvalidArgument(m)) => m,
            other => panic!("expected invalid-argument, got {other:?}"),
        };
        assert!(invalid(0, None).starts_with("expires.valid-for-seconds: must be at least 1"));
        assert!(invalid(3601, None).contains("3601 is over the maximum of 3600"));
        assert!(
            tokens
                .generate("i", 3600, READ_ONE_KEY.into(), None)
                .is_ok()
        );
        assert!(tokens.generate("i", 1, READ_ONE_KEY.into(), None).is_ok());
        assert!(invalid(60, Some("x".repeat(65))).starts_with("token-id: 65 bytes"));
        assert!(
            tokens
                .generate("i", 60, READ_ONE_KEY.into(), Some("x".repeat(64)))
                .is_ok()
        );
        let calls = tokens.calls();
        assert_eq!(calls.iter().filter(|c| c.result.is_err()).count(), 3);
    }

    #[test]
    fn faults_answer_before_validation() {
        let (tokens, _) = tokens();
        tokens.fail_next(1, TokenError::LimitExceeded("slow down".into()));
        assert_eq!(
            tokens.generate("i", 60, READ_ONE_KEY.into(), None),
            Err(TokenError::LimitExceeded("slow down".into()))
        );
        assert!(tokens.generate("i", 60, READ_ONE_KEY.into(), None).is_ok());
    }
}
