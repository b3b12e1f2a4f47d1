//! An in-memory Secrets Manager: secrets found by name or ARN, each with versions and staging labels
//! (`AWSCURRENT`, `AWSPREVIOUS`, or the test's own), and the function-side copy that
//! `allowed-staleness-seconds` lets a read come from.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::{AwsError, AwsErrorKind, SeedError, lock};
use crate::clock::Clock;

/// Longest secret id (name or ARN) Secrets Manager accepts.
const MAX_SECRET_ID: usize = 2048;

/// A secret's value in the test host: text (`SecretString`) or bytes (`SecretBinary`).
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// A `SecretString`.
    Text(String),
    /// A `SecretBinary`.
    Binary(Vec<u8>),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Text(t) => write!(f, "Text(<{} bytes>)", t.len()),
            Secret::Binary(b) => write!(f, "Binary(<{} bytes>)", b.len()),
        }
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Self {
        Secret::Text(text.to_owned())
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Self {
        Secret::Text(text)
    }
}

impl From<Vec<u8>> for Secret {
    fn from(bytes: Vec<u8>) -> Self {
        Secret::Binary(bytes)
    }
}

/// Secrets Manager's name rules: 1 to 512 characters of letters, digits and `/_+=.@-`.
pub(crate) fn validate_secret_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 512 {
        return Err(format!(
            "a secret name has 1 to 512 characters, not {}",
            name.len()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "/_+=.@-".contains(*c)))
    {
        return Err(format!(
            "the secret name `{name}` contains `{bad}` (letters, digits and /_+=.@- only)"
        ));
    }
    Ok(())
}

/// The name an id refers to: the id itself, or the name inside a secret ARN
/// (`arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>`).
fn candidates(id: &str) -> Vec<&str> {
    match id.split_once(":secret:") {
        Some((prefix, name))
            if prefix.starts_with("arn:") && prefix.contains(":secretsmanager:") =>
        {
            let mut names = vec![name];
            if let Some((base, suffix)) = name.rsplit_once('-')
                && suffix.len() == 6
            {
                names.push(base);
            }
            names
        }
        _ => vec![id],
    }
}

/// The label of a secret's current version.
pub const AWSCURRENT: &str = "AWSCURRENT";
/// The label the previous current version gets when a new one is put.
pub const AWSPREVIOUS: &str = "AWSPREVIOUS";

/// The account the test host's secret ARNs name.
const ACCOUNT: &str = "123456789012";

/// One version of a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SecretVersion {
    /// Its id.
    pub version_id: String,
    /// Its staging labels.
    pub stages: Vec<String>,
    /// Its value.
    pub value: Secret,
    /// When it was created (Unix seconds, by the host's clock).
    pub created_epoch_seconds: u64,
}

/// What a GetSecretValue found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) arn: String,
    pub(crate) name: String,
    pub(crate) version: SecretVersion,
}

#[derive(Debug)]
struct Entry {
    arn: String,
    versions: Vec<SecretVersion>,
}

/// Which version a request asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Selector {
    pub(crate) secret_id: String,
    pub(crate) version_id: Option<String>,
    pub(crate) version_stage: Option<String>,
}

/// The secrets of one host, and the copies reads may be served from.
#[derive(Debug, Default)]
pub(crate) struct SecretStore {
    clock: Clock,
    region: String,
    secrets: Mutex<HashMap<String, Entry>>,
    /// Answers kept for `allowed-staleness-seconds`: when each was fetched (by the clock) and what it was.
    copies: Mutex<HashMap<Selector, (Duration, Found)>>,
    versions_made: Mutex<u64>,
}

fn not_found() -> AwsError {
    AwsError::new(
        AwsErrorKind::NotFound,
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
    )
}

fn not_found_version(what: &str) -> AwsError {
    AwsError::new(
        AwsErrorKind::NotFound,
        "ResourceNotFoundException",
        format!("Secrets Manager can't find the specified secret value for {what}"),
    )
}

impl SecretStore {
    /// Validate the seeded secrets (each becomes one `AWSCURRENT` version); the error names the secret.
    pub(crate) fn new(seeds: &[(String, Secret)], clock: Clock) -> Result<SecretStore, SeedError> {
        let store = SecretStore {
            clock,
            region: "us-east-1".to_owned(),
            ..SecretStore::default()
        };
        for (name, value) in seeds {
            let error = |message: String| SeedError {
                field: format!("secret `{name}`"),
                message,
            };
            validate_secret_name(name).map_err(error)?;
            if lock(&store.secrets).contains_key(name) {
                return Err(error("the secret is declared twice".into()));
            }
            store.put_version(name, value.clone(), None);
        }
        Ok(store)
    }

    fn now_seconds(&self) -> u64 {
        self.clock
            .now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    /// Add a version of `name` (creating the secret) and make it `AWSCURRENT`; the version that was
    /// current becomes `AWSPREVIOUS`. Returns the new version's id.
    pub(crate) fn put_version(
        &self,
        name: &str,
        value: Secret,
        version_id: Option<String>,
    ) -> String {
        let version_id = version_id.unwrap_or_else(|| {
            let mut made = lock(&self.versions_made);
            *made += 1;
            format!("00000000-0000-4000-8000-{:012x}", *made)
        });
        let created = self.now_seconds();
        let mut secrets = lock(&self.secrets);
        let entry = secrets.entry(name.to_owned()).or_insert_with(|| Entry {
            arn: format!(
                "arn:aws:secretsmanager:{}:{ACCOUNT}:secret:{name}-{}",
                self.region,
                arn_suffix(name)
            ),
            versions: Vec::new(),
        });
        for version in &mut entry.versions {
            version.stages.retain(|s| s != AWSPREVIOUS);
            if let Some(current) = version.stages.iter_mut().find(|s| *s == AWSCURRENT) {
                *current = AWSPREVIOUS.to_owned();
            }
        }
        entry.versions.push(SecretVersion {
            version_id: version_id.clone(),
            stages: vec![AWSCURRENT.to_owned()],
            value,
            created_epoch_seconds: created,
        });
        version_id
    }

    /// Every version of `name`, oldest first.
    pub(crate) fn versions(&self, name: &str) -> Option<Vec<SecretVersion>> {
        lock(&self.secrets).get(name).map(|e| e.versions.clone())
    }

    /// GetSecretValue, from Secrets Manager itself.
    pub(crate) fn get(&self, selector: &Selector) -> Result<Found, AwsError> {
        let id = &selector.secret_id;
        if id.is_empty() || id.len() > MAX_SECRET_ID {
            return Err(AwsError::new(
                AwsErrorKind::Malformed,
                "InvalidParameterException",
                format!("The secret id must have 1 to {MAX_SECRET_ID} characters"),
            ));
        }
        let secrets = lock(&self.secrets);
        let (name, entry) = candidates(id)
            .into_iter()
            .find_map(|name| secrets.get_key_value(name))
            .ok_or_else(not_found)?;
        let by_id = |version_id: &str| entry.versions.iter().find(|v| v.version_id == version_id);
        let by_stage = |stage: &str| {
            entry
                .versions
                .iter()
                .find(|v| v.stages.iter().any(|s| s == stage))
        };
        let version = match (&selector.version_id, &selector.version_stage) {
            (Some(version_id), Some(stage)) => {
                let version = by_id(version_id)
                    .ok_or_else(|| not_found_version(&format!("VersionId: {version_id}")))?;
                if !version.stages.contains(stage) {
                    return Err(AwsError::new(
                        AwsErrorKind::Malformed,
                        "InvalidRequestException",
                        format!(
                            "You provided a VersionStage that is not associated to the provided VersionId:                              {stage} is not a label of {version_id}"
                        ),
                    ));
                }
                version
            }
            (Some(version_id), None) => by_id(version_id)
                .ok_or_else(|| not_found_version(&format!("VersionId: {version_id}")))?,
            (None, Some(stage)) => by_stage(stage)
                .ok_or_else(|| not_found_version(&format!("staging label: {stage}")))?,
            (None, None) => by_stage(AWSCURRENT)
                .ok_or_else(|| not_found_version(&format!("staging label: {AWSCURRENT}")))?,
        };
        Ok(Found {
            arn: entry.arn.clone(),
            name: name.clone(),
            version: version.clone(),
        })
    }

    /// The copy of an earlier answer to the same request, if it is at most `staleness` old.
    pub(crate) fn copy(&self, selector: &Selector, staleness: Duration) -> Option<Found> {
        if staleness.is_zero() {
            return None;
        }
        let now = self.clock.elapsed();
        let copies = lock(&self.copies);
        let (fetched, found) = copies.get(selector)?;
        (now.saturating_sub(*fetched) <= staleness).then(|| found.clone())
    }

    /// Keep `found` as the copy for `selector`.
    pub(crate) fn keep_copy(&self, selector: Selector, found: Found) {
        lock(&self.copies).insert(selector, (self.clock.elapsed(), found));
    }
}

/// The six characters Secrets Manager appends to a secret's ARN (derived from the name here, so ARNs are
/// stable across runs).
fn arn_suffix(name: &str) -> String {
    use sha2::Digest as _;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    sha2::Sha256::digest(name.as_bytes())
        .iter()
        .take(6)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    fn select(id: &str) -> Selector {
        Selector {
            secret_id: id.to_owned(),
            version_id: None,
            version_stage: None,
        }
    }

    fn store() -> SecretStore {
        SecretStore::new(
            &[("prod/db".into(), Secret::from("pw"))],
            Clock::manual(UNIX_EPOCH),
        )
        .expect("valid")
    }

    #[test]
    fn secrets_are_found_by_name_or_arn() {
        let store = store();
        let found = store.get(&select("prod/db")).expect("found");
        assert_eq!(found.version.value, Secret::from("pw"));
        assert!(
            found
                .arn
                .starts_with("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-")
        );
        assert_eq!(
            store.get(&select(&found.arn)).expect("by ARN").name,
            "prod/db"
        );
        assert!(
            store
                .get(&select(
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db"
                ))
                .is_ok()
        );
        assert_eq!(
            store.get(&select("prod/other")).expect_err("missing").kind,
            AwsErrorKind::NotFound
        );
        assert_eq!(
            store.get(&select("")).expect_err("empty").kind,
            AwsErrorKind::Malformed
        );
    }

    #[test]
    fn versions_and_stages() {
        let store = store();
        let first = store
            .get(&select("prod/db"))
            .expect("found")
            .version
            .version_id;
        let second = store.put_version("prod/db", Secret::from("pw2"), None);
        assert_eq!(
            store
                .get(&select("prod/db"))
                .expect("current")
                .version
                .value,
            Secret::from("pw2")
        );
        let previous = Selector {
            version_stage: Some(AWSPREVIOUS.into()),
            ..select("prod/db")
        };
        assert_eq!(
            store.get(&previous).expect("previous").version.version_id,
            first
        );
        let by_id = Selector {
            version_id: Some(first.clone()),
            ..select("prod/db")
        };
        assert_eq!(
            store.get(&by_id).expect("by id").version.value,
            Secret::from("pw")
        );
        let mismatch = Selector {
            version_id: Some(second),
            version_stage: Some(AWSPREVIOUS.into()),
            ..select("prod/db")
        };
        assert_eq!(
            store.get(&mismatch).expect_err("mismatch").code,
            "InvalidRequestException"
        );
        let unknown = Selector {
            version_stage: Some("NOPE".into()),
            ..select("prod/db")
        };
        assert_eq!(
            store.get(&unknown).expect_err("no stage").kind,
            AwsErrorKind::NotFound
        );
    }

    #[test]
    fn copies_serve_reads_within_the_allowed_staleness() {
        let clock = Clock::manual(UNIX_EPOCH);
        let store =
            SecretStore::new(&[("s".into(), Secret::from("a"))], clock.clone()).expect("valid");
        let found = store.get(&select("s")).expect("found");
        store.keep_copy(select("s"), found);
        store.put_version("s", Secret::from("b"), None);
        let stale = Duration::from_secs(30);
        assert_eq!(
            store.copy(&select("s"), stale).expect("copy").version.value,
            Secret::from("a")
        );
        assert!(store.copy(&select("s"), Duration::ZERO).is_none());
        clock.advance(Duration::from_secs(31));
        assert!(store.copy(&select("s"), stale).is_none());
    }

    #[test]
    fn seeds_are_validated() {
        let clock = Clock::system();
        let error = SecretStore::new(&[("bad name".into(), Secret::from("x"))], clock.clone())
            .expect_err("space");
        assert_eq!(error.field, "secret `bad name`");
        assert!(error.message.contains("contains ` `"), "{}", error.message);
        assert!(
            SecretStore::new(
                &[
                    ("a".into(), Secret::from("x")),
                    ("a".into(), Secret::from(vec![1]))
                ],
                clock
            )
            .is_err()
        );
    }
}
