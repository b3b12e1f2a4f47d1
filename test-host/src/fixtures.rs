//! Fixtures files: a host's environment, limits and mock services in one TOML (or JSON) file, for
//! `invoke --fixtures FILE` and [`TestHostBuilder::fixtures_file`](crate::TestHostBuilder::fixtures_file).
//!
//! The file is parsed into raw serde types (unknown keys are errors), then validated; every error names
//! the file and the field (`fixtures.toml: dynamodb.tables[0].items[1]: One or more parameter values were
//! invalid: Missing the key user_id in the item`). A `.json` file is read as JSON, anything else as TOML.
//! Every section is optional:
//!
//! ```toml
//! function_name = "ddb-get-user"          # the name in each request's context
//!
//! [build]                                 # environment of the crate's build (TestHost::build_env)
//! env = { AWS_ACCESS_KEY_ID = "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY = "example-secret" }
//!
//! [env]                                   # the function's environment variables
//! GREETING = "hello"
//!
//! [limits]                                # any field of Limits; durations in milliseconds
//! deadline_ms = 2000
//! memory_bytes = 67108864
//! host_calls = 100
//!
//! [aws]                                   # accept only these (default: any well-formed credentials)
//! credentials = [{ access_key_id = "AKIDEXAMPLE", secret_access_key = "example-secret" }]
//! roles = ["arn:aws:iam::123456789012:role/reader"]
//!
//! [[aws.faults]]                          # answer matching calls with an error
//! kind = "throttled"                      # not_found, condition_failed, unauthorized, malformed, throttled, other
//! service = "dynamodb"                    # optional: auth, dynamodb, s3, secrets_manager
//! operation = "GetItem"                   # optional: AWS's operation name
//! resource = "users"                      # optional: table, bucket or secret
//! times = 1                               # optional: every matching call when absent
//! message = "Rate exceeded"               # optional
//!
//! [[dynamodb.tables]]
//! name = "users"
//! partition_key = { name = "user_id", type = "S" }     # type S, N or B
//! sort_key = { name = "created", type = "N" }          # optional
//! items = [{ user_id = "u1", created = 1, name = "Ada" }]                  # plain JSON values
//! typed_items = [{ user_id = { S = "u2" }, created = { N = "2" }, tags = { SS = ["a"] } }]  # DynamoDB JSON
//!
//! [[s3.buckets]]
//! name = "reports"
//! objects = [
//!   { key = "a.txt", body = "hello", content_type = "text/plain", metadata = { origin = "seed" } },  # metadata: x-amz-meta-*
//!   { key = "b.bin", body_base64 = "AAEC" },
//!   { key = "c.json", file = "c.json" },     # relative to the fixtures file
//! ]
//!
//! [[secrets]]
//! name = "prod/db"
//! text = "hunter2"                        # or binary_base64 = "..."
//!
//! [[lambda.functions]]                    # AWS Lambda functions with a fixed answer (aws-lambda)
//! name = "resize"
//! json = { url = "https://img.example/1.png" }   # or body = "...", or error = { type = "ValueError", message = "..." }
//! versions = ["1"]                        # optional: qualifiers besides $LATEST
//! aliases = { live = "1" }                # optional
//!
//! [cache]                                 # optional: the whole cache's size (LRU eviction past it)
//! max_total_bytes = "64 MiB"              # default 256 MiB of keys and values
//! max_items = 100000                      # default 1,000,000
//!
//! [[cache.items]]                         # seed the function's cache (TestHost::cache)
//! key = "greeting"
//! value = "hello"                         # or value_base64 = "...", or json = { ... }
//! ttl_ms = 60000                          # optional
//!
//! [[cache.lists]]                         # seed a list (cache-list)
//! key = "recent"
//! values = ["a", "b"]                     # or values_base64 = [...], or json = [{ ... }, ...]
//! ttl_ms = 60000                          # optional
//!
//! [[http.routes]]                         # outbound HTTP mock routes (TestHost::http), first match answers
//! method = "GET"                          # optional: any method
//! url = "https://api.example.com/users/1"
//! prefix = false                          # optional: true matches every URL starting with `url`
//! status = 200                            # default 200
//! headers = { content-type = "application/json" }
//! json = { id = 1 }                       # or body = "...", or body_base64 = "..."
//! times = 1                               # optional: calls HttpMock::verify expects (any number when absent)
//!
//! [topics]                                # limits of publishes (TestHost::topics)
//! max_message_bytes = 4096                # optional (default 4 KiB)
//! subscriber_backlog = 10000              # optional: waiting messages per subscriber
//!
//! [[topics.faults]]                       # answer matching publishes with an error
//! error = "permission_denied"             # invalid_argument, limit_exceeded, timeout, permission_denied,
//!                                         # failed_precondition, not_found, request_cancelled, internal
//! topic = "audit"                         # optional: every topic when absent
//! times = 1                               # optional: every matching publish when absent
//! message = "not allowed"                 # optional
//!
//! [tokens]                                # disposable tokens (TestHost::tokens)
//! endpoint = "cell-1.example.com"         # optional: the endpoint tokens name
//!
//! [[tokens.faults]]                       # answer token requests with an error
//! error = "limit_exceeded"                # invalid_argument, permission_denied, limit_exceeded, internal
//! times = 1                               # optional: every request when absent
//! message = "too many tokens"             # optional
//!
//! [spawn]                                 # optional: spawns waiting at most (default 1,000)
//! queue = 100
//!
//! [[spawn.functions]]                     # functions the function may spawn, by name (TestHost::spawns)
//! name = "resize"
//! path = "../spawn-worker"                # a .wasm file or a function crate, relative to the fixtures file
//! limits = { deadline_ms = 1000 }         # optional: its own limits (default: the host's)
//!
//! [[valkey.clusters]]                     # Valkey clusters by name: real servers (TestHost::valkey)
//! name = "sessions"
//! url = "redis://127.0.0.1:6379"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Deserialize;

use crate::limits::{Limits, LimitsFile};
use crate::services::aws::SeedError;
use crate::services::aws::fixtures::{self as aws, AwsFixtures};
use crate::services::cache::fixtures::{self as cache, CacheFixtures};
use crate::services::http::fixtures::{self as http, HttpRouteFixture};
use crate::services::spawn::fixtures as spawn;
use crate::services::token::fixtures::{self as token, TokenFixtures};
use crate::services::topic::fixtures::{self as topic, TopicFixtures};
use crate::services::valkey::fixtures as valkey;

/// Why a fixtures file (or the seed data of a builder) was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FixtureError {
    /// The file (or a file it names) could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or JSON of the fixtures format: a syntax error, an unknown key, a value
    /// of the wrong type. The message has the line and column.
    #[error("{origin}: {message}")]
    Parse {
        /// The file.
        origin: String,
        /// What the parser said.
        message: String,
    },
    /// A value is not valid.
    #[error("{origin}: {field}: {message}")]
    Invalid {
        /// The file, or `TestHostBuilder` for data given to the builder.
        origin: String,
        /// The field, e.g. `dynamodb.tables[0].items[1]`.
        field: String,
        /// What is wrong.
        message: String,
    },
}

impl FixtureError {
    pub(crate) fn seed(origin: &str, prefix: &str, error: SeedError) -> Self {
        FixtureError::Invalid {
            origin: origin.to_owned(),
            field: if prefix.is_empty() {
                error.field
            } else {
                format!("{prefix}.{}", error.field)
            },
            message: error.message,
        }
    }
}

/// The whole file: the host's own settings, then one section (or a few) per service, each parsed by types
/// of that service's folder.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFixtures {
    function_name: Option<String>,
    cache_name: Option<String>,
    #[serde(default)]
    build: RawBuild,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    limits: LimitsFile,
    #[serde(default)]
    aws: aws::RawAws,
    #[serde(default)]
    dynamodb: aws::RawDynamoDb,
    #[serde(default)]
    s3: aws::RawS3,
    #[serde(default)]
    secrets: Vec<aws::RawSecret>,
    #[serde(default)]
    lambda: aws::RawLambda,
    #[serde(default)]
    cache: cache::RawCache,
    #[serde(default)]
    http: http::RawHttp,
    #[serde(default)]
    topics: topic::RawTopics,
    #[serde(default)]
    tokens: token::RawTokens,
    #[serde(default)]
    spawn: spawn::RawSpawn,
    #[serde(default)]
    valkey: valkey::RawValkey,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBuild {
    #[serde(default)]
    env: BTreeMap<String, String>,
}

/// A validated fixtures file: apply it with
/// [`TestHostBuilder::fixtures`](crate::TestHostBuilder::fixtures). See the [module docs](self) for the
/// format.
///
/// ```
/// use momento_functions_test_host::Fixtures;
///
/// let fixtures = Fixtures::from_toml(r#"
///     [[dynamodb.tables]]
///     name = "users"
///     partition_key = { name = "user_id", type = "S" }
///     items = [{ user_id = "u1", name = "Ada" }]
/// "#).unwrap();
/// # let _ = fixtures;
/// let error = Fixtures::from_toml("[dynamodb]\ntabels = []").unwrap_err();
/// assert!(error.to_string().contains("unknown field `tabels`"), "{error}");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Fixtures {
    pub(crate) origin: String,
    pub(crate) function_name: Option<String>,
    pub(crate) cache_name: Option<String>,
    pub(crate) build_env: Vec<(String, String)>,
    pub(crate) env: Vec<(String, String)>,
    limits: LimitsFile,
    pub(crate) aws: AwsFixtures,
    pub(crate) lambda_functions: Vec<crate::aws::LambdaFunction>,
    pub(crate) cache: CacheFixtures,
    pub(crate) http_routes: Vec<HttpRouteFixture>,
    pub(crate) topics: TopicFixtures,
    pub(crate) tokens: TokenFixtures,
    pub(crate) spawn: spawn::SpawnFixtures,
    /// Valkey clusters: `(name, url)`.
    pub(crate) valkey: Vec<(String, String)>,
}

impl Fixtures {
    /// Read and validate a fixtures file: JSON when it ends in `.json`, TOML otherwise. Files it names
    /// are relative to its directory.
    ///
    /// # Errors
    /// A [`FixtureError`] naming the file and field.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Fixtures, FixtureError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| FixtureError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let origin = path.display().to_string();
        let base = path.parent().unwrap_or(Path::new(""));
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Self::parse_json(&text, &origin, base)
        } else {
            Self::parse_toml(&text, &origin, base)
        }
    }

    /// Validate fixtures written as TOML (files it names are relative to the current directory).
    ///
    /// # Errors
    /// A [`FixtureError`] naming the field.
    pub fn from_toml(text: &str) -> Result<Fixtures, FixtureError> {
        Self::parse_toml(text, "fixtures", Path::new(""))
    }

    /// Validate fixtures written as JSON (files it names are relative to the current directory).
    ///
    /// # Errors
    /// A [`FixtureError`] naming the field.
    pub fn from_json(text: &str) -> Result<Fixtures, FixtureError> {
        Self::parse_json(text, "fixtures", Path::new(""))
    }

    fn parse_toml(text: &str, origin: &str, base: &Path) -> Result<Fixtures, FixtureError> {
        let raw: RawFixtures = toml::from_str(text).map_err(|e| FixtureError::Parse {
            origin: origin.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        validate(raw, origin, base)
    }

    fn parse_json(text: &str, origin: &str, base: &Path) -> Result<Fixtures, FixtureError> {
        let raw: RawFixtures = serde_json::from_str(text).map_err(|e| FixtureError::Parse {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        validate(raw, origin, base)
    }

    /// Where the fixtures came from (the file, or `fixtures`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The environment of the crate's build (`[build] env`).
    pub fn build_env(&self) -> &[(String, String)] {
        &self.build_env
    }

    /// `limits` with the fixtures' limits applied (validated when the fixtures were read).
    pub(crate) fn apply_limits(&self, limits: Limits) -> Limits {
        self.limits.apply(limits.clone()).unwrap_or(limits)
    }
}

/// Validation context shared by the services' sections: the origin their errors name, and helpers.
pub(crate) struct Check<'a> {
    pub(crate) origin: &'a str,
}

impl Check<'_> {
    pub(crate) fn invalid(
        &self,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> FixtureError {
        FixtureError::Invalid {
            origin: self.origin.to_owned(),
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn base64(&self, field: String, text: &str) -> Result<Vec<u8>, FixtureError> {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| self.invalid(field, format!("not valid base64: {e}")))
    }

    /// Exactly one of the ways to give bytes.
    pub(crate) fn one_body(
        &self,
        field: &str,
        names: &str,
        choices: Vec<Option<Result<Vec<u8>, FixtureError>>>,
    ) -> Result<Vec<u8>, FixtureError> {
        let mut given = choices.into_iter().flatten();
        match (given.next(), given.next()) {
            (Some(body), None) => body,
            (None, _) => Err(self.invalid(field, format!("needs one of {names}"))),
            (Some(_), Some(_)) => Err(self.invalid(field, format!("takes only one of {names}"))),
        }
    }
}

fn env_name(check: &Check<'_>, field: String, name: &str) -> Result<(), FixtureError> {
    if name.is_empty() || name.contains('=') || name.contains('\0') {
        return Err(check.invalid(
            field,
            format!("`{name}` is not an environment variable name"),
        ));
    }
    Ok(())
}

fn validate(raw: RawFixtures, origin: &str, base: &Path) -> Result<Fixtures, FixtureError> {
    let check = Check { origin };
    let mut fixtures = Fixtures {
        origin: origin.to_owned(),
        function_name: raw.function_name,
        cache_name: raw.cache_name,
        ..Fixtures::default()
    };
    for (name, value) in raw.build.env {
        env_name(&check, format!("build.env.{name}"), &name)?;
        fixtures.build_env.push((name, value));
    }
    for (name, value) in raw.env {
        env_name(&check, format!("env.{name}"), &name)?;
        fixtures.env.push((name, value));
    }

    if let Err(message) = raw.limits.apply(Limits::default()) {
        let (key, why) = message.split_once(": ").unwrap_or(("", message.as_str()));
        return Err(check.invalid(format!("limits.{key}"), why));
    }
    fixtures.limits = raw.limits;

    fixtures.aws = aws::validate(&check, base, raw.aws, raw.dynamodb, raw.s3, raw.secrets)?;
    fixtures.lambda_functions = aws::validate_lambda(&check, raw.lambda)?;
    fixtures.cache = cache::validate(&check, raw.cache)?;
    fixtures.http_routes = http::validate(&check, raw.http)?;
    fixtures.topics = topic::validate(&check, raw.topics)?;
    fixtures.tokens = token::validate(&check, raw.tokens)?;
    fixtures.spawn = spawn::validate(&check, base, raw.spawn)?;
    fixtures.valkey = valkey::validate(&check, raw.valkey)?;
    Ok(fixtures)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::aws::{AwsFault, AwsService, Secret};

    fn error(toml: &str) -> String {
        Fixtures::from_toml(toml)
            .expect_err("invalid fixtures")
            .to_string()
    }

    #[test]
    fn a_complete_file_is_read() {
        let fixtures = Fixtures::from_toml(
            r#"
            function_name = "f"
            [build]
            env = { AWS_ACCESS_KEY_ID = "AKID" }
            [env]
            GREETING = "hi"
            [limits]
            deadline_ms = 250
            host_calls = 7
            [aws]
            credentials = [{ access_key_id = "AKID", secret_access_key = "s" }]
            roles = ["arn:aws:iam::123456789012:role/r"]
            [[aws.faults]]
            kind = "throttled"
            service = "dynamodb"
            operation = "GetItem"
            times = 2
            [[dynamodb.tables]]
            name = "orders"
            partition_key = { name = "customer", type = "S" }
            sort_key = { name = "no", type = "N" }
            items = [{ customer = "c", no = 1 }]
            typed_items = [{ customer = { S = "c" }, no = { N = "2" }, tags = { SS = ["a"] } }]
            [[s3.buckets]]
            name = "reports"
            objects = [{ key = "a", body = "x", content_type = "text/plain" }, { key = "b", body_base64 = "AAE=" }]
            [[secrets]]
            name = "db"
            text = "pw"
            [[secrets]]
            name = "key"
            binary_base64 = "AQI="
            "#,
        )
        .expect("valid fixtures");
        assert_eq!(fixtures.function_name.as_deref(), Some("f"));
        assert_eq!(
            fixtures.build_env,
            [("AWS_ACCESS_KEY_ID".into(), "AKID".into())]
        );
        assert_eq!(fixtures.env, [("GREETING".into(), "hi".into())]);
        let limits = fixtures.apply_limits(Limits::default());
        assert_eq!(limits.deadline, Duration::from_millis(250));
        assert_eq!(limits.host_calls, 7);
        assert_eq!(limits.memory_bytes, Limits::default().memory_bytes);
        assert_eq!(fixtures.aws.credentials.len(), 1);
        assert_eq!(fixtures.aws.roles.len(), 1);
        assert_eq!(
            fixtures.aws.faults,
            [AwsFault::throttled()
                .service(AwsService::DynamoDb)
                .operation("GetItem")
                .times(2)]
        );
        assert_eq!(
            fixtures.aws.tables[0].items.len() + fixtures.aws.tables[0].typed_items.len(),
            2
        );
        assert_eq!(fixtures.aws.buckets[0].objects[1].1, vec![0, 1]);
        assert_eq!(fixtures.aws.secrets[1].1, Secret::Binary(vec![1, 2]));
    }

    #[test]
    fn json_files_work_too() {
        let fixtures = Fixtures::from_json(
            r#"{"dynamodb": {"tables": [{"name": "users", "partition_key": {"name": "id", "type": "N"}, "items": [{"id": 1}]}]}}"#,
        )
        .expect("valid JSON fixtures");
        assert_eq!(fixtures.aws.tables[0].name(), "users");
        assert!(
            Fixtures::from_json(r#"{"dynamo": {}}"#)
                .expect_err("unknown key")
                .to_string()
                .contains("unknown field `dynamo`")
        );
    }

    #[test]
    fn unknown_keys_and_wrong_types_name_the_place() {
        let message = error("[aws]\ncredentails = []\n");
        assert!(message.contains("unknown field `credentails`"), "{message}");
        assert!(message.contains("line 2"), "{message}");
        let message = error("[[dynamodb.tables]]\nname = 5\n");
        assert!(message.contains("invalid type"), "{message}");
    }

    #[test]
    fn invalid_values_name_the_field() {
        let message = error(
            "[[dynamodb.tables]]\nname = \"users\"\npartition_key = { name = \"id\", type = \"X\" }\n",
        );
        assert!(
            message.contains("unknown variant `X`, expected one of `S`, `N`, `B`")
                && message.contains("line 3"),
            "{message}"
        );
        assert_eq!(
            error(
                "[[dynamodb.tables]]\nname = \"users\"\npartition_key = { name = \"user_id\", type = \"S\" }\nitems = [{ name = \"x\" }]\n"
            ),
            "fixtures: dynamodb.tables[0].items[0]: One or more parameter values were invalid: Missing the key user_id in the item"
        );
        assert_eq!(
            error(
                "[[dynamodb.tables]]\nname = \"users\"\npartition_key = { name = \"id\", type = \"S\" }\nitems = [{ id = 1 }]\n"
            ),
            "fixtures: dynamodb.tables[0].items[0]: One or more parameter values were invalid: Type mismatch for key id expected: S actual: N"
        );
        assert!(error("[[dynamodb.tables]]\nname = \"u\"\npartition_key = { name = \"id\", type = \"S\" }\n").contains("dynamodb.tables[0].name:"));
        assert!(
            error("[[s3.buckets]]\nname = \"Bad_Bucket\"\n")
                .contains("s3.buckets[0].name: InvalidBucketName")
        );
        assert_eq!(
            error("[[s3.buckets]]\nname = \"bucket\"\nobjects = [{ key = \"k\" }]\n"),
            "fixtures: s3.buckets[0].objects[0]: needs one of body, body_base64 or file"
        );
        assert_eq!(
            error(
                "[[s3.buckets]]\nname = \"bucket\"\nobjects = [{ key = \"k\", body = \"a\", body_base64 = \"YQ==\" }]\n"
            ),
            "fixtures: s3.buckets[0].objects[0]: takes only one of body, body_base64 or file"
        );
        assert!(error("[[s3.buckets]]\nname = \"bucket\"\nobjects = [{ key = \"k\", file = \"/nonexistent/x\" }]\n").contains("cannot read /nonexistent/x"));
        assert!(
            error("[[secrets]]\nname = \"s\"\n")
                .contains("secrets[0]: needs exactly one of text or binary_base64")
        );
        assert!(
            error("[[secrets]]\nname = \"s\"\nbinary_base64 = \"***\"\n")
                .contains("secrets[0].binary_base64: not valid base64")
        );
        assert!(
            error("[aws]\nroles = [\"admin\"]\n")
                .contains("aws.roles[0]: `admin` is not an IAM role ARN")
        );
        let message = error("[[aws.faults]]\nkind = \"slow\"\n");
        assert!(
            message.contains("unknown variant `slow`") && message.contains("`throttled`"),
            "{message}"
        );
        let message = error("[[aws.faults]]\nkind = \"other\"\nservice = \"sqs\"\n");
        assert!(
            message.contains("unknown variant `sqs`") && message.contains("`lambda`"),
            "{message}"
        );
        assert!(
            error("[limits]\ndeadline_ms = 0\n").contains("limits.deadline_ms: must be at least 1")
        );
        assert!(error("[env]\n\"A=B\" = \"x\"\n").contains("env.A=B"));
        assert!(error("[[dynamodb.tables]]\nname = \"users\"\npartition_key = { name = \"id\", type = \"S\" }\n[[dynamodb.tables]]\nname = \"users\"\npartition_key = { name = \"id\", type = \"S\" }\n").contains("dynamodb.tables[1].name: the table `users` is already dynamodb.tables[0]"));
    }

    #[test]
    fn cache_and_http_sections_are_validated() {
        let fixtures = Fixtures::from_toml(
            "[[cache.items]]\nkey = \"k\"\njson = { a = 1 }\nttl_ms = 5\n[[http.routes]]\nurl = \"https://example.com/\"\nbody = \"ok\"\n",
        )
        .expect("valid sections");
        assert_eq!(fixtures.cache.items[0].value, br#"{"a":1}"#);
        assert_eq!(fixtures.cache.items[0].ttl, Some(Duration::from_millis(5)));
        assert_eq!(fixtures.http_routes[0].status, 200);
        let route = fixtures.http_routes[0].clone().into_route();
        assert_eq!(route.to_string(), "ANY https://example.com/");
        assert!(
            error("[[cache.items]]\nkey = \"k\"\n")
                .contains("cache.items[0]: needs one of value, value_base64 or json")
        );
        assert!(error("[[http.routes]]\nurl = \"ftp://x\"\n").contains("http.routes[0].url"));
        assert!(
            error("[[http.routes]]\nurl = \"http://x\"\nstatus = 700\n")
                .contains("http.routes[0].status")
        );
    }
}
