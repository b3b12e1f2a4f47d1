//! `mfn`: the short name of `momento-functions-test-host`. See `mfn --help`.

fn main() -> std::process::ExitCode {
    momento_functions_test_host::cli::main("mfn")
}
