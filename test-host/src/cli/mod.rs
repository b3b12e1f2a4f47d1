//! The command line: one file per subcommand, each a clap struct with `run`.

mod bench;
mod check;
mod invoke;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use momento_functions_test_host::{
    Fixtures, Limits, LoadError, Request, TestHost, TestHostBuilder, guest_build,
};

/// Exit code: the function answered with a non-2xx status.
pub(crate) const EXIT_ERROR_RESPONSE: u8 = 1;
/// Exit code: the component could not be built or loaded.
pub(crate) const EXIT_LOAD: u8 = 3;
/// Exit code: the invocation failed (trap, timeout, limit).
pub(crate) const EXIT_INVOKE: u8 = 4;

/// Run, check and benchmark momento-functions locally, in the same wasmtime sandbox as production.
///
/// TARGET is a `.wasm` component or a function crate directory (built for wasm32-wasip2 first).
#[derive(Debug, Parser)]
#[command(name = "momento-functions-test-host", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Invoke a function once: the response body goes to stdout, logs to stderr.
    ///
    /// Exit codes: 0 for a 2xx response, 1 for any other status, 3 when the component cannot be built or
    /// loaded, 4 when the invocation fails (trap, timeout, limit).
    Invoke(invoke::InvokeCommand),
    /// Measure per-invocation time (fresh instance + call): median and p99 in ns, and invocations/s.
    Bench(bench::BenchCommand),
    /// Check components as an upload would: is it a component, does it import only what the host
    /// provides, which host interfaces does it use, does it export the handler.
    ///
    /// Exit codes: 0 when every target would be accepted, 3 otherwise (the reasons are printed).
    Check(check::CheckCommand),
    /// Serve a function over HTTP on loopback: one fresh instance per request, one access-log line per
    /// request on stderr, graceful shutdown on Ctrl-C.
    Serve(serve::ServeCommand),
}

impl Cli {
    pub(crate) fn run(self) -> ExitCode {
        match self.command {
            Command::Invoke(command) => command.run(),
            Command::Bench(command) => command.run(),
            Command::Check(command) => command.run(),
            Command::Serve(command) => command.run(),
        }
    }
}

/// The request options `invoke` and `bench` share.
#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// Request body.
    #[arg(long, short = 'd', conflicts_with = "data_file")]
    data: Option<String>,
    /// Read the request body from a file (`-` for stdin).
    #[arg(long, value_name = "PATH")]
    data_file: Option<PathBuf>,
    /// HTTP method.
    #[arg(long, short = 'X', default_value = "POST")]
    method: String,
    /// Path relative to the function, e.g. `/items/7`; a `?query` part becomes the query string.
    #[arg(long, default_value = "/")]
    path: String,
    /// A request header, `Name: value` (repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE", value_parser = parse_header)]
    headers: Vec<(String, String)>,
}

/// The host options `invoke` and `bench` share.
#[derive(Debug, Args)]
pub(crate) struct HostArgs {
    /// A `.wasm` component, or a function crate directory to build first.
    #[arg(value_name = "TARGET")]
    target: PathBuf,
    /// An environment variable of the function, `KEY=VALUE` (repeatable).
    #[arg(long = "env", short = 'e', value_name = "KEY=VALUE", value_parser = parse_env)]
    env: Vec<(String, String)>,
    /// A fixtures file (TOML, or JSON when it ends in .json): environment, limits, AWS credentials,
    /// DynamoDB tables, S3 buckets, secrets. See the `fixtures` module of the library for the format.
    #[arg(long, value_name = "FILE")]
    fixtures: Option<PathBuf>,
    /// An environment variable of the crate's build (`cargo build`), `KEY=VALUE` (repeatable), e.g. the
    /// keys `build_environment_aws_credentials!()` reads. Only for a crate TARGET.
    #[arg(long = "build-env", value_name = "KEY=VALUE", value_parser = parse_env)]
    build_env: Vec<(String, String)>,
    /// A spawn function the function may start by name, `NAME=PATH` (a `.wasm` or a crate directory;
    /// repeatable). Spawns run after the invocation; `invoke` waits for them and prints their results.
    #[arg(long = "function", value_name = "NAME=PATH", value_parser = parse_function)]
    functions: Vec<(String, PathBuf)>,
    /// A Valkey cluster the function reaches by name, `NAME=redis://HOST:PORT` (a real Valkey or Redis
    /// server; repeatable).
    #[arg(long = "valkey", value_name = "NAME=URL", value_parser = parse_valkey)]
    valkey: Vec<(String, String)>,
}

fn parse_valkey(raw: &str) -> Result<(String, String), String> {
    let (name, url) = raw
        .split_once('=')
        .ok_or_else(|| format!("`{raw}` is not `NAME=redis://HOST:PORT`"))?;
    if name.trim().is_empty() {
        return Err(format!("`{raw}`: the cluster name is empty"));
    }
    if !(url.starts_with("redis://")
        || url.starts_with("rediss://")
        || url.starts_with("redis+unix://")
        || url.starts_with("valkey://"))
    {
        return Err(format!(
            "`{raw}`: {url} is not a server URL (redis://HOST:PORT)"
        ));
    }
    Ok((name.trim().to_owned(), url.to_owned()))
}

fn parse_function(raw: &str) -> Result<(String, PathBuf), String> {
    let (name, path) = raw
        .split_once('=')
        .ok_or_else(|| format!("`{raw}` is not `NAME=PATH`"))?;
    if name.trim().is_empty() {
        return Err(format!("`{raw}`: the function name is empty"));
    }
    let path = PathBuf::from(path);
    if !path.exists() {
        return Err(format!("`{raw}`: {} does not exist", path.display()));
    }
    Ok((name.trim().to_owned(), path))
}

fn parse_header(raw: &str) -> Result<(String, String), String> {
    let (name, value) = raw
        .split_once(':')
        .ok_or_else(|| format!("`{raw}` is not `Name: value`"))?;
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
        return Err(format!("`{name}` is not a valid header name"));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

fn parse_env(raw: &str) -> Result<(String, String), String> {
    let (key, value) = raw
        .split_once('=')
        .ok_or_else(|| format!("`{raw}` is not `KEY=VALUE`"))?;
    if key.is_empty() {
        return Err(format!("`{raw}` has an empty variable name"));
    }
    Ok((key.to_owned(), value.to_owned()))
}

impl RequestArgs {
    /// Build the request; reads `--data-file`.
    pub(crate) fn request(&self) -> Result<Request, String> {
        let body = match (&self.data, &self.data_file) {
            (Some(data), _) => data.clone().into_bytes(),
            (None, Some(path)) if path == Path::new("-") => {
                let mut body = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut body)
                    .map_err(|e| format!("cannot read the request body from stdin: {e}"))?;
                body
            }
            (None, Some(path)) => std::fs::read(path)
                .map_err(|e| format!("cannot read --data-file {}: {e}", path.display()))?,
            (None, None) => Vec::new(),
        };
        let (path, query) = match self.path.split_once('?') {
            Some((path, query)) => (path, query),
            None => (self.path.as_str(), ""),
        };
        let mut request = Request::new(&self.method, path).query(query).body(body);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        Ok(request)
    }
}

/// The limit options `invoke`, `serve`, `bench` and `check` share. Unset flags keep the defaults (see
/// `momento_functions_test_host::Limits`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Limits")]
pub(crate) struct LimitArgs {
    /// Wall-clock deadline per invocation, in milliseconds [default: 5000].
    #[arg(long, value_name = "MS")]
    deadline_ms: Option<u64>,
    /// Linear memory per instance, in MiB [default: 128].
    #[arg(long, value_name = "MIB")]
    memory_mb: Option<usize>,
    /// Wasm stack, in KiB [default: 512].
    #[arg(long, value_name = "KIB")]
    wasm_stack_kb: Option<usize>,
    /// Request size (body, path, query, headers), in KiB [default: 10240].
    #[arg(long, value_name = "KIB")]
    request_kb: Option<usize>,
    /// Response size (body and headers), in KiB [default: 10240].
    #[arg(long, value_name = "KIB")]
    response_kb: Option<usize>,
    /// Host calls per invocation [default: 10000].
    #[arg(long, value_name = "N")]
    host_calls: Option<u32>,
    /// Instances that may run at once; more concurrent invocations are busy (503) [default: 64].
    #[arg(long, value_name = "N")]
    concurrency: Option<u32>,
    /// Log records kept per invocation [default: 1000].
    #[arg(long, value_name = "N")]
    log_records: Option<usize>,
    /// Report crossed limits as warnings (in the log) instead of failing the invocation.
    #[arg(long)]
    warn_only: bool,
}

impl LimitArgs {
    /// `limits` with the flags that were given applied.
    pub(crate) fn apply(&self, mut limits: Limits) -> Limits {
        if let Some(ms) = self.deadline_ms {
            limits = limits.with_deadline(std::time::Duration::from_millis(ms));
        }
        if let Some(mb) = self.memory_mb {
            limits = limits.with_memory(mb.saturating_mul(1 << 20));
        }
        if let Some(kb) = self.wasm_stack_kb {
            limits = limits.with_wasm_stack(kb.saturating_mul(1 << 10));
        }
        if let Some(kb) = self.request_kb {
            limits = limits.with_request_bytes(kb.saturating_mul(1 << 10));
        }
        if let Some(kb) = self.response_kb {
            limits = limits.with_response_bytes(kb.saturating_mul(1 << 10));
        }
        if let Some(n) = self.host_calls {
            limits = limits.with_host_calls(n);
        }
        if let Some(n) = self.concurrency {
            limits = limits.with_concurrent_instances(n);
        }
        if let Some(n) = self.log_records {
            limits = limits.with_log_records(n);
        }
        if self.warn_only {
            limits = limits.with_warn_only(true);
        }
        limits
    }

    /// Apply the flags to the builder's limits.
    pub(crate) fn configure(&self, builder: TestHostBuilder) -> TestHostBuilder {
        let limits = self.apply(builder.configured_limits().clone());
        builder.limits(limits)
    }
}

/// `guest_build::build_crate_with_env` or its once-per-process variant.
type GuestBuild = fn(&Path, &[(String, String)]) -> Result<PathBuf, guest_build::BuildError>;

impl HostArgs {
    /// Configure a host from the options (the caller may add more), then load the target.
    pub(crate) fn load(&self, builder: TestHostBuilder) -> Result<TestHost, String> {
        let wasm = self.wasm_path()?;
        self.load_file(builder, &wasm)
    }

    /// Configure a host from the options, then load the component at `wasm` (the target's build output).
    pub(crate) fn load_file(
        &self,
        builder: TestHostBuilder,
        wasm: &Path,
    ) -> Result<TestHost, String> {
        let mut builder = builder;
        if self.target.is_dir()
            && let Some(name) = self
                .target
                .canonicalize()
                .ok()
                .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        {
            builder = builder.function_name(name);
        }
        if let Some(path) = &self.fixtures {
            builder = builder.fixtures_file(path);
        }
        builder = builder.envs(self.env.iter().cloned());
        for (name, path) in &self.functions {
            builder = builder.function(name.clone(), path.clone());
        }
        for (name, url) in &self.valkey {
            builder = builder.valkey(name.clone(), url.clone());
        }
        builder.build_file(wasm).map_err(|e| match e {
            LoadError::Fixtures(error) => error.to_string(),
            other => format!("cannot load {}: {other}", self.target.display()),
        })
    }

    /// The target: a `.wasm` file or a crate directory.
    pub(crate) fn target(&self) -> &Path {
        &self.target
    }

    /// The component file: the target itself, or the crate's build output (built once per process, with
    /// the build environment of the fixtures and `--build-env`).
    pub(crate) fn wasm_path(&self) -> Result<PathBuf, String> {
        self.build(guest_build::build_crate_once_with_env)
    }

    /// Like [`wasm_path`](Self::wasm_path), but a crate is built again (`serve --watch`).
    pub(crate) fn rebuilt_wasm_path(&self) -> Result<PathBuf, String> {
        self.build(guest_build::build_crate_with_env)
    }

    fn build(&self, build: GuestBuild) -> Result<PathBuf, String> {
        if !self.target.is_dir() {
            return Ok(self.target.clone());
        }
        let mut env = match &self.fixtures {
            Some(path) => Fixtures::from_file(path)
                .map_err(|e| e.to_string())?
                .build_env()
                .to_vec(),
            None => Vec::new(),
        };
        for (key, value) in &self.build_env {
            env.retain(|(k, _)| k != key);
            env.push((key.clone(), value.clone()));
        }
        build(&self.target, &env)
            .map_err(|e| format!("cannot build {}: {e}", self.target.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_env_are_parsed() {
        assert_eq!(
            parse_header("Content-Type: text/plain"),
            Ok(("Content-Type".into(), "text/plain".into()))
        );
        assert!(parse_header("no colon").is_err());
        assert!(parse_header(": value").is_err());
        assert_eq!(parse_env("A=b=c"), Ok(("A".into(), "b=c".into())));
        assert!(parse_env("=x").is_err());
        assert!(parse_env("novalue").is_err());
    }
}
