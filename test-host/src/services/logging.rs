//! The `logging` interface: records are kept per invocation (see `Response::logs`) and in the host's history.

use crate::bindings::host::logging::{Host, Level as WitLevel};
use crate::logs::{Level, LogRecord, LogSource};
use crate::state::HostState;

fn level(level: WitLevel) -> Level {
    match level {
        WitLevel::Error => Level::Error,
        WitLevel::Warn => Level::Warn,
        WitLevel::Info => Level::Info,
        WitLevel::Debug => Level::Debug,
        WitLevel::Trace => Level::Trace,
    }
}

/// Log messages longer than this are truncated.
const MAX_MESSAGE_BYTES: usize = 64 << 10;

impl Host for HostState {
    fn enabled(&mut self, level_: WitLevel, _target: String) -> wasmtime::Result<bool> {
        self.host_call("logging")?;
        Ok(level(level_) <= self.services.log_level)
    }

    fn log(
        &mut self,
        level_: WitLevel,
        target: String,
        mut message: String,
    ) -> wasmtime::Result<()> {
        self.host_call("logging")?;
        let level = level(level_);
        if level > self.services.log_level {
            return Ok(());
        }
        if message.len() > MAX_MESSAGE_BYTES {
            let mut end = MAX_MESSAGE_BYTES;
            while !message.is_char_boundary(end) {
                end -= 1;
            }
            message.truncate(end);
            message.push_str("… (truncated)");
        }
        self.push_log(LogRecord {
            level,
            target,
            message,
            source: LogSource::Log,
            invocation_id: self.invocation_id.clone(),
        });
        Ok(())
    }
}
