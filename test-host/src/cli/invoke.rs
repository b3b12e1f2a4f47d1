//! `invoke`: run a function once and print its response.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Args;

use crate::TestHost;

use super::{
    EXIT_ERROR_RESPONSE, EXIT_INVOKE, EXIT_LOAD, EXIT_USAGE, HostArgs, LimitArgs, RequestArgs,
    style,
};

/// Invoke a function once.
#[derive(Debug, Args)]
pub(crate) struct InvokeCommand {
    #[command(flatten)]
    host: HostArgs,
    #[command(flatten)]
    request: RequestArgs,
    #[command(flatten)]
    limits: LimitArgs,
    /// Print the status, headers, invocation id and time to stderr.
    #[arg(long, short = 'v')]
    verbose: bool,
}

impl InvokeCommand {
    pub(crate) fn run(self) -> ExitCode {
        let request = match self.request.request() {
            Ok(request) => request,
            Err(message) => {
                super::error(&message);
                return ExitCode::from(EXIT_USAGE);
            }
        };
        let host = match self.host.load(self.limits.configure(TestHost::builder())) {
            Ok(host) => host,
            Err(message) => {
                super::error(&message);
                return ExitCode::from(EXIT_LOAD);
            }
        };
        if let Some(notice) = super::warn_only_notice(host.limits()) {
            style::warning(notice);
        }
        let response = match host.invoke(request) {
            Ok(response) => response,
            Err(error) => {
                // What the function logged before it failed (panic messages, warnings) helps most here.
                for record in host.logs() {
                    eprintln!("{record}");
                }
                super::error(format_args!(
                    "invocation failed ({}): {error}",
                    error.code()
                ));
                return ExitCode::from(EXIT_INVOKE);
            }
        };
        for record in response.logs() {
            eprintln!("{record}");
        }
        if response.logs_dropped() > 0 {
            eprintln!(
                "({} more log records dropped: per-invocation limit)",
                response.logs_dropped()
            );
        }
        if self.verbose {
            eprintln!(
                "< {} ({} µs, invocation {})",
                response.status(),
                response.elapsed().as_micros(),
                response.invocation_id()
            );
            for (name, value) in response.headers() {
                eprintln!("< {name}: {value}");
            }
        }
        let stdout = std::io::stdout();
        let terminal = stdout.is_terminal();
        let mut stdout = stdout.lock();
        let written = stdout.write_all(response.body()).and_then(|()| {
            if terminal && needs_newline(response.body()) {
                stdout.write_all(b"\n")?;
            }
            stdout.flush()
        });
        if let Err(e) = written {
            super::error(format_args!("cannot write the response body: {e}"));
            return ExitCode::from(EXIT_INVOKE);
        }
        if response.is_success() {
            ExitCode::SUCCESS
        } else {
            super::error(format_args!(
                "the function answered with status {}",
                response.status()
            ));
            ExitCode::from(EXIT_ERROR_RESPONSE)
        }
    }
}

/// Does a body shown on a terminal need a newline after it, so that the prompt starts on a line of its
/// own? Text that does not end with one; never binary (which is written exactly as it is).
fn needs_newline(body: &[u8]) -> bool {
    !body.is_empty() && !body.ends_with(b"\n") && std::str::from_utf8(body).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_text_without_a_final_newline_gets_one() {
        assert!(needs_newline(b"hello"));
        assert!(!needs_newline(b"hello\n"));
        assert!(!needs_newline(b""));
        assert!(!needs_newline(&[0xff, 0xfe, 0x00]));
    }
}
