//! The command line of `momento-functions-test-host` (installed as `mfn` too): one file per subcommand,
//! each a clap struct with `run`. Part of the library behind the `cli` feature, so that both binaries are a
//! call to [`main`]; not public API.

mod bench;
mod check;
mod completions;
mod invoke;
mod new;
mod serve;
mod style;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::limits::{WARN_ONLY_DEADLINE_FACTOR, WARN_ONLY_MEMORY_FACTOR, parse_size};
use crate::{Fixtures, Limits, LoadError, Request, TestHost, TestHostBuilder, guest_build};

pub(crate) use style::error;

/// Exit code: the function answered with a non-2xx status.
pub(crate) const EXIT_ERROR_RESPONSE: u8 = 1;
/// Exit code: the command line is wrong (clap uses it too).
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code: the component could not be built or loaded.
pub(crate) const EXIT_LOAD: u8 = 3;
/// Exit code: the invocation failed (trap, timeout, limit).
pub(crate) const EXIT_INVOKE: u8 = 4;

/// Run the command line as the binary `name` (`mfn` or `momento-functions-test-host`), with the process's
/// arguments.
pub fn main(name: &'static str) -> ExitCode {
    let matches = command(name).get_matches();
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli.run(name),
        Err(e) => e.exit(),
    }
}

/// The clap command, named `name`, with each subcommand's examples written for that name.
pub(crate) fn command(name: &'static str) -> clap::Command {
    let mut command = Cli::command().name(name).bin_name(name);
    for (subcommand, examples) in EXAMPLES {
        let text = format!("Examples:\n{}", examples.replace("{bin}", name));
        command = command.mut_subcommand(*subcommand, |c| c.after_help(text));
    }
    command
}

/// Examples shown at the end of each subcommand's `--help` (`{bin}` is the binary's name).
const EXAMPLES: &[(&str, &str)] = &[
    (
        "invoke",
        "  {bin} invoke . --data '{\"name\":\"Ada\"}'            build the crate here, POST a JSON body
  {bin} invoke fn.wasm -X GET --path '/items?id=7' -v    a built component; print status and headers
  {bin} invoke . --fixtures fixtures.toml --env KEY=v    seed services, set the function's environment
  {bin} invoke . --memory 64MiB --deadline-ms 250        tighter limits than production",
    ),
    (
        "bench",
        "  {bin} bench . --data hello                           median, p99 and throughput of one thread
  {bin} bench fn.wasm --threads 2 --compare-bare        two threads at once, next to bare wasmtime",
    ),
    (
        "check",
        "  {bin} check .                                        would an upload of this crate be accepted?
  {bin} check a.wasm b.wasm                             several components; exit 3 if any is rejected",
    ),
    (
        "serve",
        "  {bin} serve . --watch                                http://127.0.0.1:8080, rebuilt on every change
  curl -s localhost:8080/ -d '{\"name\":\"Ada\"}'
  {bin} serve fn.wasm --addr 127.0.0.1:0 -q             a free port, no access log",
    ),
    (
        "new",
        "  {bin} new hello                                      a web function in ./hello
  {bin} new greeter --template json                     typed JSON in and out
  {bin} new counter --template cache --git https://github.com/momentohq/momento-functions",
    ),
    (
        "completions",
        "  {bin} completions bash > ~/.local/share/bash-completion/completions/{bin}
  {bin} completions zsh > ~/.zfunc/_{bin}                (with fpath+=~/.zfunc before compinit)
  {bin} completions fish > ~/.config/fish/completions/{bin}.fish",
    ),
];

/// Run, check, serve and benchmark Momento Functions locally, in the same wasmtime sandbox as
/// production, and create new ones.
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
    /// Create a function crate: handler, tests against the test host, README, size-optimized release
    /// profile.
    New(new::NewCommand),
    /// Print a shell completion script for bash, zsh or fish to stdout.
    Completions(completions::CompletionsCommand),
}

impl Cli {
    fn run(self, name: &'static str) -> ExitCode {
        match self.command {
            Command::Invoke(command) => command.run(),
            Command::Bench(command) => command.run(),
            Command::Check(command) => command.run(),
            Command::Serve(command) => command.run(),
            Command::New(command) => command.run(name),
            Command::Completions(command) => command.run(name),
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

/// A size on the command line: bytes, or a number with a unit (`64MiB`, `"512 KiB"`, `1GiB`; `KB`/`KiB`,
/// `MB`/`MiB`, `GB`/`GiB` are all powers of 1,024). The same syntax and the same parser as the sizes of a
/// fixtures file's `[limits]` section.
pub(crate) fn parse_size_arg(raw: &str) -> Result<usize, String> {
    let bytes = parse_size(raw)?;
    usize::try_from(bytes).map_err(|_| format!("`{raw}` is too large"))
}

/// A size of at least one byte.
fn parse_positive_size(raw: &str) -> Result<usize, String> {
    match parse_size_arg(raw)? {
        0 => Err("must be at least 1 byte".to_owned()),
        bytes => Ok(bytes),
    }
}

/// The limit options `invoke`, `serve`, `bench` and `check` share. Unset flags keep the defaults (see
/// `momento_functions_test_host::Limits`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Limits (SIZE: bytes, or with a unit: 64MiB, 512KiB, 1GiB)")]
pub(crate) struct LimitArgs {
    /// Wall-clock deadline per invocation, in milliseconds [default: 5000].
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    deadline_ms: Option<u64>,
    /// Linear memory per instance [default: 128MiB].
    #[arg(long, value_name = "SIZE", value_parser = parse_positive_size)]
    memory: Option<usize>,
    /// Wasm stack [default: 512KiB].
    #[arg(long, value_name = "SIZE", value_parser = parse_positive_size)]
    wasm_stack: Option<usize>,
    /// Request size: body, path, query and headers [default: 10MiB].
    #[arg(long, value_name = "SIZE", value_parser = parse_size_arg)]
    request_size: Option<usize>,
    /// Response size: body and headers [default: 10MiB].
    #[arg(long, value_name = "SIZE", value_parser = parse_size_arg)]
    response_size: Option<usize>,
    /// Host calls per invocation [default: 10000].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    host_calls: Option<u32>,
    /// Instances that may run at once; more concurrent invocations are busy (503) [default: 64].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    concurrency: Option<u32>,
    /// Log records kept per invocation [default: 1000].
    #[arg(long, value_name = "N")]
    log_records: Option<usize>,
    /// Report crossed limits as warnings (in the log) instead of failing the invocation. Hard stops
    /// remain: the invocation is interrupted at 10 x the deadline (50 s with the default deadline; set
    /// --deadline-ms to stop sooner) and memory cannot grow past 8 x --memory.
    #[arg(long)]
    warn_only: bool,
    // The sizes in fixed units of earlier versions, kept for scripts; hidden from --help.
    #[arg(long, hide = true, value_name = "MIB", conflicts_with = "memory")]
    memory_mb: Option<usize>,
    #[arg(long, hide = true, value_name = "KIB", conflicts_with = "wasm_stack")]
    wasm_stack_kb: Option<usize>,
    #[arg(long, hide = true, value_name = "KIB", conflicts_with = "request_size")]
    request_kb: Option<usize>,
    #[arg(
        long,
        hide = true,
        value_name = "KIB",
        conflicts_with = "response_size"
    )]
    response_kb: Option<usize>,
}

impl LimitArgs {
    /// `limits` with the flags that were given applied.
    pub(crate) fn apply(&self, mut limits: Limits) -> Limits {
        let kib = |n: Option<usize>| n.map(|n| n.saturating_mul(1 << 10));
        let mib = |n: Option<usize>| n.map(|n| n.saturating_mul(1 << 20));
        if let Some(ms) = self.deadline_ms {
            limits = limits.with_deadline(std::time::Duration::from_millis(ms));
        }
        if let Some(bytes) = self.memory.or(mib(self.memory_mb)) {
            limits = limits.with_memory(bytes);
        }
        if let Some(bytes) = self.wasm_stack.or(kib(self.wasm_stack_kb)) {
            limits = limits.with_wasm_stack(bytes);
        }
        if let Some(bytes) = self.request_size.or(kib(self.request_kb)) {
            limits = limits.with_request_bytes(bytes);
        }
        if let Some(bytes) = self.response_size.or(kib(self.response_kb)) {
            limits = limits.with_response_bytes(bytes);
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

/// What `--warn-only` lets run, said before the invocation starts: the hard stops of `limits`.
pub(crate) fn warn_only_notice(limits: &Limits) -> Option<String> {
    limits.warn_only.then(|| {
        format!(
            "warn-only: crossed limits are reported, not enforced; hard stops: the invocation is \
             interrupted after {} ({} x the {} deadline) and memory cannot grow past {} ({} x {})",
            human_duration(limits.deadline.saturating_mul(WARN_ONLY_DEADLINE_FACTOR)),
            WARN_ONLY_DEADLINE_FACTOR,
            human_duration(limits.deadline),
            human_size(limits.hard_memory_bytes()),
            WARN_ONLY_MEMORY_FACTOR,
            human_size(limits.memory_bytes),
        )
    })
}

/// `250 ms`, `5 s`, `1.5 s`.
pub(crate) fn human_duration(duration: std::time::Duration) -> String {
    let ms = duration.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

/// `64 MiB`, `512 KiB`, `1000 B`: the largest unit that divides the size.
pub(crate) fn human_size(bytes: usize) -> String {
    for (unit, shift) in [("GiB", 30), ("MiB", 20), ("KiB", 10)] {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} B")
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
