//! [`TestHost`]: load a function once, invoke it many times, and inspect what it did.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::aws::{
    AwsCall, AwsFault, DynamoDbTable, LambdaFunction, LambdaFunctionError, S3Bucket, S3Object,
    Secret,
};
use crate::clock::Clock;
use crate::error::{InvokeError, LoadError};
use crate::fixtures::{FixtureError, Fixtures};
use crate::limits::Limits;
use crate::logs::{Level, LogRecord};
use crate::runtime::{Function, ImportInfo, Invocation, Outcome, Runtime};
use crate::services::aws::ddb::DdbStore;
use crate::services::aws::lambda::LambdaRegistry;
use crate::services::aws::s3::S3Store;
use crate::services::aws::secrets::{SecretStore, SecretVersion};
use crate::services::aws::{AuthPolicy, AwsState};
use crate::services::cache::{CacheLimits, CacheMock};
use crate::services::http::{HttpMock, HttpRoute, RealHttpConfig};
use crate::services::log::{LogDelivery, LogDestination, LogService, LoggingCall};
use crate::services::spawn::runner::{DEFAULT_SPAWN_QUEUE, SpawnMock, SpawnService};
use crate::services::token::{DEFAULT_TOKEN_ENDPOINT, TokenError, TokensMock};
use crate::services::topic::fixtures::TopicFaultFixture;
use crate::services::topic::{TopicLimits, TopicsMock};
use crate::services::valkey::cluster::{ValkeyMock, ValkeyService};
use crate::services::web::stream::{SinkError, StreamSink, with_stream_sink};
use crate::state::Services;
use crate::stream::{SseEvent, Stream, StreamPart};

/// A list to seed: key, elements, TTL (`None`: never expires).
type SeededList = (Vec<u8>, Vec<Vec<u8>>, Option<Duration>);

/// The cache name functions see in `__CACHE_NAME` unless the builder sets one.
const DEFAULT_CACHE_NAME: &str = "test-cache";

/// A local host for one function: the compiled component, its limits and its mock services.
///
/// Cheap to clone and safe to share between threads; every invocation runs in a fresh instance while the
/// services (and their state) are shared.
///
/// ```no_run
/// use momento_functions_test_host::{Request, TestHost};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let host = TestHost::for_crate(env!("CARGO_MANIFEST_DIR"))?;
/// let response = host.invoke(Request::post("/").body("hello"))?;
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.text()?, "hello");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TestHost {
    function: Arc<Function>,
    services: Arc<Services>,
}

impl std::fmt::Debug for TestHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestHost")
            .field("component", &self.function.content_hash)
            .field("limits", &self.function.runtime.limits)
            .finish_non_exhaustive()
    }
}

/// Configures a [`TestHost`]: environment, limits, services; then loads the function.
#[derive(Debug, Clone)]
pub struct TestHostBuilder {
    limits: Limits,
    env: Vec<(String, String)>,
    function_name: Option<String>,
    cache_name: Option<String>,
    log_level: Level,
    keep_log_history: bool,
    compile_cache: Option<PathBuf>,
    clock: Clock,
    cache_limits: CacheLimits,
    /// Seeded cache items: key, value, TTL (`None`: never expires).
    cache_items: Vec<(Vec<u8>, Vec<u8>, Option<Duration>)>,
    /// Seeded lists: key, elements, TTL (`None`: never expires).
    cache_lists: Vec<SeededList>,
    http_routes: Vec<HttpRoute>,
    real_http: Option<RealHttpConfig>,
    record_calls: bool,
    build_env: Vec<(String, String)>,
    keep_aws_calls: bool,
    aws_policy: AuthPolicy,
    aws_faults: Vec<AwsFault>,
    dynamodb_tables: Vec<DynamoDbTable>,
    s3_buckets: Vec<S3Bucket>,
    secrets: Vec<(String, Secret)>,
    lambda_functions: Vec<LambdaFunction>,
    topic_limits: TopicLimits,
    topic_faults: Vec<TopicFaultFixture>,
    token_endpoint: Option<String>,
    token_faults: Vec<(TokenError, Option<usize>)>,
    /// Spawn functions by name: where each comes from and its own limits (`None`: the host's).
    spawn_functions: Vec<(String, PathBuf, Option<Limits>)>,
    spawn_queue: usize,
    /// Valkey clusters: name and server URL.
    valkey_clusters: Vec<(String, String)>,
    /// The first fixtures file that could not be used, reported when the host is built.
    fixture_error: Option<std::sync::Arc<FixtureError>>,
}

impl Default for TestHostBuilder {
    fn default() -> Self {
        TestHostBuilder {
            limits: Limits::default(),
            env: Vec::new(),
            function_name: None,
            cache_name: None,
            log_level: Level::Trace,
            keep_log_history: true,
            compile_cache: crate::runtime::default_compile_cache_dir(),
            clock: Clock::system(),
            cache_limits: CacheLimits::default(),
            cache_items: Vec::new(),
            cache_lists: Vec::new(),
            http_routes: Vec::new(),
            real_http: None,
            record_calls: true,
            build_env: Vec::new(),
            keep_aws_calls: true,
            aws_policy: AuthPolicy::default(),
            aws_faults: Vec::new(),
            dynamodb_tables: Vec::new(),
            s3_buckets: Vec::new(),
            secrets: Vec::new(),
            lambda_functions: Vec::new(),
            topic_limits: TopicLimits::default(),
            topic_faults: Vec::new(),
            token_endpoint: None,
            token_faults: Vec::new(),
            spawn_functions: Vec::new(),
            spawn_queue: DEFAULT_SPAWN_QUEUE,
            valkey_clusters: Vec::new(),
            fixture_error: None,
        }
    }
}

impl TestHostBuilder {
    /// Set an environment variable of the function (`std::env::var` in the guest).
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        self.env.retain(|(k, _)| *k != key);
        self.env.push((key, value.into()));
        self
    }

    /// Set several environment variables.
    pub fn envs<K: Into<String>, V: Into<String>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        for (k, v) in vars {
            self = self.env(k, v);
        }
        self
    }

    /// The function's name, in `__FUNCTION_NAME` (default: the crate or file name).
    pub fn function_name(mut self, name: impl Into<String>) -> Self {
        self.function_name = Some(name.into());
        self
    }

    /// The name of the cache the function belongs to, in `__CACHE_NAME` (default `test-cache`).
    pub fn cache_name(mut self, name: impl Into<String>) -> Self {
        self.cache_name = Some(name.into());
        self
    }

    /// Replace all limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits configured so far (to adjust some of them: `builder.configured_limits().clone()`).
    pub fn configured_limits(&self) -> &Limits {
        &self.limits
    }

    /// The least severe log level kept (default `Trace`: everything).
    pub fn log_level(mut self, level: Level) -> Self {
        self.log_level = level;
        self
    }

    /// Keep every invocation's log records in [`TestHost::logs`] (default on).
    pub fn keep_log_history(mut self, keep: bool) -> Self {
        self.keep_log_history = keep;
        self
    }

    /// Cache compiled components in `dir` (default: `$MOMENTO_FUNCTIONS_CACHE_DIR` or `~/.cache/momento-functions`).
    pub fn compile_cache(mut self, dir: impl Into<PathBuf>) -> Self {
        self.compile_cache = Some(dir.into());
        self
    }

    /// Always compile; never read or write the compile cache.
    pub fn no_compile_cache(mut self) -> Self {
        self.compile_cache = None;
        self
    }

    /// Set an environment variable of the function crate's **build** (`cargo build` for
    /// [`build_crate`](Self::build_crate)), e.g. the keys `build_environment_aws_credentials!()` bakes in.
    ///
    /// Other variables are inherited from the test process. Each distinct build environment is built once
    /// per process; cargo rebuilds only the function crate when the values change.
    pub fn build_env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        self.build_env.retain(|(k, _)| *k != key);
        self.build_env.push((key, value.into()));
        self
    }

    /// Keep every AWS call in [`AwsMock::calls`] (default on). Turn it off for long runs (benchmarks,
    /// servers): the history grows with every call.
    pub fn keep_aws_calls(mut self, keep: bool) -> Self {
        self.keep_aws_calls = keep;
        self
    }

    /// Accept these AWS credentials. Once any credentials or role are declared, the AWS mocks refuse all
    /// others (calls signed with other keys fail with `Unauthorized`); by default any well-formed
    /// credentials work.
    pub fn aws_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        self.aws_policy
            .credentials
            .push((access_key_id.into(), secret_access_key.into()));
        self
    }

    /// Accept this federated IAM role (`arn:aws:iam::<account>:role/<name>`); see
    /// [`aws_credentials`](Self::aws_credentials).
    pub fn aws_role(mut self, role_arn: impl Into<String>) -> Self {
        self.aws_policy.roles.push(role_arn.into());
        self
    }

    /// Credentials that stand for the federated role `role_arn` when the function sends a real request
    /// signed as that role (`authorization: federated`, in real-HTTP mode): the test host cannot assume
    /// real roles, so it signs with these keys for `region`. Also accepts the role, like
    /// [`aws_role`](Self::aws_role).
    pub fn aws_role_credentials(
        mut self,
        role_arn: impl Into<String>,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        region: impl Into<String>,
    ) -> Self {
        let role_arn = role_arn.into();
        self.aws_policy.roles.push(role_arn.clone());
        self.aws_policy.role_credentials.push((
            role_arn,
            crate::services::aws::sigv4::Credentials {
                access_key_id: access_key_id.into(),
                secret_access_key: secret_access_key.into(),
                session_token: None,
            },
            region.into(),
        ));
        self
    }

    /// Answer matching AWS calls with an error (see [`AwsFault`]).
    pub fn aws_fault(mut self, fault: AwsFault) -> Self {
        self.aws_faults.push(fault);
        self
    }

    /// Add a DynamoDB table with its items (validated when the host is built), replacing any table of
    /// the same name.
    pub fn dynamodb_table(mut self, table: DynamoDbTable) -> Self {
        self.dynamodb_tables.retain(|t| t.name() != table.name());
        self.dynamodb_tables.push(table);
        self
    }

    /// Add an S3 bucket with its objects (validated when the host is built), replacing any bucket of the
    /// same name.
    pub fn s3_bucket(mut self, bucket: S3Bucket) -> Self {
        self.s3_buckets.retain(|b| b.name() != bucket.name());
        self.s3_buckets.push(bucket);
        self
    }

    /// Add a Secrets Manager secret: text (`&str`, `String`) or binary (`Vec<u8>`), replacing any secret
    /// of the same name.
    pub fn secret(mut self, name: impl Into<String>, value: impl Into<Secret>) -> Self {
        let name = name.into();
        self.secrets.retain(|(n, _)| *n != name);
        self.secrets.push((name, value.into()));
        self
    }

    /// Register an AWS Lambda function (the older generation's `aws-lambda`): invoking `name` runs
    /// `handler` on the payload. Replaces any function of the same name.
    ///
    /// ```no_run
    /// use momento_functions_test_host::TestHost;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let host = TestHost::builder()
    ///     .lambda("double", |payload: &[u8]| {
    ///         let n: i64 = serde_json::from_slice(payload).map_err(|e| e.to_string())?;
    ///         Ok((n * 2).to_string().into_bytes())
    ///     })
    ///     .build_crate(env!("CARGO_MANIFEST_DIR"))?;
    /// # let _ = host;
    /// # Ok(()) }
    /// ```
    pub fn lambda<F>(self, name: impl Into<String>, handler: F) -> Self
    where
        F: Fn(&[u8]) -> Result<Vec<u8>, LambdaFunctionError> + Send + Sync + 'static,
    {
        self.lambda_function(LambdaFunction::new(name, handler))
    }

    /// Register a Lambda function with its versions and aliases, or one that is another component (see
    /// [`LambdaFunction`]). Replaces any function of the same name.
    pub fn lambda_function(mut self, function: LambdaFunction) -> Self {
        self.lambda_functions
            .retain(|f| f.name() != function.name());
        self.lambda_functions.push(function);
        self
    }

    /// Apply fixtures: function name, build environment, environment, limits, AWS credentials, faults
    /// and data, cache items and HTTP mock routes. Later builder calls add to (or override) them.
    pub fn fixtures(mut self, fixtures: Fixtures) -> Self {
        if let Some(name) = fixtures.function_name.clone() {
            self.function_name = Some(name);
        }
        if let Some(name) = fixtures.cache_name.clone() {
            self.cache_name = Some(name);
        }
        self.limits = fixtures.apply_limits(self.limits);
        let Fixtures {
            build_env,
            env,
            aws,
            cache,
            http_routes,
            spawn,
            valkey,
            topics,
            tokens,
            lambda_functions,
            ..
        } = fixtures;
        if let Some(bytes) = cache.max_total_bytes {
            self.cache_limits.max_total_bytes = bytes;
        }
        if let Some(items) = cache.max_items {
            self.cache_limits.max_items = items;
        }
        let cache_items = cache.items;
        let cache_lists = cache.lists;
        for function in lambda_functions {
            self = self.lambda_function(function);
        }
        if let Some(endpoint) = tokens.endpoint {
            self.token_endpoint = Some(endpoint);
        }
        self.token_faults.extend(tokens.faults);
        if let Some(limits) = topics.limits {
            self.topic_limits = limits;
        }
        self.topic_faults.extend(topics.faults);
        let crate::services::aws::fixtures::AwsFixtures {
            credentials,
            roles,
            faults,
            tables,
            buckets,
            secrets,
        } = aws;
        for (key, value) in build_env {
            self = self.build_env(key, value);
        }
        self = self.envs(env);
        self.aws_policy.credentials.extend(credentials);
        self.aws_policy.roles.extend(roles);
        self.aws_faults.extend(faults);
        for table in tables {
            self = self.dynamodb_table(table);
        }
        for bucket in buckets {
            self = self.s3_bucket(bucket);
        }
        for (name, value) in secrets {
            self = self.secret(name, value);
        }
        for item in cache_items {
            self.cache_items.push((item.key, item.value, item.ttl));
        }
        for list in cache_lists {
            self.cache_lists.push((list.key, list.elements, list.ttl));
        }
        for route in http_routes {
            self = self.http_route(route.into_route());
        }
        for (name, url) in valkey {
            self = self.valkey(name, url);
        }
        if let Some(queue) = spawn.queue {
            self = self.spawn_queue(queue);
        }
        for function in spawn.functions {
            let limits = function.limits(&self.limits);
            self = self.register_function(function.name, function.path, limits);
        }
        self
    }

    /// Read a fixtures file (TOML, or JSON when it ends in `.json`; see [`Fixtures`]) and apply it. A file
    /// that cannot be read or is not valid makes the build fail with [`LoadError::Fixtures`], naming the
    /// file and field.
    pub fn fixtures_file(mut self, path: impl AsRef<Path>) -> Self {
        match Fixtures::from_file(path) {
            Ok(fixtures) => self.fixtures(fixtures),
            Err(error) => {
                self.fixture_error
                    .get_or_insert_with(|| std::sync::Arc::new(error));
                self
            }
        }
    }

    /// Build the function crate in `dir` (once per process and build environment) and load it.
    ///
    /// # Errors
    /// A build error, or a [`LoadError`] saying why the component is rejected.
    pub fn build_crate(self, dir: impl AsRef<Path>) -> Result<TestHost, LoadError> {
        let dir = dir.as_ref();
        self.check_fixtures()?;
        let wasm = crate::guest_build::build_crate_once_with_env(dir, &self.build_env)?;
        let name = dir
            .canonicalize()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()));
        self.default_name(name).build_file(wasm)
    }

    /// Load a component from a `.wasm` file.
    ///
    /// # Errors
    /// A [`LoadError`] saying why the component is rejected.
    pub fn build_file(self, path: impl AsRef<Path>) -> Result<TestHost, LoadError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let name = path.file_stem().map(|n| n.to_string_lossy().into_owned());
        self.default_name(name).build_bytes(&bytes)
    }

    /// Load a component from its bytes.
    ///
    /// # Errors
    /// A [`LoadError`] saying why the component is rejected.
    pub fn build_bytes(self, bytes: &[u8]) -> Result<TestHost, LoadError> {
        self.check_fixtures()?;
        let spawn = self.load_spawn_functions()?;
        let valkey = ValkeyService::new(self.valkey_clusters.clone(), self.record_calls).map_err(
            |message| FixtureError::Invalid {
                origin: "TestHostBuilder".to_owned(),
                field: "valkey".to_owned(),
                message,
            },
        )?;
        let seed_error = |service: &str, e| FixtureError::seed("TestHostBuilder", service, e);
        let mut aws = AwsState::new(
            self.aws_policy,
            self.aws_faults,
            DdbStore::new(&self.dynamodb_tables).map_err(|e| seed_error("dynamodb", e))?,
            S3Store::new(&self.s3_buckets).map_err(|e| seed_error("s3", e))?,
            SecretStore::new(&self.secrets, self.clock.clone())
                .map_err(|e| seed_error("secrets", e))?,
        );
        aws.record_calls = self.keep_aws_calls;
        aws.clock = self.clock.clone();
        aws.lambda = LambdaRegistry::new(self.lambda_functions);
        let runtime = Runtime::new(self.limits)?;
        let function = Function::load(runtime, bytes, self.compile_cache.as_deref())?;
        let cache = CacheMock::new(self.clock.clone(), self.cache_limits, self.record_calls);
        for (key, value, ttl) in self.cache_items {
            let stored = match ttl {
                Some(ttl) => cache.insert_with_ttl(key, value, ttl),
                None => cache.insert(key, value),
            };
            if !stored {
                return Err(LoadError::Fixtures(std::sync::Arc::new(FixtureError::Invalid {
                    origin: "TestHostBuilder".to_owned(),
                    field: "cache_entry".to_owned(),
                    message: "a seeded item is larger than the whole cache (CacheLimits::max_total_bytes)"
                        .to_owned(),
                })));
            }
        }
        for (key, elements, ttl) in self.cache_lists {
            cache.insert_list_with_ttl_option(&key, elements, ttl);
        }
        // Real mode: the pooled client is created here, before the first invocation.
        let http = HttpMock::new(self.http_routes, self.real_http, self.record_calls);
        let topics = TopicsMock::new(self.clock.clone(), self.topic_limits, self.record_calls);
        for fault in self.topic_faults {
            topics.add_fault(fault.topic, fault.error, fault.times);
        }
        let cache_name = self
            .cache_name
            .unwrap_or_else(|| DEFAULT_CACHE_NAME.to_owned());
        let tokens = TokensMock::new(
            self.clock.clone(),
            self.token_endpoint
                .unwrap_or_else(|| DEFAULT_TOKEN_ENDPOINT.to_owned()),
            cache_name.clone(),
            self.record_calls,
        );
        for (error, times) in self.token_faults {
            tokens.add_fault(error, times);
        }
        let services = Services {
            env: self.env,
            function_name: self.function_name.unwrap_or_else(|| "function".to_owned()),
            cache_name,
            logging: LogService::new(self.record_calls),
            log_level: self.log_level,
            keep_log_history: self.keep_log_history,
            clock: self.clock,
            cache,
            http,
            aws,
            topics,
            tokens,
            spawn,
            valkey,
            ..Services::default()
        };
        Ok(TestHost {
            function: Arc::new(function),
            services: Arc::new(services),
        })
    }

    /// Load the spawn functions (building crates first), each checked to export a spawn handler.
    fn load_spawn_functions(&self) -> Result<SpawnService, LoadError> {
        let mut functions = std::collections::HashMap::new();
        for (name, source, limits) in &self.spawn_functions {
            let failed = |message: String| LoadError::SpawnFunction {
                name: name.clone(),
                message,
            };
            let wasm = if source.is_dir() {
                crate::guest_build::build_crate_once_with_env(source, &self.build_env)
                    .map_err(|e| failed(e.to_string()))?
            } else {
                source.clone()
            };
            let bytes = std::fs::read(&wasm)
                .map_err(|e| failed(format!("cannot read {}: {e}", wasm.display())))?;
            let runtime = Runtime::new(limits.clone().unwrap_or_else(|| self.limits.clone()))?;
            let function = Function::load(runtime, &bytes, self.compile_cache.as_deref())
                .map_err(|e| failed(e.to_string()))?;
            if !matches!(
                function.info.handler,
                Some(
                    crate::runtime::policy::Handler::Spawn
                        | crate::runtime::policy::Handler::OlderSpawn
                )
            ) {
                return Err(failed(format!(
                    "{} is not a spawn function (it exports no `guest-function-spawn`; build it with `momento_functions::spawn!`)",
                    source.display()
                )));
            }
            functions.insert(name.clone(), Arc::new(function));
        }
        Ok(SpawnService::new(functions, self.spawn_queue))
    }

    /// Fail with the first fixtures file that could not be used.
    fn check_fixtures(&self) -> Result<(), LoadError> {
        match &self.fixture_error {
            Some(error) => Err(LoadError::Fixtures(std::sync::Arc::clone(error))),
            None => Ok(()),
        }
    }

    fn default_name(mut self, name: Option<String>) -> Self {
        if self.function_name.is_none() {
            self.function_name = name;
        }
        self
    }
}

/// Valkey.
impl TestHostBuilder {
    /// A Valkey cluster called `name`: a real Valkey or Redis server at `url` (`redis://host:port`), e.g. a
    /// [`ValkeyServer`](crate::ValkeyServer) the test started. The function's
    /// `get-managed-cluster-client(name)` commands go to it through one pooled connection, made on first
    /// use. See [`TestHost::valkey`].
    pub fn valkey(mut self, name: impl Into<String>, url: impl Into<String>) -> Self {
        let name = name.into();
        self.valkey_clusters.retain(|(n, _)| *n != name);
        self.valkey_clusters.push((name, url.into()));
        self
    }
}

/// Spawn functions.
impl TestHostBuilder {
    /// Register a spawn function under `name`: a `.wasm` component or a function crate directory (built
    /// when the host is built) that exports a spawn handler (`momento_functions::spawn!`). The function
    /// spawns it with `spawn::spawn(name, payload)`; it runs after the caller returns, in a fresh
    /// instance, with this host's limits and services. See [`TestHost::spawns`].
    pub fn function(self, name: impl Into<String>, source: impl Into<PathBuf>) -> Self {
        self.register_function(name.into(), source.into(), None)
    }

    /// Register a spawn function with limits of its own.
    pub fn function_with_limits(
        self,
        name: impl Into<String>,
        source: impl Into<PathBuf>,
        limits: Limits,
    ) -> Self {
        self.register_function(name.into(), source.into(), Some(limits))
    }

    fn register_function(mut self, name: String, source: PathBuf, limits: Option<Limits>) -> Self {
        self.spawn_functions.retain(|(n, _, _)| *n != name);
        self.spawn_functions.push((name, source, limits));
        self
    }

    /// How many spawns may wait (held by running callers, or queued) at once; past it a spawn answers
    /// the caller `limit` (default 1,000).
    pub fn spawn_queue(mut self, capacity: usize) -> Self {
        self.spawn_queue = capacity.max(1);
        self
    }
}

/// Clock, cache and outbound HTTP.
impl TestHostBuilder {
    /// Use a test clock, standing at the current time until [`Clock::advance`]d (see [`TestHost::clock`]).
    /// Cache expiry and the function's `SystemTime`/`Instant` follow it.
    pub fn test_clock(self) -> Self {
        self.clock(Clock::manual(SystemTime::now()))
    }

    /// Use `clock` (e.g. `Clock::manual(UNIX_EPOCH + ..)` for a fixed start). Default: the system clock.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Limits of the cache (default: key 64 KiB, value 1 MiB, TTL 24 h).
    pub fn cache_limits(mut self, limits: CacheLimits) -> Self {
        self.cache_limits = limits;
        self
    }

    /// Seed the cache with an item that never expires.
    pub fn cache_entry(mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        self.cache_items
            .push((key.as_ref().to_vec(), value.as_ref().to_vec(), None));
        self
    }

    /// Seed the cache with an item that expires `ttl` after the host is built (by the host's clock).
    pub fn cache_entry_with_ttl(
        mut self,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
        ttl: Duration,
    ) -> Self {
        self.cache_items
            .push((key.as_ref().to_vec(), value.as_ref().to_vec(), Some(ttl)));
        self
    }

    /// Seed the cache with a list that never expires (an empty list seeds nothing: Momento has none).
    pub fn cache_list<V: AsRef<[u8]>>(
        mut self,
        key: impl AsRef<[u8]>,
        elements: impl IntoIterator<Item = V>,
    ) -> Self {
        let elements = elements.into_iter().map(|e| e.as_ref().to_vec()).collect();
        self.cache_lists
            .push((key.as_ref().to_vec(), elements, None));
        self
    }

    /// Seed the cache with a list that expires `ttl` after the host is built.
    pub fn cache_list_with_ttl<V: AsRef<[u8]>>(
        mut self,
        key: impl AsRef<[u8]>,
        elements: impl IntoIterator<Item = V>,
        ttl: Duration,
    ) -> Self {
        let elements = elements.into_iter().map(|e| e.as_ref().to_vec()).collect();
        self.cache_lists
            .push((key.as_ref().to_vec(), elements, Some(ttl)));
        self
    }

    /// Add a mock HTTP route (the first matching route answers). See [`HttpMock`].
    pub fn http_route(mut self, route: HttpRoute) -> Self {
        self.http_routes.push(route);
        self
    }

    /// Real mode: requests no route matches go to the network, through one pooled client shared by
    /// every invocation (keep-alive connections are reused), with default timeouts (2 s to connect,
    /// 10 s in all) and never past the invocation's deadline.
    pub fn real_http(self) -> Self {
        self.real_http_config(RealHttpConfig::default())
    }

    /// Real mode with `config`.
    pub fn real_http_config(mut self, config: RealHttpConfig) -> Self {
        self.real_http = Some(config);
        self
    }

    /// Limits of topics (default: messages up to 4 KiB, 10,000 waiting messages per subscriber).
    pub fn topic_limits(mut self, limits: TopicLimits) -> Self {
        self.topic_limits = limits;
        self
    }

    /// The endpoint disposable tokens name (default [`DEFAULT_TOKEN_ENDPOINT`], which resolves nowhere).
    pub fn token_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.token_endpoint = Some(endpoint.into());
        self
    }

    /// Record every call to the host services — cache, HTTP, AWS, logging configuration — (default on).
    /// Turn off for long runs, where the records would grow without bound.
    /// [`keep_aws_calls`](Self::keep_aws_calls) sets the AWS part alone.
    pub fn record_calls(mut self, record: bool) -> Self {
        self.record_calls = record;
        self.keep_aws_calls = record;
        self
    }
}

impl TestHost {
    /// Configure a host.
    pub fn builder() -> TestHostBuilder {
        TestHostBuilder::default()
    }

    /// Build the function crate in `dir` (once per process) and load it with default settings.
    ///
    /// # Errors
    /// A build error, or a [`LoadError`] saying why the component is rejected.
    pub fn for_crate(dir: impl AsRef<Path>) -> Result<TestHost, LoadError> {
        TestHost::builder().build_crate(dir)
    }

    /// Load a `.wasm` component with default settings.
    ///
    /// # Errors
    /// A [`LoadError`] saying why the component is rejected.
    pub fn from_file(path: impl AsRef<Path>) -> Result<TestHost, LoadError> {
        TestHost::builder().build_file(path)
    }

    /// Invoke the function once, in a fresh instance.
    ///
    /// # Errors
    /// An [`InvokeError`] when the invocation itself fails (trap, timeout, limits). Error *responses* of
    /// the function (4xx/5xx) are `Ok` responses.
    ///
    /// A streamed response (`web-function-stream`) is kept whole, with each frame's arrival time: see
    /// [`Response::stream`].
    ///
    /// If the calling thread panics afterwards (a failed assertion in a test), the log records of its
    /// last invocation are printed after the panic message, so a failing test shows what the function
    /// logged (`MOMENTO_FUNCTIONS_LOGS_ON_PANIC=0` turns this off).
    pub fn invoke(&self, request: Request) -> Result<Response, InvokeError> {
        let request = request.into_invocation()?;
        let outcome = self.invoke_outcome(request);
        logs_on_panic::remember(&outcome.invocation_id, &outcome.logs, outcome.logs_dropped);
        Response::from_outcome(outcome)
    }

    /// Invoke the function once, handing `on_stream` the start and each frame of a streamed response the
    /// moment the function sends it (as `serve` forwards them to its client). The [`Response`] returned
    /// then has the status and headers but not the frames (its body is empty). A function that does not
    /// stream never calls `on_stream`; its response is complete as with [`invoke`](Self::invoke).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use momento_functions_test_host::{Request, StreamPart, TestHost};
    ///
    /// let host = TestHost::for_crate("examples/sse-relay")?;
    /// host.invoke_streaming(Request::get("/"), |part| {
    ///     if let StreamPart::Data(bytes) = part {
    ///         print!("{}", String::from_utf8_lossy(bytes));
    ///     }
    /// })?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`invoke`](Self::invoke); an error after the stream started ends it where it was.
    pub fn invoke_streaming(
        &self,
        request: Request,
        on_stream: impl FnMut(StreamPart<'_>),
    ) -> Result<Response, InvokeError> {
        /// Parts cross from the invocation's thread to the caller's, where `on_stream` runs.
        enum Part {
            Start(u16, Vec<(String, String)>),
            Data(Bytes),
        }
        struct ToCaller(std::sync::mpsc::Sender<Part>);
        impl StreamSink for ToCaller {
            fn start(
                &self,
                status: u16,
                headers: &[(String, String)],
                _deadline: Option<std::time::Instant>,
            ) -> Result<(), SinkError> {
                self.0
                    .send(Part::Start(status, headers.to_vec()))
                    .map_err(|_| SinkError::Gone)
            }
            fn data(
                &self,
                bytes: Bytes,
                _deadline: Option<std::time::Instant>,
            ) -> Result<(), SinkError> {
                self.0.send(Part::Data(bytes)).map_err(|_| SinkError::Gone)
            }
        }
        let mut on_stream = on_stream;
        let request = request.into_invocation()?;
        // The invocation runs on a thread of its own (with the stack a guest needs), so that `on_stream`
        // may borrow from the caller and still see each part the moment it is sent.
        let stack = self.limits().thread_stack_bytes();
        let (parts, received) = std::sync::mpsc::channel();
        let outcome = std::thread::scope(|scope| {
            let invocation = std::thread::Builder::new()
                .name("momento-invoke".into())
                .stack_size(stack)
                .spawn_scoped(scope, move || {
                    let sink: std::rc::Rc<dyn StreamSink> = std::rc::Rc::new(ToCaller(parts));
                    with_stream_sink(sink, || self.invoke_outcome(request))
                })
                .map_err(|e| InvokeError::Internal {
                    message: format!("cannot start the invocation's thread: {e}"),
                })?;
            for part in received {
                match part {
                    Part::Start(status, headers) => on_stream(StreamPart::Start {
                        status,
                        headers: &headers,
                    }),
                    Part::Data(bytes) => on_stream(StreamPart::Data(&bytes)),
                }
            }
            invocation.join().map_err(|_| InvokeError::Internal {
                message: "the invocation's thread panicked".to_owned(),
            })
        })?;
        logs_on_panic::remember(&outcome.invocation_id, &outcome.logs, outcome.logs_dropped);
        Response::from_outcome(outcome)
    }

    /// Invoke with a request in the runtime's own type (the server's path: no conversion), keeping the
    /// log history.
    pub(crate) fn invoke_outcome(&self, request: Invocation) -> Outcome {
        let outcome = self.function.invoke(&self.services, request);
        if self.services.keep_log_history && !outcome.logs.is_empty() {
            self.services
                .log_history
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .extend(outcome.logs.iter().cloned());
        }
        outcome
    }

    /// The Valkey clusters: the commands sent, and faults.
    pub fn valkey(&self) -> ValkeyMock {
        ValkeyMock::new(Arc::clone(&self.services))
    }

    /// The spawn functions: records of what was spawned, waiting for spawned work, faults.
    pub fn spawns(&self) -> SpawnMock {
        SpawnMock::new(&self.services.spawn)
    }

    /// Every log record of every invocation so far (when log history is kept).
    pub fn logs(&self) -> Vec<LogRecord> {
        self.services
            .log_history
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Forget the log history.
    pub fn clear_logs(&self) {
        self.services
            .log_history
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }

    /// The AWS services every invocation shares: recorded calls, faults, sessions, and what the function
    /// left in DynamoDB, S3 and Secrets Manager.
    pub fn aws(&self) -> AwsMock {
        AwsMock {
            services: Arc::clone(&self.services),
        }
    }

    /// Logging as the function configured it (`configure-logging`).
    pub fn logging(&self) -> LoggingMock {
        LoggingMock {
            services: Arc::clone(&self.services),
        }
    }

    /// What the component imports and exports.
    pub fn imports(&self) -> &ImportInfo {
        &self.function.info
    }

    /// The limits invocations run under.
    pub fn limits(&self) -> &Limits {
        &self.function.runtime.limits
    }

    /// SHA-256 of the component (hex).
    pub fn component_hash(&self) -> &str {
        &self.function.content_hash
    }

    /// Whether loading reused a compiled artifact from the on-disk cache.
    pub fn loaded_from_cache(&self) -> bool {
        self.function.from_cache
    }

    /// How long loading took (read, validate, compile or deserialize, pre-link).
    pub fn load_time(&self) -> Duration {
        self.function.load_time
    }

    /// The host's clock; with [`TestHostBuilder::test_clock`], [`Clock::advance`] moves time for cache
    /// expiry and for the function.
    pub fn clock(&self) -> &Clock {
        &self.services.clock
    }

    /// The cache every invocation shares: seed it, read it, list calls, inject faults.
    pub fn cache(&self) -> &CacheMock {
        &self.services.cache
    }

    /// Outbound HTTP: routes, recorded calls, expectations.
    pub fn http(&self) -> &HttpMock {
        &self.services.http
    }

    /// The topics of the function's cache: subscribe to receive what the function publishes (and the
    /// log lines it sends to a topic), list its publishes, inject faults.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use momento_functions_test_host::{Request, TestHost};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let host = TestHost::for_crate(env!("CARGO_MANIFEST_DIR"))?;
    /// let chat = host.topics().subscribe("chat");
    /// host.invoke(Request::post("/").body("hello"))?;
    /// let message = chat.recv_timeout(Duration::from_secs(1)).expect("published");
    /// assert_eq!(message.text(), "hello");
    /// # Ok(()) }
    /// ```
    pub fn topics(&self) -> &TopicsMock {
        &self.services.topics
    }

    /// Disposable tokens: what the function asked for, the tokens issued (their API keys decode to
    /// their permissions and expiry), faults.
    ///
    /// ```no_run
    /// use momento_functions_test_host::{Request, TestHost};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let host = TestHost::for_crate(env!("CARGO_MANIFEST_DIR"))?;
    /// let response = host.invoke(Request::get("/token"))?;
    /// let api_key = response.text()?;
    /// let token = host.tokens().decode(api_key).expect("a key of the test host");
    /// println!("{:?} until {}", token.permissions, token.valid_until);
    /// # Ok(()) }
    /// ```
    pub fn tokens(&self) -> &TokensMock {
        &self.services.tokens
    }
}

/// The log records of the last invocation on each thread, printed when the thread panics (see
/// [`TestHost::invoke`]).
mod logs_on_panic {
    use std::cell::RefCell;
    use std::sync::Once;

    use crate::logs::LogRecord;

    /// The last invocation on this thread: its id, its records and how many were dropped.
    type Last = (String, Vec<LogRecord>, usize);

    thread_local! {
        static LAST: RefCell<Option<Last>> = const { RefCell::new(None) };
    }

    static HOOK: Once = Once::new();

    /// Is printing on? `MOMENTO_FUNCTIONS_LOGS_ON_PANIC=0` (or `false`, `off`) turns it off.
    fn enabled() -> bool {
        std::env::var("MOMENTO_FUNCTIONS_LOGS_ON_PANIC")
            .map(|v| !matches!(v.trim(), "0" | "false" | "off"))
            .unwrap_or(true)
    }

    /// Keep this invocation's records for a panic of this thread; install the panic hook once.
    pub(super) fn remember(invocation_id: &str, logs: &[LogRecord], dropped: usize) {
        HOOK.call_once(|| {
            if enabled() {
                let previous = std::panic::take_hook();
                std::panic::set_hook(Box::new(move |info| {
                    previous(info);
                    print_last();
                }));
            }
        });
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            *last = (!logs.is_empty() || dropped > 0)
                .then(|| (invocation_id.to_owned(), logs.to_vec(), dropped));
        });
    }

    /// Print the records of this thread's last invocation (through `eprintln!`, which a test harness
    /// captures and shows with the failed test), and forget them.
    fn print_last() {
        let Ok(Some((id, logs, dropped))) = LAST.try_with(|last| last.borrow_mut().take()) else {
            return;
        };
        eprintln!("function log of invocation {id} (the last on this thread):");
        for record in &logs {
            eprintln!("  {record}");
        }
        if dropped > 0 {
            eprintln!("  ({dropped} more records dropped: per-invocation limit)");
        }
    }
}

/// The AWS services of a host ([`TestHost::aws`]): DynamoDB, S3 and Secrets Manager in memory, the
/// calls the function made, faults to inject, and the authenticated sessions kept hot. Cheap to clone; every
/// clone sees the same services.
///
/// ```no_run
/// use momento_functions_test_host::aws::{AwsFault, AwsService};
/// use momento_functions_test_host::TestHost;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let host = TestHost::for_crate(env!("CARGO_MANIFEST_DIR"))?;
/// let aws = host.aws();
/// aws.inject_fault(AwsFault::throttled().service(AwsService::DynamoDb).times(1));
/// for call in aws.calls() {
///     println!("{} {} on {}: {:?}", call.service, call.operation, call.resource, call.error);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AwsMock {
    services: Arc<Services>,
}

impl std::fmt::Debug for AwsMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsMock")
            .field("sessions", &self.sessions())
            .finish_non_exhaustive()
    }
}

impl AwsMock {
    /// Every AWS call of every invocation so far, in order (including refused and faulted ones, and
    /// requests to AWS endpoints through `http`).
    pub fn calls(&self) -> Vec<AwsCall> {
        self.services.aws.calls()
    }

    /// Forget the recorded calls.
    pub fn clear_calls(&self) {
        self.services.aws.clear_calls();
    }

    /// From now on, answer matching calls with an error (see [`AwsFault`]).
    pub fn inject_fault(&self, fault: AwsFault) {
        self.services.aws.add_fault(fault);
    }

    /// Remove every injected fault that is left.
    pub fn clear_faults(&self) {
        self.services.aws.clear_faults();
    }

    /// How many authenticated sessions (one per region and credentials) the host keeps hot.
    pub fn sessions(&self) -> usize {
        self.services.aws.session_count()
    }

    /// The DynamoDB item of `table` with `key` (plain JSON, e.g. `json!({"user_id": "u1"})`), as plain JSON.
    pub fn dynamodb_item(&self, table: &str, key: &serde_json::Value) -> Option<serde_json::Value> {
        self.services.aws.ddb.item_plain(table, key)
    }

    /// Every item of the DynamoDB table in key order, as plain JSON; `None` when there is no such table.
    pub fn dynamodb_items(&self, table: &str) -> Option<Vec<serde_json::Value>> {
        self.services.aws.ddb.items_plain(table)
    }

    /// The S3 object at `key` in `bucket` (its current version).
    pub fn s3_object(&self, bucket: &str, key: &str) -> Option<S3Object> {
        self.services.aws.s3.object(bucket, key)
    }

    /// One version of the object at `key` in a versioned `bucket` (see [`S3Bucket::versioned`]).
    pub fn s3_object_version(&self, bucket: &str, key: &str, version_id: &str) -> Option<S3Object> {
        self.services
            .aws
            .s3
            .get_version(bucket, key, version_id)
            .ok()
            .flatten()
    }

    /// The keys of `bucket` in order; `None` when there is no such bucket.
    pub fn s3_keys(&self, bucket: &str) -> Option<Vec<String>> {
        self.services.aws.s3.keys(bucket)
    }

    /// Every version of the secret `name`, oldest first; `None` when there is no such secret.
    pub fn secret_versions(&self, name: &str) -> Option<Vec<SecretVersion>> {
        self.services.aws.secrets.versions(name)
    }

    /// Put a new version of the secret `name` (creating it): it becomes `AWSCURRENT` and the version that
    /// was current becomes `AWSPREVIOUS`, as `PutSecretValue` does. Returns its version id. Reads that
    /// allow staleness may still get the earlier value until their copy is older than they allow.
    pub fn put_secret(&self, name: &str, value: impl Into<Secret>) -> String {
        self.services
            .aws
            .secrets
            .put_version(name, value.into(), None)
    }
}

/// The function's logging configuration ([`TestHost::logging`]) and the lines it sent to its
/// destinations. [`Response::logs`] and [`TestHost::logs`] show every line either way (unlike Momento,
/// which keeps nothing until `configure-logging` and then filters by its levels).
#[derive(Clone)]
pub struct LoggingMock {
    services: Arc<Services>,
}

impl std::fmt::Debug for LoggingMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoggingMock").finish_non_exhaustive()
    }
}

impl LoggingMock {
    /// Every `configure-logging` call so far: where the function asked Momento to send its logs.
    pub fn configurations(&self) -> Vec<LoggingCall> {
        self.services.logging.calls()
    }

    /// Every line sent to a destination of `configure-logging` so far, in order: the function's lines
    /// at or above a destination's `log-level`, system lines (stdout, stderr, the host's notes) at or
    /// above its `system-logs-level`. Lines sent to a topic were also published to it.
    pub fn deliveries(&self) -> Vec<LogDelivery> {
        self.services.logging.deliveries()
    }

    /// The lines the CloudWatch log group `log_group_name` would have received, in order (the test host
    /// sends nothing to AWS).
    pub fn cloudwatch(&self, log_group_name: &str) -> Vec<LogDelivery> {
        self.deliveries()
            .into_iter()
            .filter(|delivery| {
                matches!(&delivery.destination, LogDestination::CloudWatch { log_group_name: group, .. }
                    if group == log_group_name)
            })
            .collect()
    }
}

/// A request to invoke a function with.
///
/// ```
/// use momento_functions_test_host::Request;
/// let request = Request::post("/orders")
///     .query_param("dry run", "yes")
///     .header("x-trace", "abc")
///     .body("{}");
/// assert_eq!(request.query_string(), "dry+run=yes");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    token_metadata: Option<String>,
    json_error: Option<String>,
}

impl Request {
    /// A request with any method; the path is relative to the function and starts with `/`.
    pub fn new(method: impl Into<String>, path: impl Into<String>) -> Self {
        let mut path = path.into();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        Request {
            method: method.into().to_ascii_uppercase(),
            path,
            query: String::new(),
            headers: Vec::new(),
            body: Vec::new(),
            token_metadata: None,
            json_error: None,
        }
    }

    /// A `POST` request.
    pub fn post(path: impl Into<String>) -> Self {
        Request::new("POST", path)
    }

    /// A `GET` request.
    pub fn get(path: impl Into<String>) -> Self {
        Request::new("GET", path)
    }

    /// Set the raw query string (without `?`).
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = query.into();
        self
    }

    /// Append one query parameter, URL-encoding it.
    pub fn query_param(mut self, key: &str, value: &str) -> Self {
        let mut encoded = form_urlencoded::Serializer::new(std::mem::take(&mut self.query));
        encoded.append_pair(key, value);
        self.query = encoded.finish();
        self
    }

    /// Add a header (repeated names are kept).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Set the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Serialize `value` as the JSON body and set `content-type: application/json`.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => self.body = body,
            Err(e) => self.json_error = Some(e.to_string()),
        }
        self.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        self.headers
            .push(("content-type".into(), "application/json".into()));
        self
    }

    /// Attach caller token metadata (as a production caller's token would carry).
    pub fn token_metadata(mut self, metadata: impl Into<String>) -> Self {
        self.token_metadata = Some(metadata.into());
        self
    }

    /// The method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The raw query string.
    pub fn query_string(&self) -> &str {
        &self.query
    }

    /// The headers.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body.
    pub fn body_bytes(&self) -> &[u8] {
        &self.body
    }

    pub(crate) fn into_invocation(self) -> Result<Invocation, InvokeError> {
        if let Some(error) = self.json_error {
            return Err(InvokeError::Internal {
                message: format!("the test request's JSON body could not be serialized: {error}"),
            });
        }
        Ok(Invocation {
            method: self.method,
            path: self.path,
            query: self.query,
            headers: self.headers,
            body: Bytes::from(self.body),
            token_metadata: self.token_metadata,
            spawn_depth: 0,
        })
    }
}

/// The function's response, with the log records of its invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    stream: Option<Stream>,
    logs: Vec<LogRecord>,
    logs_dropped: usize,
    warnings: Vec<InvokeError>,
    invocation_id: String,
    elapsed: Duration,
    bytes_to_guest: u64,
}

impl Response {
    fn from_outcome(outcome: Outcome) -> Result<Response, InvokeError> {
        let response = outcome.result?;
        Ok(Response {
            status: response.status,
            headers: response.headers,
            body: response.body.to_vec(),
            stream: response.stream,
            logs: outcome.logs,
            logs_dropped: outcome.logs_dropped,
            warnings: outcome.warnings,
            invocation_id: outcome.invocation_id,
            elapsed: outcome.elapsed,
            bytes_to_guest: outcome.bytes_to_guest,
        })
    }

    /// The frames and events of a streamed response (the function called `send-sse` or
    /// `send-response-start`), with their arrival times; `None` when it answered at once. The status
    /// and headers are the stream's (200 and `text/event-stream` for events), and [`body`](Self::body)
    /// is all frames together.
    pub fn stream(&self) -> Option<&Stream> {
        self.stream.as_ref()
    }

    /// The server-sent events of a streamed response (empty for one that is not an event stream).
    pub fn events(&self) -> Vec<SseEvent> {
        self.stream.as_ref().map(Stream::events).unwrap_or_default()
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Is the status 2xx?
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// All headers in order.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Take the body.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// The body as UTF-8 text.
    ///
    /// # Errors
    /// When the body is not UTF-8.
    pub fn text(&self) -> Result<&str, std::str::Utf8Error> {
        std::str::from_utf8(&self.body)
    }

    /// The body deserialized from JSON.
    ///
    /// # Errors
    /// When the body is not JSON of type `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// Log records of this invocation: `log` records, then stdout and stderr lines.
    pub fn logs(&self) -> &[LogRecord] {
        &self.logs
    }

    /// Log records dropped because the per-invocation limit was reached.
    pub fn logs_dropped(&self) -> usize {
        self.logs_dropped
    }

    /// In warn-only mode ([`Limits::warn_only`]): the limits this invocation crossed, each as the error
    /// production would have failed it with. Empty otherwise. Each also appears in [`Response::logs`] as a
    /// `Warn` record from [`LogSource::Host`](crate::LogSource::Host).
    pub fn warnings(&self) -> &[InvokeError] {
        &self.warnings
    }

    /// The invocation's id (the function's `__INVOCATION_ID` and `web-function-support.invocation-id`).
    pub fn invocation_id(&self) -> &str {
        &self.invocation_id
    }

    /// Bytes the host copied into the function's memory during the invocation: the parts of the request
    /// body it read, and values handed over as bytes. A body passed on as a host buffer (to HTTP, the cache
    /// or S3, or back as the response) without being read counts nothing.
    pub fn bytes_copied_to_guest(&self) -> u64 {
        self.bytes_to_guest
    }

    /// Wall time of the invocation (instantiate + call).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}
