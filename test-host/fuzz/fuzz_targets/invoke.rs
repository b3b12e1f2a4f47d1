//! Structured invocation inputs — method, path (mostly the test programs' fault selectors), query,
//! headers, body — against `test-host/test-guests/test-programs` under tight limits.
//!
//! Oracle: every invocation ends in a response or in one of the typed errors a misbehaving function may
//! cause; an unclassified `Trap`, an `Internal` error or a host panic is a finding. After each input the
//! host must still answer `/ok` (a follow-up that times out on a busy machine is retried).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use momento_functions_test_host::guest_build::build_crate_once;
use momento_functions_test_host::{InvokeError, Limits, Request, TestHost};

#[derive(Debug, Arbitrary)]
enum PathChoice {
    Known(Behaviour),
    Raw(String),
}

#[derive(Debug, Arbitrary, Clone, Copy)]
enum Behaviour {
    Ok,
    Echo,
    Loop,
    Spin,
    Bomb,
    BigAlloc,
    Grow,
    Recurse,
    RecurseWasm,
    Panic,
    HugeResponse,
    HostcallStorm,
    Stdout,
    Env,
    Clock,
    Random,
    Fs,
    FsWrite,
    Stdin,
    Exit,
    Text,
    Json,
}

impl Behaviour {
    fn path(self) -> &'static str {
        match self {
            Behaviour::Ok => "/ok",
            Behaviour::Echo => "/echo",
            Behaviour::Loop => "/loop",
            Behaviour::Spin => "/spin",
            Behaviour::Bomb => "/bomb",
            Behaviour::BigAlloc => "/big-alloc",
            Behaviour::Grow => "/grow",
            Behaviour::Recurse => "/recurse",
            Behaviour::RecurseWasm => "/recurse-wasm",
            Behaviour::Panic => "/panic",
            Behaviour::HugeResponse => "/huge-response",
            Behaviour::HostcallStorm => "/hostcall-storm",
            Behaviour::Stdout => "/stdout",
            Behaviour::Env => "/env",
            Behaviour::Clock => "/clock",
            Behaviour::Random => "/random",
            Behaviour::Fs => "/fs",
            Behaviour::FsWrite => "/fs-write",
            Behaviour::Stdin => "/stdin",
            Behaviour::Exit => "/exit",
            Behaviour::Text => "/text",
            Behaviour::Json => "/json",
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Other(String),
}

#[derive(Debug, Arbitrary)]
struct Input {
    method: Method,
    path: PathChoice,
    /// `name=value` pairs of small numbers drive the behaviours (`ms`, `mb`, `bytes`, `n`, `name`).
    params: Vec<(u8, u32)>,
    raw_query: Option<String>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn host() -> &'static TestHost {
    static HOST: OnceLock<TestHost> = OnceLock::new();
    HOST.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-guests/test-programs");
        let wasm = build_crate_once(&dir).expect("test-programs builds");
        TestHost::builder()
            .keep_log_history(false)
            .env("GREETING", "hi")
            .limits(
                Limits::default()
                    .with_deadline(Duration::from_millis(10))
                    .with_memory(16 << 20)
                    .with_request_bytes(64 << 10)
                    .with_response_bytes(64 << 10)
                    .with_host_calls(1_000)
                    .with_log_records(100),
            )
            .build_file(wasm)
            .expect("test-programs loads")
    })
}

/// The error classes a misbehaving function may produce.
fn expected(error: &InvokeError) -> bool {
    matches!(
        error,
        InvokeError::RequestTooLarge { .. }
            | InvokeError::ResponseTooLarge { .. }
            | InvokeError::Timeout { .. }
            | InvokeError::MemoryLimitExceeded { .. }
            | InvokeError::StackOverflow { .. }
            | InvokeError::GuestPanic { .. }
            | InvokeError::HostCallLimitExceeded { .. }
            | InvokeError::UnsupportedWasi { .. }
    )
}

fuzz_target!(|input: Input| {
    let method = match input.method {
        Method::Get => "GET".to_owned(),
        Method::Post => "POST".to_owned(),
        Method::Put => "PUT".to_owned(),
        Method::Patch => "PATCH".to_owned(),
        Method::Delete => "DELETE".to_owned(),
        Method::Other(other) => other,
    };
    let path = match &input.path {
        PathChoice::Known(behaviour) => behaviour.path().to_owned(),
        PathChoice::Raw(raw) => raw.clone(),
    };
    let mut request = Request::new(method, path);
    if let Some(raw) = input.raw_query {
        request = request.query(raw);
    }
    for (key, value) in input.params.iter().take(4) {
        let key = ["ms", "mb", "bytes", "n", "name"][usize::from(*key) % 5];
        // Keep the numbers in a range where the behaviours end quickly.
        let value = match key {
            "ms" => value % 20,
            "mb" => value % 64,
            "bytes" => value % (256 << 10),
            "n" => value % 5_000,
            _ => *value,
        };
        request = request.query_param(key, &value.to_string());
    }
    for (name, value) in input.headers {
        request = request.header(name, value);
    }
    request = request.body(input.body);
    match host().invoke(request) {
        Ok(response) => assert!((100..=999).contains(&response.status())),
        Err(error) => assert!(expected(&error), "unexpected error class: {error:?}"),
    }
    // The host keeps serving. The deadline is wall-clock time and this machine may be busy: a follow-up
    // that times out is retried; any other failure is a finding.
    for attempt in 0.. {
        match host().invoke(Request::get("/ok")) {
            Ok(next) => {
                assert_eq!(next.status(), 200);
                break;
            }
            Err(InvokeError::Timeout { .. }) if attempt < 5 => {}
            Err(error) => panic!("the host stopped serving: {error:?}"),
        }
    }
});
