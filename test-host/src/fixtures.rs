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
//!   { key = "a.txt", body = "hello", content_type = "text/plain" },
//!   { key = "b.bin", body_base64 = "AAEC" },
//!   { key = "c.json", file = "c.json" },     # relative to the fixtures file
//! ]
//!
//! [[secrets]]
//! name = "prod/db"
//! text = "hunter2"                        # or binary_base64 = "..."
//!
//! [[cache.items]]                         # seed the function's cache (TestHost::cache)
//! key = "greeting"
//! value = "hello"                         # or value_base64 = "...", or json = { ... }
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
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;

use crate::aws::{AwsErrorKind, AwsFault, AwsService, DynamoDbTable, KeyType, S3Bucket, Secret};
use crate::limits::{Limits, LimitsFile};
use crate::services::aws::SeedError;
use crate::services::http::{HttpRoute, MockResponse};

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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFixtures {
    function_name: Option<String>,
    #[serde(default)]
    build: RawBuild,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    limits: LimitsFile,
    #[serde(default)]
    aws: RawAws,
    #[serde(default)]
    dynamodb: RawDynamoDb,
    #[serde(default)]
    s3: RawS3,
    #[serde(default)]
    secrets: Vec<RawSecret>,
    #[serde(default)]
    cache: RawCache,
    #[serde(default)]
    http: RawHttp,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBuild {
    #[serde(default)]
    env: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAws {
    #[serde(default)]
    credentials: Vec<RawCredentials>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    faults: Vec<RawFault>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCredentials {
    access_key_id: String,
    secret_access_key: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFault {
    kind: String,
    service: Option<String>,
    operation: Option<String>,
    resource: Option<String>,
    times: Option<u32>,
    message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDynamoDb {
    #[serde(default)]
    tables: Vec<RawTable>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    name: String,
    partition_key: RawKey,
    sort_key: Option<RawKey>,
    #[serde(default)]
    items: Vec<Value>,
    #[serde(default)]
    typed_items: Vec<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    name: String,
    #[serde(rename = "type")]
    key_type: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawS3 {
    #[serde(default)]
    buckets: Vec<RawBucket>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBucket {
    name: String,
    #[serde(default)]
    objects: Vec<RawObject>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObject {
    key: String,
    body: Option<String>,
    body_base64: Option<String>,
    file: Option<PathBuf>,
    content_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecret {
    name: String,
    text: Option<String>,
    binary_base64: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCache {
    #[serde(default)]
    items: Vec<RawCacheItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCacheItem {
    key: String,
    value: Option<String>,
    value_base64: Option<String>,
    json: Option<Value>,
    ttl_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    #[serde(default)]
    routes: Vec<RawHttpRoute>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttpRoute {
    method: Option<String>,
    url: String,
    #[serde(default)]
    prefix: bool,
    status: Option<u16>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    body: Option<String>,
    body_base64: Option<String>,
    json: Option<Value>,
    times: Option<u32>,
}

/// A cache item from a fixtures file, validated, for the cache mock to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CacheItemFixture {
    pub(crate) key: Vec<u8>,
    pub(crate) value: Vec<u8>,
    pub(crate) ttl: Option<Duration>,
}

/// An outbound HTTP mock route from a fixtures file, validated, for the HTTP mock to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpRouteFixture {
    pub(crate) method: Option<String>,
    pub(crate) url: String,
    pub(crate) prefix: bool,
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) times: Option<u32>,
}

impl HttpRouteFixture {
    /// The mock route this fixture describes.
    pub(crate) fn into_route(self) -> HttpRoute {
        let mut route = match self.method {
            Some(method) => HttpRoute::new(method, self.url),
            None => HttpRoute::any(self.url),
        };
        if self.prefix {
            route = route.prefix();
        }
        let mut response = MockResponse::new(self.status).body(self.body);
        for (name, value) in self.headers {
            response = response.header(name, value);
        }
        route = route.respond(response);
        if let Some(times) = self.times {
            route = route.expect(times as usize);
        }
        route
    }
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
    pub(crate) build_env: Vec<(String, String)>,
    pub(crate) env: Vec<(String, String)>,
    limits: LimitsFile,
    pub(crate) credentials: Vec<(String, String)>,
    pub(crate) roles: Vec<String>,
    pub(crate) faults: Vec<AwsFault>,
    pub(crate) tables: Vec<DynamoDbTable>,
    pub(crate) buckets: Vec<S3Bucket>,
    pub(crate) secrets: Vec<(String, Secret)>,
    pub(crate) cache_items: Vec<CacheItemFixture>,
    pub(crate) http_routes: Vec<HttpRouteFixture>,
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

struct Check<'a> {
    origin: &'a str,
}

impl Check<'_> {
    fn invalid(&self, field: impl Into<String>, message: impl Into<String>) -> FixtureError {
        FixtureError::Invalid {
            origin: self.origin.to_owned(),
            field: field.into(),
            message: message.into(),
        }
    }

    fn base64(&self, field: String, text: &str) -> Result<Vec<u8>, FixtureError> {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| self.invalid(field, format!("not valid base64: {e}")))
    }

    /// Exactly one of the ways to give bytes.
    fn one_body(
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

fn key_type(
    check: &Check<'_>,
    field: String,
    raw: RawKey,
) -> Result<(String, KeyType), FixtureError> {
    let key_type = KeyType::from_name(&raw.key_type).ok_or_else(|| {
        check.invalid(
            format!("{field}.type"),
            format!("`{}` is not a key type: S, N or B", raw.key_type),
        )
    })?;
    Ok((raw.name, key_type))
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

    for (i, credentials) in raw.aws.credentials.into_iter().enumerate() {
        if credentials.access_key_id.is_empty() || credentials.secret_access_key.is_empty() {
            return Err(check.invalid(
                format!("aws.credentials[{i}]"),
                "access_key_id and secret_access_key must not be empty",
            ));
        }
        fixtures
            .credentials
            .push((credentials.access_key_id, credentials.secret_access_key));
    }
    for (i, role) in raw.aws.roles.into_iter().enumerate() {
        if !crate::services::aws::auth::is_role_arn(&role) {
            return Err(check.invalid(
                format!("aws.roles[{i}]"),
                format!(
                    "`{role}` is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)"
                ),
            ));
        }
        fixtures.roles.push(role);
    }
    for (i, raw) in raw.aws.faults.into_iter().enumerate() {
        let field = format!("aws.faults[{i}]");
        let kind = AwsErrorKind::from_name(&raw.kind).ok_or_else(|| {
            check.invalid(
                format!("{field}.kind"),
                format!(
                    "`{}` is not a fault kind: not_found, condition_failed, unauthorized, malformed, throttled or other",
                    raw.kind
                ),
            )
        })?;
        let mut fault = AwsFault::new(kind);
        if let Some(service) = raw.service {
            let service = AwsService::from_name(&service).ok_or_else(|| {
                check.invalid(
                    format!("{field}.service"),
                    format!("`{service}` is not a service: auth, dynamodb, s3 or secrets_manager"),
                )
            })?;
            fault = fault.service(service);
        }
        if let Some(operation) = raw.operation {
            fault = fault.operation(operation);
        }
        if let Some(resource) = raw.resource {
            fault = fault.resource(resource);
        }
        if let Some(times) = raw.times {
            if times == 0 {
                return Err(check.invalid(format!("{field}.times"), "must be at least 1"));
            }
            fault = fault.times(times);
        }
        if let Some(message) = raw.message {
            fault = fault.message(message);
        }
        fixtures.faults.push(fault);
    }

    for (i, raw) in raw.dynamodb.tables.into_iter().enumerate() {
        let field = format!("dynamodb.tables[{i}]");
        let (pk, pk_type) = key_type(&check, format!("{field}.partition_key"), raw.partition_key)?;
        let mut table = DynamoDbTable::new(raw.name, pk, pk_type);
        if let Some(sort) = raw.sort_key {
            let (sk, sk_type) = key_type(&check, format!("{field}.sort_key"), sort)?;
            table = table.sort_key(sk, sk_type);
        }
        table.items = raw.items;
        table.typed_items = raw.typed_items;
        crate::services::aws::ddb::validate_table(&table)
            .map_err(|e| FixtureError::seed(origin, &field, e))?;
        if let Some(first) = fixtures.tables.iter().position(|t| t.name == table.name) {
            return Err(check.invalid(
                format!("{field}.name"),
                format!(
                    "the table `{}` is already dynamodb.tables[{first}]",
                    table.name
                ),
            ));
        }
        fixtures.tables.push(table);
    }

    for (i, raw) in raw.s3.buckets.into_iter().enumerate() {
        let field = format!("s3.buckets[{i}]");
        let mut bucket = S3Bucket::new(raw.name);
        for (j, object) in raw.objects.into_iter().enumerate() {
            let object_field = format!("{field}.objects[{j}]");
            let file = object.file.map(|file| {
                let path = base.join(file);
                std::fs::read(&path).map_err(|source| FixtureError::Io { path, source })
            });
            let body = check.one_body(
                &object_field,
                "body, body_base64 or file",
                vec![
                    object.body.map(|b| Ok(b.into_bytes())),
                    object
                        .body_base64
                        .map(|b| check.base64(format!("{object_field}.body_base64"), &b)),
                    file,
                ],
            )?;
            bucket = bucket.object(object.key, body, object.content_type.as_deref());
        }
        crate::services::aws::s3::validate_bucket(&bucket)
            .map_err(|e| FixtureError::seed(origin, &field, e))?;
        if let Some(first) = fixtures.buckets.iter().position(|b| b.name == bucket.name) {
            return Err(check.invalid(
                format!("{field}.name"),
                format!(
                    "the bucket `{}` is already s3.buckets[{first}]",
                    bucket.name
                ),
            ));
        }
        fixtures.buckets.push(bucket);
    }

    for (i, raw) in raw.secrets.into_iter().enumerate() {
        let field = format!("secrets[{i}]");
        crate::services::aws::secrets::validate_secret_name(&raw.name)
            .map_err(|m| check.invalid(format!("{field}.name"), m))?;
        let value = match (raw.text, raw.binary_base64) {
            (Some(text), None) => Secret::Text(text),
            (None, Some(b64)) => {
                Secret::Binary(check.base64(format!("{field}.binary_base64"), &b64)?)
            }
            _ => return Err(check.invalid(field, "needs exactly one of text or binary_base64")),
        };
        if let Some(first) = fixtures.secrets.iter().position(|(n, _)| *n == raw.name) {
            return Err(check.invalid(
                format!("{field}.name"),
                format!("the secret `{}` is already secrets[{first}]", raw.name),
            ));
        }
        fixtures.secrets.push((raw.name, value));
    }

    for (i, raw) in raw.cache.items.into_iter().enumerate() {
        let field = format!("cache.items[{i}]");
        if raw.key.is_empty() {
            return Err(check.invalid(format!("{field}.key"), "must not be empty"));
        }
        let value = check.one_body(
            &field,
            "value, value_base64 or json",
            vec![
                raw.value.map(|v| Ok(v.into_bytes())),
                raw.value_base64
                    .map(|v| check.base64(format!("{field}.value_base64"), &v)),
                raw.json.map(|v| Ok(v.to_string().into_bytes())),
            ],
        )?;
        if raw.ttl_ms == Some(0) {
            return Err(check.invalid(format!("{field}.ttl_ms"), "must be at least 1"));
        }
        fixtures.cache_items.push(CacheItemFixture {
            key: raw.key.into_bytes(),
            value,
            ttl: raw.ttl_ms.map(Duration::from_millis),
        });
    }

    for (i, raw) in raw.http.routes.into_iter().enumerate() {
        let field = format!("http.routes[{i}]");
        if !(raw.url.starts_with("http://") || raw.url.starts_with("https://")) {
            return Err(check.invalid(
                format!("{field}.url"),
                format!("`{}` is not an absolute http or https URL", raw.url),
            ));
        }
        let status = raw.status.unwrap_or(200);
        if !(100..=599).contains(&status) {
            return Err(check.invalid(
                format!("{field}.status"),
                format!("{status} is not an HTTP status"),
            ));
        }
        if let Some(method) = &raw.method
            && (method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()))
        {
            return Err(check.invalid(
                format!("{field}.method"),
                format!("`{method}` is not an HTTP method"),
            ));
        }
        let choices = vec![
            raw.body.map(|b| Ok(b.into_bytes())),
            raw.body_base64
                .map(|b| check.base64(format!("{field}.body_base64"), &b)),
            raw.json.map(|v| Ok(v.to_string().into_bytes())),
        ];
        let body = if choices.iter().all(Option::is_none) {
            Vec::new()
        } else {
            check.one_body(&field, "body, body_base64 or json", choices)?
        };
        fixtures.http_routes.push(HttpRouteFixture {
            method: raw.method.map(|m| m.to_ascii_uppercase()),
            url: raw.url,
            prefix: raw.prefix,
            status,
            headers: raw.headers.into_iter().collect(),
            body,
            times: raw.times,
        });
    }
    Ok(fixtures)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(fixtures.credentials.len(), 1);
        assert_eq!(fixtures.roles.len(), 1);
        assert_eq!(
            fixtures.faults,
            [AwsFault::throttled()
                .service(AwsService::DynamoDb)
                .operation("GetItem")
                .times(2)]
        );
        assert_eq!(
            fixtures.tables[0].items.len() + fixtures.tables[0].typed_items.len(),
            2
        );
        assert_eq!(fixtures.buckets[0].objects[1].1, vec![0, 1]);
        assert_eq!(fixtures.secrets[1].1, Secret::Binary(vec![1, 2]));
    }

    #[test]
    fn json_files_work_too() {
        let fixtures = Fixtures::from_json(
            r#"{"dynamodb": {"tables": [{"name": "users", "partition_key": {"name": "id", "type": "N"}, "items": [{"id": 1}]}]}}"#,
        )
        .expect("valid JSON fixtures");
        assert_eq!(fixtures.tables[0].name(), "users");
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
        assert_eq!(
            error(
                "[[dynamodb.tables]]\nname = \"users\"\npartition_key = { name = \"id\", type = \"X\" }\n"
            ),
            "fixtures: dynamodb.tables[0].partition_key.type: `X` is not a key type: S, N or B"
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
        assert!(
            error("[[aws.faults]]\nkind = \"slow\"\n")
                .contains("aws.faults[0].kind: `slow` is not a fault kind")
        );
        assert!(
            error("[[aws.faults]]\nkind = \"other\"\nservice = \"lambda\"\n")
                .contains("aws.faults[0].service")
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
        assert_eq!(fixtures.cache_items[0].value, br#"{"a":1}"#);
        assert_eq!(fixtures.cache_items[0].ttl, Some(Duration::from_millis(5)));
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
