//! `momento-functions-test-host`: run, check and benchmark functions locally. See `--help`.

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    cli::Cli::parse().run()
}
