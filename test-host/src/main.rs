//! `momento-functions-test-host`: run, check, serve and benchmark functions locally, and create new ones.
//! See `--help`. The same program is installed as `mfn`.

fn main() -> std::process::ExitCode {
    momento_functions_test_host::cli::main("momento-functions-test-host")
}
