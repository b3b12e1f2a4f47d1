//! The `cache` interface: every call goes to the host's [`CacheMock`], shared by all invocations.

mod mock;
mod types;

use std::time::Duration;

pub use mock::CacheMock;
pub use types::{
    CacheCall, CacheEntry, CacheError, CacheLimits, CacheOp, CacheOpKind, CacheOutcome,
    SetCondition,
};

use crate::bindings::host::cache::{self as wit, Host};
use crate::state::HostState;

impl From<CacheError> for wit::Error {
    fn from(error: CacheError) -> Self {
        match error {
            CacheError::InvalidArgument(m) => wit::Error::InvalidArgument(m),
            CacheError::LimitExceeded(m) => wit::Error::LimitExceeded(m),
            CacheError::Timeout(m) => wit::Error::Timeout(m),
            CacheError::PermissionDenied(m) => wit::Error::PermissionDenied(m),
            CacheError::FailedPrecondition(m) => wit::Error::FailedPrecondition(m),
            CacheError::Internal(m) => wit::Error::Internal(m),
        }
    }
}

impl From<wit::SetCondition> for SetCondition {
    fn from(condition: wit::SetCondition) -> Self {
        match condition {
            wit::SetCondition::Absent => SetCondition::Absent,
            wit::SetCondition::Present => SetCondition::Present,
            wit::SetCondition::Equal(value) => SetCondition::Equal(value),
        }
    }
}

impl HostState {
    fn cache_op(
        &mut self,
        key: Vec<u8>,
        op: CacheOp,
    ) -> wasmtime::Result<Result<CacheOutcome, wit::Error>> {
        self.host_call("cache")?;
        Ok(self
            .services
            .cache
            .execute(&self.invocation_id, key, op)
            .map_err(wit::Error::from))
    }
}

/// An outcome the operation cannot produce: a host bug, reported as the cache's internal error.
fn unexpected(op: &str, outcome: &CacheOutcome) -> wit::Error {
    wit::Error::Internal(format!("test host bug: {op} produced {outcome:?}"))
}

impl Host for HostState {
    fn get(&mut self, key: Vec<u8>) -> wasmtime::Result<Result<Option<Vec<u8>>, wit::Error>> {
        Ok(self
            .cache_op(key, CacheOp::Get)?
            .and_then(|outcome| match outcome {
                CacheOutcome::Hit(value) => Ok(Some(value)),
                CacheOutcome::Miss => Ok(None),
                other => Err(unexpected("get", &other)),
            }))
    }

    fn set(
        &mut self,
        key: Vec<u8>,
        value: Vec<u8>,
        ttl_ms: u64,
    ) -> wasmtime::Result<Result<(), wit::Error>> {
        let op = CacheOp::Set {
            value,
            ttl: Duration::from_millis(ttl_ms),
        };
        Ok(self.cache_op(key, op)?.map(|_| ()))
    }

    fn set_if(
        &mut self,
        key: Vec<u8>,
        value: Vec<u8>,
        ttl_ms: u64,
        condition: wit::SetCondition,
    ) -> wasmtime::Result<Result<bool, wit::Error>> {
        let op = CacheOp::SetIf {
            value,
            ttl: Duration::from_millis(ttl_ms),
            condition: condition.into(),
        };
        Ok(self.cache_op(key, op)?.and_then(|outcome| match outcome {
            CacheOutcome::Stored => Ok(true),
            CacheOutcome::NotStored => Ok(false),
            other => Err(unexpected("set_if", &other)),
        }))
    }

    fn delete(&mut self, key: Vec<u8>) -> wasmtime::Result<Result<(), wit::Error>> {
        Ok(self.cache_op(key, CacheOp::Delete)?.map(|_| ()))
    }

    fn increment(
        &mut self,
        key: Vec<u8>,
        amount: i64,
        ttl_ms: u64,
    ) -> wasmtime::Result<Result<i64, wit::Error>> {
        let op = CacheOp::Increment {
            amount,
            ttl: Duration::from_millis(ttl_ms),
        };
        Ok(self.cache_op(key, op)?.and_then(|outcome| match outcome {
            CacheOutcome::Incremented(n) => Ok(n),
            other => Err(unexpected("increment", &other)),
        }))
    }
}
