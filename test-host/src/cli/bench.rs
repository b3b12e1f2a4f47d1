//! `bench`: per-invocation time of a function (fresh instance + call), median, p99 and throughput.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use momento_functions_test_host::TestHost;
use momento_functions_test_host::bench_support::BareRunner;

use super::{EXIT_INVOKE, EXIT_LOAD, HostArgs, LimitArgs, RequestArgs};

/// Benchmark a function.
#[derive(Debug, Args)]
pub(crate) struct BenchCommand {
    #[command(flatten)]
    host: HostArgs,
    #[command(flatten)]
    request: RequestArgs,
    #[command(flatten)]
    limits: LimitArgs,
    /// Timed invocations.
    #[arg(long, short = 'n', default_value_t = 20_000)]
    iterations: usize,
    /// Untimed invocations first (default: a tenth of the iterations).
    #[arg(long)]
    warmup: Option<usize>,
    /// Also time a bare wasmtime fresh-instance call of the same component (the floor) and print the ratio.
    #[arg(long)]
    compare_bare: bool,
}

/// The `p`-th percentile (0..=100) of sorted samples, by nearest rank.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl BenchCommand {
    pub(crate) fn run(self) -> ExitCode {
        if self.iterations == 0 {
            eprintln!("error: --iterations must be at least 1");
            return ExitCode::from(2);
        }
        let request = match self.request.request() {
            Ok(request) => request,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        };
        let host = match self.host.load(
            self.limits.configure(
                TestHost::builder()
                    .keep_log_history(false)
                    .record_calls(false),
            ),
        ) {
            Ok(host) => host,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(EXIT_LOAD);
            }
        };
        let warmup = self.warmup.unwrap_or(self.iterations / 10);
        match host.invoke(request.clone()) {
            Ok(response) if !response.is_success() => {
                eprintln!(
                    "note: the function answers {}; timing that response",
                    response.status()
                );
            }
            Ok(_) => {}
            Err(error) => {
                eprintln!("error: invocation failed ({}): {error}", error.code());
                return ExitCode::from(EXIT_INVOKE);
            }
        }
        for _ in 0..warmup {
            if let Err(error) = host.invoke(request.clone()) {
                eprintln!("error: invocation failed during warm-up: {error}");
                return ExitCode::from(EXIT_INVOKE);
            }
        }
        let mut samples = Vec::with_capacity(self.iterations);
        let started = Instant::now();
        for _ in 0..self.iterations {
            let request = request.clone();
            let begin = Instant::now();
            let result = host.invoke(request);
            samples.push(begin.elapsed());
            if let Err(error) = result {
                eprintln!("error: invocation failed: {error}");
                return ExitCode::from(EXIT_INVOKE);
            }
        }
        let wall = started.elapsed();
        samples.sort_unstable();
        eprintln!(
            "{} invocations after {warmup} warm-up, fresh instance + call each, one thread",
            self.iterations
        );
        println!("median: {} ns", percentile(&samples, 50.0).as_nanos());
        println!("p99: {} ns", percentile(&samples, 99.0).as_nanos());
        println!(
            "throughput: {:.0} invocations/s",
            self.iterations as f64 / wall.as_secs_f64()
        );
        if self.compare_bare {
            let body = request.body_bytes().to_vec();
            match self.bare(&body, warmup) {
                Ok(bare) => {
                    let median = percentile(&samples, 50.0);
                    println!("bare wasmtime median: {} ns", bare.as_nanos());
                    println!(
                        "ratio to bare: {:.2}x",
                        median.as_secs_f64() / bare.as_secs_f64()
                    );
                }
                Err(message) => {
                    eprintln!("error: bare wasmtime run failed: {message}");
                    return ExitCode::from(EXIT_INVOKE);
                }
            }
        }
        ExitCode::SUCCESS
    }

    /// Median of the bare-wasmtime floor for the same component and body (a POST to `/`).
    fn bare(&self, body: &[u8], warmup: usize) -> Result<Duration, String> {
        let wasm = self.host.wasm_path()?;
        let bytes =
            std::fs::read(&wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
        let runner = BareRunner::new(&bytes)?;
        for _ in 0..warmup {
            runner.invoke(body)?;
        }
        let mut samples = Vec::with_capacity(self.iterations);
        for _ in 0..self.iterations {
            let begin = Instant::now();
            runner.invoke(body)?;
            samples.push(begin.elapsed());
        }
        samples.sort_unstable();
        Ok(percentile(&samples, 50.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_nanos).collect();
        assert_eq!(percentile(&samples, 50.0), Duration::from_nanos(50));
        assert_eq!(percentile(&samples, 99.0), Duration::from_nanos(99));
        assert_eq!(percentile(&samples, 100.0), Duration::from_nanos(100));
        assert_eq!(
            percentile(&[Duration::from_nanos(7)], 99.0),
            Duration::from_nanos(7)
        );
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }
}
