//! `bench`: per-invocation time of a function (fresh instance + call), median, p99 and throughput, on one
//! thread or several at once (`--threads`), optionally next to a bare wasmtime run of the same component.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::bench_support::BareRunner;
use crate::{Request, TestHost};
use clap::Args;

use super::{EXIT_INVOKE, EXIT_LOAD, EXIT_USAGE, HostArgs, LimitArgs, RequestArgs};

/// Benchmark a function.
#[derive(Debug, Args)]
pub(crate) struct BenchCommand {
    #[command(flatten)]
    host: HostArgs,
    #[command(flatten)]
    request: RequestArgs,
    #[command(flatten)]
    limits: LimitArgs,
    /// Timed invocations (per thread).
    #[arg(long, short = 'n', default_value_t = 20_000)]
    iterations: usize,
    /// Untimed invocations first, per thread (default: a tenth of the iterations).
    #[arg(long)]
    warmup: Option<usize>,
    /// Invoke from this many threads at once, each running `--iterations` invocations; throughput is the
    /// total over the wall time, median and p99 are over every thread's samples.
    #[arg(long, short = 't', default_value_t = 1, value_name = "N")]
    threads: usize,
    /// Also time a bare wasmtime fresh-instance call of the same component (the floor) and print the ratio.
    /// The bare runner gets the function's environment and the cache's seeded items.
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

/// Samples of one run, sorted, and its wall time.
struct Run {
    samples: Vec<Duration>,
    wall: Duration,
    threads: usize,
}

impl Run {
    fn median(&self) -> Duration {
        percentile(&self.samples, 50.0)
    }

    /// Invocations per second over the wall time (for a contestant measured alone).
    fn throughput(&self) -> f64 {
        self.samples.len() as f64 / self.wall.as_secs_f64()
    }

    /// Invocations per second it would sustain alone: threads / mean time of one invocation (for a
    /// contestant measured interleaved with another).
    fn busy_throughput(&self) -> f64 {
        let total: Duration = self.samples.iter().sum();
        self.threads as f64 * self.samples.len() as f64 / total.as_secs_f64()
    }
}

/// A benchmarked call: one invocation, or why it failed.
type Contestant<'a> = &'a (dyn Fn() -> Result<(), String> + Sync);

/// Run each of `contestants` `warmup` times untimed, then `iterations` times timed, on each of `threads`
/// threads at once (the timed loops start together). With several contestants every iteration runs each
/// of them once, in an order that rotates, so that they see the same machine (a busy neighbour, a
/// frequency change) and their ratio stays fair.
fn measure(
    threads: usize,
    warmup: usize,
    iterations: usize,
    contestants: &[Contestant<'_>],
) -> Result<Vec<Run>, String> {
    let barrier = std::sync::Barrier::new(threads);
    let count = contestants.len();
    let (per_thread, wall) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let barrier = &barrier;
                scope.spawn(move || -> Result<(Vec<Vec<Duration>>, Instant), String> {
                    let warm =
                        (0..warmup).try_for_each(|_| contestants.iter().try_for_each(|c| c()));
                    barrier.wait();
                    warm?;
                    let started = Instant::now();
                    let mut samples = vec![Vec::with_capacity(iterations); count];
                    for i in 0..iterations {
                        for k in 0..count {
                            let which = (i + k) % count;
                            let begin = Instant::now();
                            contestants[which]()?;
                            samples[which].push(begin.elapsed());
                        }
                    }
                    Ok((samples, started))
                })
            })
            .collect();
        let mut all = Vec::with_capacity(threads);
        let mut first: Option<Instant> = None;
        for worker in workers {
            let (samples, started) = worker
                .join()
                .map_err(|_| "a benchmark thread panicked".to_owned())??;
            first = Some(first.map_or(started, |f| f.min(started)));
            all.push(samples);
        }
        let wall = first.map_or(Duration::ZERO, |f| f.elapsed());
        Ok::<_, String>((all, wall))
    })?;
    let runs = (0..count)
        .map(|k| {
            let mut samples: Vec<Duration> = per_thread
                .iter()
                .flat_map(|t| t[k].iter().copied())
                .collect();
            samples.sort_unstable();
            Run {
                samples,
                wall,
                threads,
            }
        })
        .collect();
    Ok(runs)
}

impl BenchCommand {
    pub(crate) fn run(self) -> ExitCode {
        if self.iterations == 0 || self.threads == 0 {
            super::error(format_args!(
                "--iterations and --threads must be at least 1"
            ));
            return ExitCode::from(EXIT_USAGE);
        }
        let request = match self.request.request() {
            Ok(request) => request,
            Err(message) => {
                super::error(&message);
                return ExitCode::from(EXIT_USAGE);
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
                super::error(&message);
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
                super::error(format_args!(
                    "invocation failed ({}): {error}",
                    error.code()
                ));
                return ExitCode::from(EXIT_INVOKE);
            }
        }
        let invoke_host = || {
            host.invoke(request.clone())
                .map(drop)
                .map_err(|error| format!("invocation failed: {error}"))
        };
        let run = measure(self.threads, warmup, self.iterations, &[&invoke_host]);
        let run = match run.map(|mut runs| runs.pop()) {
            Ok(Some(run)) => run,
            Ok(None) => return ExitCode::from(EXIT_INVOKE),
            Err(message) => {
                super::error(&message);
                return ExitCode::from(EXIT_INVOKE);
            }
        };
        eprintln!(
            "{} invocations after {warmup} warm-up, fresh instance + call each, {} thread{}",
            self.iterations * self.threads,
            self.threads,
            if self.threads == 1 { "" } else { "s at once" }
        );
        println!("median: {} ns", run.median().as_nanos());
        println!("p99: {} ns", percentile(&run.samples, 99.0).as_nanos());
        println!("throughput: {:.0} invocations/s", run.throughput());
        if self.compare_bare {
            match self.bare(&request, warmup, &invoke_host, &host) {
                Ok((ours, bare)) => {
                    eprintln!(
                        "interleaved with the bare runner: test host median {} ns, bare {} ns",
                        ours.median().as_nanos(),
                        bare.median().as_nanos()
                    );
                    println!("bare wasmtime median: {} ns", bare.median().as_nanos());
                    println!(
                        "ratio to bare: {:.2}x",
                        ours.median().as_secs_f64() / bare.median().as_secs_f64()
                    );
                    if self.threads > 1 {
                        println!(
                            "bare wasmtime throughput: {:.0} invocations/s",
                            bare.busy_throughput()
                        );
                    }
                }
                Err(message) => {
                    super::error(format_args!("bare wasmtime run failed: {message}"));
                    return ExitCode::from(EXIT_INVOKE);
                }
            }
        }
        ExitCode::SUCCESS
    }

    /// The bare-wasmtime floor for the same component, request, environment and cache items, measured
    /// interleaved with `ours` (the test host's invocation): (ours, bare).
    fn bare(
        &self,
        request: &Request,
        warmup: usize,
        ours: Contestant<'_>,
        host: &TestHost,
    ) -> Result<(Run, Run), String> {
        let wasm = self.host.wasm_path()?;
        let bytes =
            std::fs::read(&wasm).map_err(|e| format!("cannot read {}: {e}", wasm.display()))?;
        let mut runner = BareRunner::new(&bytes)?;
        for (key, value) in &self.host.env {
            runner = runner.env(key, value);
        }
        for entry in host.cache().entries() {
            runner = runner.cache_entry(entry.key, entry.value);
        }
        let mut path = request.path().to_owned();
        if !request.query_string().is_empty() {
            path.push('?');
            path.push_str(request.query_string());
        }
        let headers: Vec<(&str, &str)> = request
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let method = request.method().to_owned();
        let body = request.body_bytes();
        let bare = || {
            runner
                .invoke_request(&method, &path, &headers, body.to_vec())
                .map(drop)
        };
        let mut runs = measure(self.threads, warmup, self.iterations, &[ours, &bare])?;
        match (runs.pop(), runs.pop()) {
            (Some(bare), Some(ours)) => Ok((ours, bare)),
            _ => Err("no samples".to_owned()),
        }
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

    #[test]
    fn measure_counts_every_thread() {
        let ok = || Ok(());
        let runs = measure(2, 1, 5, &[&ok, &ok]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(runs.len(), 2);
        assert!(runs.iter().all(|run| run.samples.len() == 10));
        let fail = || Err("no".to_owned());
        assert!(measure(1, 0, 1, &[&fail]).is_err());
    }
}
