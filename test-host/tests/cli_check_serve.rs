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
        stdout.contains("handler:          momento:functions/web@0.1.0"),
        "{stdout}"
    );
    assert!(
        stdout.contains("host interfaces:  momento:functions/"),
        "{stdout}"
    );
    assert!(stdout.contains("momento:functions/cache@0.1.0"), "{stdout}");
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
        "--memory-mb",
        "2",
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
        "--memory-mb",
        "2",
        "--warn-only",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), (4u32 << 20).to_string());
    assert!(
        text(&out.stderr)
            .contains("warn-only: production would fail this invocation (memory_limit_exceeded)"),
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
        let mut child = Command::new(env!("CARGO_BIN_EXE_momento-functions-test-host"))
            .arg("serve")
            .args(args)
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
