//! `invoke`: run a function once and print its response.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use crate::{StreamPart, TestHost};
use clap::Args;

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
        // A streamed response is printed frame by frame, as the function sends it.
        let verbose = self.verbose;
        let mut write_failed = None;
        let response = host.invoke_streaming(request, |part| match part {
            StreamPart::Start { status, headers } => {
                if verbose {
                    eprintln!("< {status} (streaming)");
                    for (name, value) in headers {
                        eprintln!("< {name}: {value}");
                    }
                }
            }
            StreamPart::Data(bytes) => {
                let mut stdout = std::io::stdout().lock();
                if let Err(e) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
                    write_failed.get_or_insert(e);
                }
            }
        });
        if let Some(e) = write_failed {
            super::error(format_args!("cannot write the response body: {e}"));
            return ExitCode::from(EXIT_INVOKE);
        }
        let response = match response {
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
        if self.verbose && response.stream().is_none() {
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
        // Spawns run after the function returned: wait for them and say how they went.
        for spawn in host.spawns().wait() {
            let result = match &spawn.result {
                Ok(result) => format!(
                    "{}{}",
                    if result.is_ok() { "ok" } else { "failed" },
                    result.note().map(|n| format!(": {n}")).unwrap_or_default()
                ),
                Err(error) => format!("error ({}): {error}", error.code()),
            };
            for record in &spawn.logs {
                eprintln!("{record}");
            }
            eprintln!(
                "spawned {} ({} bytes of payload, {} µs): {result}",
                spawn.name,
                spawn.payload.len(),
                spawn.elapsed.as_micros()
            );
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
