//! The `check` and `serve` subcommands and the limit flags, run as a user runs them.

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::faults::{example_wasm, programs_wasm};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_momento-functions-test-host"))
        .args(args)
        .output()
        .expect("the CLI runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh temporary directory for this test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mf-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn check_accepts_a_function_and_lists_what_it_uses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-guests/test-programs");
    let out = cli(&["check", dir.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with("ok: "), "{stdout}");
    assert!(
        stdout.contains(
            "handler:          momento:web-function/guest-function-web@1.0.0 (web function)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("Momento interfaces (each provided by Momento's platform):"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    momento:cache-scalar/cache-scalar@1.0.0\n"),
        "{stdout}"
    );
    assert!(stdout.contains("wasi:cli/environment"), "{stdout}");
    assert!(stdout.contains("wasi:filesystem/preopens"), "{stdout}");
}

#[test]
fn check_names_the_problem_of_each_bad_fixture() {
    let dir = temp_dir("check");
    let fixtures = [
        (
            write(&dir, "text.wasm", b"hello"),
            "missing the `\\0asm` magic number",
        ),
        (write(&dir, "empty.wasm", b""), "the file is empty"),
        (write(&dir, "wat.wasm", b"(component)"), "WAT text"),
        (
            write(&dir, "core.wasm", &wat::parse_str("(module)").unwrap()),
            "core WebAssembly module, not a component",
        ),
        (
            write(
                &dir,
                "truncated.wasm",
                &std::fs::read(programs_wasm()).unwrap()[..1000],
            ),
            "invalid component",
        ),
        (
            write(
                &dir,
                "import.wasm",
                &wat::parse_str(r#"(component (import "acme:evil/steal@1.0.0" (instance)))"#)
                    .unwrap(),
            ),
            "NOT PROVIDED:     acme:evil/steal@1.0.0 (unknown package `acme:evil`)",
        ),
        (
            write(
                &dir,
                "nohandler.wasm",
                &wat::parse_str("(component)").unwrap(),
            ),
            "handler:          MISSING",
        ),
    ];
    for (path, reason) in &fixtures {
        let out = cli(&["check", path]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(3), "{path}: {stdout}");
        assert!(stdout.starts_with("rejected: "), "{stdout}");
        assert!(
            stdout.contains(reason),
            "{path}: expected `{reason}` in\n{stdout}"
        );
    }
    // Several targets: non-zero if any is rejected, every one reported.
    let good = programs_wasm();
    let out = cli(&["check", good.to_str().unwrap(), &fixtures[0].0]);
    assert_eq!(out.status.code(), Some(3));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("ok: ") && stdout.contains("rejected: "),
        "{stdout}"
    );
}

#[test]
fn invoke_applies_limit_flags_and_warn_only() {
    let wasm = programs_wasm();
    let wasm = wasm.to_str().unwrap();
    let out = cli(&[
        "invoke",
        wasm,
        "-X",
        "GET",
        "--path",
        "/loop",
        "--deadline-ms",
        "30",
    ]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("(timeout): invocation exceeded its 30ms deadline"),
        "{}",
        text(&out.stderr)
    );
    let out = cli(&[
        "invoke",
        wasm,
        "-X",
        "GET",
        "--path",
        "/grow?mb=4",
        "--memory",
        "2MiB",
    ]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("memory_limit_exceeded"),
        "{}",
        text(&out.stderr)
    );
    let out = cli(&[
        "invoke",
        wasm,
        "-X",
        "GET",
        "--path",
        "/grow?mb=4",
        "--memory",
        "2 MiB",
        "--warn-only",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), (4u32 << 20).to_string());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warn-only: production would fail this invocation (memory_limit_exceeded)"),
        "{stderr}"
    );
    // The hard stops are said before the invocation, and in the warning.
    assert!(
        stderr.contains("hard stops: the invocation is interrupted after 50 s (10 x the 5 s deadline) and memory cannot grow past 16 MiB (8 x 2 MiB)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warn-only lets it grow up to its hard stop at 16777216 bytes"),
        "{stderr}"
    );
    // A deadline crossed in warn-only mode: the warning says the function ran on, and until when.
    let out = cli(&[
        "invoke",
        wasm,
        "-X",
        "GET",
        "--path",
        "/spin?ms=60",
        "--deadline-ms",
        "20",
        "--warn-only",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("it ran past its 20 ms deadline, where production stops it; warn-only let it run on, up to its hard stop at 200 ms"),
        "{stderr}"
    );
    assert!(!stderr.contains("was stopped"), "{stderr}");
    // The legacy flag in MiB still works (scripts), and sizes are parsed strictly.
    let out = cli(&[
        "invoke",
        wasm,
        "-X",
        "GET",
        "--path",
        "/grow?mb=4",
        "--memory-mb",
        "2",
    ]);
    assert_eq!(out.status.code(), Some(4));
    let out = cli(&["invoke", wasm, "--memory", "2 parsecs"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown unit"),
        "{}",
        text(&out.stderr)
    );
    // A failed invocation still shows what the function printed.
    let out = cli(&["invoke", wasm, "-X", "GET", "--path", "/panic"]);
    assert_eq!(out.status.code(), Some(4));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("WARN  stderr: test-programs: deliberate panic"),
        "{stderr}"
    );
}

/// A child process killed (by its PID) when dropped.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `serve` child process, killed if the test fails before stopping it.
struct Served {
    child: Child,
    lines: mpsc::Receiver<String>,
    addr: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn start(args: &[&str]) -> Served {
        let mut command = Command::new(env!("CARGO_BIN_EXE_momento-functions-test-host"));
        command.arg("serve").args(args);
        Served::from_command(command)
    }

    /// Run `command` (a `serve` invocation, possibly behind a wrapper such as `prlimit`) on a free port
    /// and wait for its banner.
    fn from_command(mut command: Command) -> Served {
        let mut child = command
            .args(["--addr", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut served = Served {
            child,
            lines,
            addr: String::new(),
        };
        let banner = served.wait_for("serving ");
        served.addr = banner
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the address in the banner")
            .to_owned();
        served
    }

    /// The next stderr line containing `needle` (30 s at most).
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(e) => panic!("no `{needle}` on serve's stderr: {e}"),
            }
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        let status = raw
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = raw
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    /// Ctrl-C, and the exit status.
    fn interrupt(&mut self) -> Option<i32> {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        self.wait_for("stopped");
        self.child.wait().unwrap().code()
    }
}

#[test]
fn serve_logs_each_request_and_stops_on_ctrl_c() {
    let wasm = programs_wasm();
    let mut served = Served::start(&[wasm.to_str().unwrap(), "--env", "GREETING=hey"]);
    assert_eq!(served.get("/env?name=GREETING"), (200, "hey".to_owned()));
    let line = served.wait_for("\"GET /env?name=GREETING\"");
    assert!(line.contains(" 200 3B "), "{line}");
    assert!(line.ends_with("µs"), "{line}");
    let (status, _) = served.get("/panic");
    assert_eq!(status, 500);
    let line = served.wait_for("\"GET /panic\"");
    assert!(line.ends_with("guest_panic"), "{line}");
    served.wait_for("deliberate panic");
    assert_eq!(served.interrupt(), Some(0));
}

#[test]
fn serve_watch_reloads_a_changed_component() {
    let dir = temp_dir("watch");
    let wasm = dir.join("function.wasm");
    std::fs::copy(example_wasm("echo"), &wasm).unwrap();
    let mut served = Served::start(&[wasm.to_str().unwrap(), "--watch", "-q"]);
    // The echo function answers GET with 405.
    assert_eq!(served.get("/ok").0, 405);
    std::fs::copy(programs_wasm(), &wasm).unwrap();
    served.wait_for("reloaded");
    assert_eq!(served.get("/ok"), (200, "ok".to_owned()));
    assert_eq!(served.interrupt(), Some(0));
}

/// Run the CLI with `args`, sampling its resident memory every 5 ms; the output and the largest RSS seen
/// (VmHWM, the kernel's own high-water mark). A child over `kill_above` bytes is killed (and reported at
/// that size) so that a regression fails the test instead of exhausting the machine.
fn cli_peak_rss(args: &[&str], kill_above: u64) -> (Output, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_momento-functions-test-host"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI runs");
    let status_file = format!("/proc/{}/status", child.id());
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let err_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        bytes
    });
    let mut peak = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            let hwm = text
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.trim().strip_suffix("kB"))
                .and_then(|kb| kb.trim().parse::<u64>().ok())
                .map_or(0, |kb| kb * 1024);
            peak = peak.max(hwm);
        }
        if peak > kill_above {
            let _ = child.kill();
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = child.wait().unwrap();
    let output = Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    };
    (output, peak)
}

const MIB: u64 = 1 << 20;

#[test]
fn check_rejects_deep_nesting_and_huge_code_in_bounded_memory() {
    let dir = temp_dir("check-hostile");
    let nested = write(
        &dir,
        "nested.wasm",
        &common::faults::nested_components(20_000),
    );
    let code = write(
        &dir,
        "code.wasm",
        &common::faults::component_with_big_functions(2, 7 << 20),
    );
    for (path, reason) in [
        (&nested, "nested deeper than 8 levels"),
        (&code, "over the 1048576-byte limit for one function"),
    ] {
        let started = Instant::now();
        let (out, peak) = cli_peak_rss(&["check", path], 2048 * MIB);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(3), "{path}: {stdout}");
        assert!(stdout.contains(reason), "{path}: {stdout}");
        // Before the scan: 8 GB and 10 s (nesting), 2.7 GB and 40 s (code). Bounds loose for busy machines.
        assert!(peak < 512 * MIB, "{path}: peak RSS {} MiB", peak / MIB);
        eprintln!(
            "check {path}: {:?}, peak RSS {} MiB",
            started.elapsed(),
            peak / MIB
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invoke_stays_small_with_huge_log_targets() {
    let wasm = programs_wasm();
    let (out, peak) = cli_peak_rss(
        &[
            "invoke",
            wasm.to_str().unwrap(),
            "-X",
            "GET",
            "--path",
            "/log-target?n=600&bytes=1048576",
        ],
        2048 * MIB,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "600 records");
    // 600 records with a 1 MiB target each were kept twice (the response and the history): 1.2 GB.
    assert!(peak < 512 * MIB, "peak RSS {} MiB", peak / MIB);
    eprintln!(
        "invoke, 600 records with 1 MiB targets: peak RSS {} MiB",
        peak / MIB
    );
    // A newline flood on stderr is held to the record limit too.
    let out = cli(&[
        "invoke",
        wasm.to_str().unwrap(),
        "-X",
        "GET",
        "--path",
        "/newlines",
        "--log-records",
        "1000",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    assert!(
        stderr.lines().count() < 1_010,
        "{} lines",
        stderr.lines().count()
    );
    assert!(
        stderr.contains("(2096152 more log records dropped: per-invocation limit)"),
        "{}",
        &stderr[stderr.len().saturating_sub(300)..]
    );
}

#[test]
fn serve_stops_promptly_on_ctrl_c_while_guests_sleep() {
    let wasm = programs_wasm();
    let mut served = Served::start(&[wasm.to_str().unwrap(), "--threads", "2"]);
    // Two 20 s sleeps occupy both serving threads (the default deadline is 5 s).
    let addr = served.addr.clone();
    let sleepers: Vec<_> = (0..2)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(&addr).unwrap();
                write!(
                    stream,
                    "GET /sleep?ms=20000 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
                )
                .unwrap();
                let mut raw = String::new();
                let _ = stream.read_to_string(&mut raw);
                raw
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    assert_eq!(served.interrupt(), Some(0));
    let took = started.elapsed();
    // 24 s before (the sleeps ran to their end); now at most the deadline, 5 s. Loose bound.
    assert!(took < Duration::from_secs(12), "Ctrl-C took {took:?}");
    eprintln!("Ctrl-C with two 20 s sleeps in flight: stopped after {took:?}");
    for sleeper in sleepers {
        let raw = sleeper.join().unwrap();
        assert!(raw.starts_with("HTTP/1.1 504"), "{raw}");
    }
}

#[test]
fn serve_keeps_serving_when_out_of_file_descriptors() {
    let wasm = programs_wasm();
    let mut command = Command::new("prlimit");
    command
        .args(["--nofile=256:256", "--"])
        .arg(env!("CARGO_BIN_EXE_momento-functions-test-host"))
        .args(["serve", wasm.to_str().unwrap()]);
    let mut served = Served::from_command(command);
    let addr: std::net::SocketAddr = served.addr.parse().unwrap();
    // 400 connections against 256 descriptors: some are accepted, the rest wait in the backlog or are
    // refused; none may take the server down.
    let mut open = Vec::new();
    let mut refused = 0;
    for _ in 0..400 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(500)) {
            Ok(stream) => open.push(stream),
            Err(_) => refused += 1,
        }
    }
    served.wait_for("accept failed");
    assert!(served.child.try_wait().unwrap().is_none(), "serve exited");
    eprintln!(
        "400 connections at nofile 256: {} connected, {refused} refused",
        open.len()
    );
    drop(open);
    // Once they are closed, serve answers as usual.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET /ok HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        let _ = stream.read_to_string(&mut raw);
        if raw.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no answer after the flood: {raw:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(served.interrupt(), Some(0));
}

#[test]
fn serve_access_log_is_bounded_when_stderr_is_not_read() {
    let wasm = programs_wasm();
    // stderr is a pipe nobody reads for now: the access log must not pile up in memory.
    let child = Command::new(env!("CARGO_BIN_EXE_momento-functions-test-host"))
        .args(["serve", wasm.to_str().unwrap(), "--addr", "127.0.0.1:0"])
        .args(["--threads", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve starts");
    // Killed when the test ends, passed or failed.
    let mut child = KillOnDrop(child);
    let child = &mut child.0;
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut banner = String::new();
    stderr.read_line(&mut banner).unwrap();
    let addr = banner
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the address in the banner")
        .to_owned();
    let status_file = format!("/proc/{}/status", child.id());
    let get = |path: &str| {
        let mut stream = TcpStream::connect(&addr).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        stream.read_to_string(&mut raw).unwrap();
        raw
    };
    // Each request logs 1,000 records of 64 KiB: a 64 MiB access-log line.
    for _ in 0..20 {
        assert!(get("/log-flood").starts_with("HTTP/1.1 200"));
    }
    assert!(get("/log-escape").starts_with("HTTP/1.1 200"));
    let rss = std::fs::read_to_string(&status_file)
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kb| kb.trim().parse::<u64>().ok())
        .unwrap()
        * 1024;
    // 1.36 GB before.
    assert!(rss < 512 * MIB, "RSS {} MiB", rss / MIB);
    eprintln!(
        "20 × 64 MiB of logs with stderr unread: RSS {} MiB",
        rss / MIB
    );
    // Reading stderr now: the lines that fit, a count of the dropped ones, escaped records.
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let mut rest = Vec::new();
    stderr.read_to_end(&mut rest).unwrap();
    let _ = child.wait();
    let rest = String::from_utf8_lossy(&rest);
    assert!(
        rest.contains("access-log line(s) dropped so far"),
        "{}",
        rest.len()
    );
    assert!(rest.contains("more record(s) not shown (access-log line limit)"));
    assert!(!rest.contains('\x1b'), "a raw escape reached the terminal");
    if let Some(escaped) = rest.lines().find(|line| line.contains("line one")) {
        assert!(escaped.contains(r"line one\r\nFAKE"), "{escaped}");
    }
}

#[test]
fn a_second_ctrl_c_cancels_running_invocations() {
    let wasm = programs_wasm();
    // A 30 s deadline: the first Ctrl-C would wait for the 20 s sleep.
    let mut served = Served::start(&[wasm.to_str().unwrap(), "--deadline-ms", "30000"]);
    let addr = served.addr.clone();
    let sleeper = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(&addr).unwrap();
        write!(
            stream,
            "GET /sleep?ms=20000 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        let _ = stream.read_to_string(&mut raw);
        raw
    });
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    let pid = served.child.id().to_string();
    for _ in 0..2 {
        assert!(
            Command::new("kill")
                .args(["-INT", &pid])
                .status()
                .unwrap()
                .success()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    served.wait_for("cancelling 1 running invocation");
    served.wait_for("stopped");
    assert_eq!(served.child.wait().unwrap().code(), Some(0));
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let raw = sleeper.join().unwrap();
    assert!(raw.starts_with("HTTP/1.1 499"), "{raw}");
    assert!(raw.contains("cancelled"), "{raw}");
}
