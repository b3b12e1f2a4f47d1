//! Spawn functions: registered by name, queued when the caller returns, run one at a time in fresh
//! instances; the queue's bound, the depth bound, fixtures, `serve`. The caller is `test-programs`
//! (`/spawn?name=X&n=N`), the spawned function `test-guests/spawn-chain` (spawns itself while its
//! payload count is above zero).

#![allow(clippy::unwrap_used, reason = "test helpers outside #[test] functions")]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::faults::{programs_wasm, quick_limits};
use momento_functions_test_host::guest_build::build_crate_once;
use momento_functions_test_host::server::{ServeOptions, Server};
use momento_functions_test_host::{
    Fixtures, LoadError, MAX_SPAWN_DEPTH, Request, SpawnResult, TestHost, TestHostBuilder,
};

fn chain_wasm() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-guests/spawn-chain");
    build_crate_once(&dir).unwrap()
}

fn caller(builder: TestHostBuilder) -> TestHost {
    builder
        .limits(quick_limits())
        .build_file(programs_wasm())
        .unwrap()
}

fn spawn_lines(host: &TestHost, query: &str) -> Vec<String> {
    let response = host
        .invoke(Request::get("/spawn").query(query.to_owned()))
        .unwrap();
    assert_eq!(response.status(), 200);
    response
        .text()
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn spawns_run_after_the_caller_in_the_order_made() {
    let host = caller(TestHost::builder().function("chain", chain_wasm()));
    // Payloads 0, 1, 2: each chain ends at once or spawns down to 0.
    assert_eq!(spawn_lines(&host, "name=chain&n=3"), ["ok", "ok", "ok"]);
    let records = host.spawns().wait();
    let seen: Vec<(String, u32, Option<String>)> = records
        .iter()
        .map(|r| {
            (
                String::from_utf8(r.payload.clone()).unwrap(),
                r.depth,
                r.result.as_ref().unwrap().note().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("0".into(), 1, Some("done".into())),
            ("1".into(), 1, Some("spawned 0".into())),
            ("2".into(), 1, Some("spawned 1".into())),
            ("0".into(), 2, Some("done".into())),
            ("1".into(), 2, Some("spawned 0".into())),
            ("0".into(), 3, Some("done".into())),
        ]
    );
    // A spawn's caller is the invocation that spawned it.
    assert_eq!(records[3].caller, records[1].invocation_id);
}

#[test]
fn a_full_queue_is_the_callers_limit_error() {
    let host = caller(
        TestHost::builder()
            .function("chain", chain_wasm())
            .spawn_queue(2),
    );
    let lines = spawn_lines(&host, "name=chain&n=3");
    assert_eq!(lines[..2], ["ok", "ok"]);
    assert!(lines[2].contains("spawn queue full"), "{lines:?}");
    // The two accepted ran; the second spawned once more, when the queue had room again.
    let payloads: Vec<Vec<u8>> = host
        .spawns()
        .wait()
        .into_iter()
        .map(|r| r.payload)
        .collect();
    assert_eq!(payloads, [b"0".to_vec(), b"1".to_vec(), b"0".to_vec()]);
}

#[test]
fn chains_of_spawns_stop_at_the_depth_limit() {
    // The chain function invoked directly with 100: each spawn spawns the next, until the depth limit.
    let chain = TestHost::builder()
        .function("chain", chain_wasm())
        .build_file(chain_wasm())
        .unwrap();
    let first = chain.invoke(Request::post("/").body("100")).unwrap();
    assert_eq!(first.text().unwrap(), "spawned 99");
    let records = chain.spawns().wait();
    assert_eq!(records.len(), MAX_SPAWN_DEPTH as usize);
    let last = records.last().unwrap();
    assert_eq!(last.depth, MAX_SPAWN_DEPTH);
    let Ok(SpawnResult::Failed { note: Some(note) }) = &last.result else {
        panic!("{:?}", last.result);
    };
    assert!(note.contains("spawn depth"), "{note}");
}

#[test]
fn fixtures_register_spawn_functions_relative_to_the_file() {
    let dir = std::env::temp_dir().join(format!("spawn-fixtures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(chain_wasm(), dir.join("chain.wasm")).unwrap();
    let file = dir.join("fixtures.toml");
    std::fs::write(
        &file,
        "[spawn]\nqueue = 5\n\n[[spawn.functions]]\nname = \"chain\"\npath = \"chain.wasm\"\nlimits = { host_calls = 50 }\n",
    )
    .unwrap();
    let host = caller(TestHost::builder().fixtures_file(&file));
    assert_eq!(host.spawns().functions(), ["chain"]);
    assert_eq!(spawn_lines(&host, "name=chain&n=1"), ["ok"]);
    assert_eq!(host.spawns().wait().len(), 1);

    let missing =
        Fixtures::from_toml("[[spawn.functions]]\nname = \"x\"\npath = \"nowhere.wasm\"\n")
            .unwrap_err();
    assert!(
        missing.to_string().contains("spawn.functions[0].path"),
        "{missing}"
    );
    let twice = Fixtures::from_toml(&format!(
        "[[spawn.functions]]\nname = \"x\"\npath = {0:?}\n[[spawn.functions]]\nname = \"x\"\npath = {0:?}\n",
        chain_wasm()
    ))
    .unwrap_err();
    assert!(twice.to_string().contains("registered twice"), "{twice}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_component_that_is_not_a_spawn_function_is_refused_by_name() {
    let error = TestHost::builder()
        .function("web", programs_wasm())
        .build_file(programs_wasm())
        .unwrap_err();
    assert!(
        matches!(&error, LoadError::SpawnFunction { name, message } if name == "web" && message.contains("not a spawn function")),
        "{error}"
    );
}

#[test]
fn serve_answers_first_and_the_spawns_run_in_the_background() {
    let host = caller(TestHost::builder().function("chain", chain_wasm()));
    let server = Server::start(
        host.clone(),
        ServeOptions::default()
            .addr("127.0.0.1:0".parse().unwrap())
            .access_log(false),
    )
    .unwrap();
    let mut stream = TcpStream::connect(server.local_addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "GET /spawn?name=chain&n=2 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    // The served host and `host` share their services: the same queue and records.
    assert_eq!(host.spawns().wait().len(), 3);
    server.shutdown().unwrap();
}
