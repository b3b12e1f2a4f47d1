//! The cache: `momento:cache-scalar` (current generation, keys and values as `data`) and
//! `momento:functions/cache-scalar` (older generation, as lists), both on the host's one [`CacheMock`],
//! shared by all invocations. Lists (`cache-list`, both generations) are in [`list`] (the WIT layer) and
//! [`list_ops`] (the operations on the same store).

pub(crate) mod fixtures;
pub(crate) mod list;
mod list_ops;
mod mock;
mod types;

use std::time::Duration;

use wasmtime::component::Linker;

pub use list_ops::{MAX_LIST_BYTES, MAX_LIST_ELEMENTS};
pub use mock::CacheMock;
pub use types::{
    CacheCall, CacheEntry, CacheError, CacheLimits, CacheOp, CacheOpKind, CacheOutcome, ListEnd,
    ListErase, ListStart, ListTtl, SetCondition, SetHashCondition, value_hash,
};

use super::bytes::{take_data, value_data};
use super::{Interface, Service, View, ViewOf, view};
use crate::bindings::momento::cache_scalar::cache_scalar as current;
use crate::bindings::momento::functions::cache_scalar as older;
use crate::state::{HostState, Services};

pub(crate) const SERVICE: Service = Service {
    interfaces: &[
        Interface::implemented("momento:cache-scalar/cache-scalar@1.0.0"),
        Interface::implemented("momento:functions/cache-scalar@1.0.0"),
    ],
    link,
};

pub(super) fn pick(services: &Services) -> &CacheMock {
    &services.cache
}

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    current::add_to_linker::<HostState, ViewOf<CacheMock>>(linker, |s| view(s, pick))?;
    older::add_to_linker::<HostState, ViewOf<CacheMock>>(linker, |s| view(s, pick))
}

/// What a call answered, before it is put in either generation's types.
type Answer = Result<CacheOutcome, CacheError>;

impl View<'_, CacheMock> {
    fn run(&mut self, key: Vec<u8>, op: CacheOp) -> wasmtime::Result<Answer> {
        self.inv.host_call("momento:cache-scalar")?;
        Ok(self.service.execute(&self.inv.id, key, op))
    }

    fn bytes(&mut self, data: current::Data) -> wasmtime::Result<Vec<u8>> {
        Ok(take_data(self.inv, data)?.to_vec())
    }
}

/// An outcome the operation cannot produce: a host bug, reported as the cache's internal error.
fn unexpected(op: &str, outcome: &CacheOutcome) -> CacheError {
    CacheError::Internal(format!("test host bug: {op} produced {outcome:?}"))
}

fn ttl(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

macro_rules! error_conversion {
    ($wit:ident) => {
        impl From<CacheError> for $wit::Error {
            fn from(error: CacheError) -> Self {
                match error {
                    CacheError::InvalidArgument(m) => $wit::Error::InvalidArgument(m),
                    CacheError::LimitExceeded(m) => $wit::Error::LimitExceeded(m),
                    CacheError::Timeout(_) => $wit::Error::Timeout,
                    CacheError::PermissionDenied(m) => $wit::Error::PermissionDenied(m),
                    CacheError::FailedPrecondition(m) => $wit::Error::FailedPrecondition(m),
                    CacheError::NotFound(m) => $wit::Error::NotFound(m),
                    CacheError::RequestCancelled(_) => $wit::Error::RequestCancelled,
                    CacheError::Internal(_) => $wit::Error::InternalError,
                }
            }
        }
    };
}
error_conversion!(current);
error_conversion!(older);

// ---- current generation: keys, values and hashes are `data` -------------------------------------------

impl current::Host for View<'_, CacheMock> {
    fn get(
        &mut self,
        key: current::Data,
    ) -> wasmtime::Result<Result<Option<current::Data>, current::Error>> {
        let key = self.bytes(key)?;
        Ok(match self.run(key, CacheOp::Get)? {
            Ok(CacheOutcome::Hit(value)) => Ok(Some(value_data(self.inv, value))),
            Ok(CacheOutcome::Miss) => Ok(None),
            Ok(other) => Err(unexpected("get", &other).into()),
            Err(error) => Err(error.into()),
        })
    }

    fn get_with_hash(
        &mut self,
        key: current::Data,
    ) -> wasmtime::Result<Result<current::GetWithHashResult, current::Error>> {
        let key = self.bytes(key)?;
        Ok(match self.run(key, CacheOp::GetWithHash)? {
            Ok(CacheOutcome::HitWithHash { value, hash }) => Ok(current::GetWithHashResult::Found(
                current::GetWithHashFound {
                    value: value_data(self.inv, value),
                    hash: value_data(self.inv, hash),
                },
            )),
            Ok(CacheOutcome::Miss) => Ok(current::GetWithHashResult::Missing),
            Ok(other) => Err(unexpected("get_with_hash", &other).into()),
            Err(error) => Err(error.into()),
        })
    }

    fn set(
        &mut self,
        key: current::Data,
        value: current::Data,
        ttl_milliseconds: u64,
    ) -> wasmtime::Result<Result<(), current::Error>> {
        let (key, value) = (self.bytes(key)?, self.bytes(value)?);
        let op = CacheOp::Set {
            value,
            ttl: ttl(ttl_milliseconds),
        };
        Ok(self.run(key, op)?.map(|_| ()).map_err(Into::into))
    }

    fn set_if(
        &mut self,
        key: current::Data,
        value: current::Data,
        ttl_milliseconds: u64,
        condition: current::SetIfCondition,
    ) -> wasmtime::Result<Result<current::SetIfResult, current::Error>> {
        use current::SetIfCondition as C;
        let (key, value) = (self.bytes(key)?, self.bytes(value)?);
        let condition = match condition {
            C::Present => SetCondition::Present,
            C::PresentAndNotEqual(d) => SetCondition::PresentAndNotEqual(self.bytes(d)?),
            C::Absent => SetCondition::Absent,
            C::Equal(d) => SetCondition::Equal(self.bytes(d)?),
            C::AbsentOrEqual(d) => SetCondition::AbsentOrEqual(self.bytes(d)?),
            C::NotEqual(d) => SetCondition::NotEqual(self.bytes(d)?),
        };
        let op = CacheOp::SetIf {
            value,
            ttl: ttl(ttl_milliseconds),
            condition,
        };
        Ok(match self.run(key, op)? {
            Ok(CacheOutcome::Stored) => Ok(current::SetIfResult::Stored),
            Ok(CacheOutcome::NotStored) => Ok(current::SetIfResult::NotStored),
            Ok(other) => Err(unexpected("set_if", &other).into()),
            Err(error) => Err(error.into()),
        })
    }

    fn set_if_hash(
        &mut self,
        key: current::Data,
        value: current::Data,
        ttl_milliseconds: u64,
        condition: current::SetIfHashCondition,
    ) -> wasmtime::Result<Result<current::SetIfHashResult, current::Error>> {
        use current::SetIfHashCondition as C;
        let (key, value) = (self.bytes(key)?, self.bytes(value)?);
        let condition = match condition {
            C::PresentAndNotHashEqual(h) => {
                SetHashCondition::PresentAndNotHashEqual(self.bytes(h)?)
            }
            C::PresentAndHashEqual(h) => SetHashCondition::PresentAndHashEqual(self.bytes(h)?),
            C::AbsentOrHashEqual(h) => SetHashCondition::AbsentOrHashEqual(self.bytes(h)?),
            C::AbsentOrNotHashEqual(h) => SetHashCondition::AbsentOrNotHashEqual(self.bytes(h)?),
            C::Unconditional => SetHashCondition::Unconditional,
        };
        let op = CacheOp::SetIfHash {
            value,
            ttl: ttl(ttl_milliseconds),
            condition,
        };
        Ok(match self.run(key, op)? {
            Ok(CacheOutcome::StoredWithHash(hash)) => {
                Ok(current::SetIfHashResult::Stored(value_data(self.inv, hash)))
            }
            Ok(CacheOutcome::NotStored) => Ok(current::SetIfHashResult::NotStored),
            Ok(other) => Err(unexpected("set_if_hash", &other).into()),
            Err(error) => Err(error.into()),
        })
    }

    fn delete(&mut self, key: current::Data) -> wasmtime::Result<Result<(), current::Error>> {
        let key = self.bytes(key)?;
        Ok(self
            .run(key, CacheOp::Delete)?
            .map(|_| ())
            .map_err(Into::into))
    }
}

// ---- older generation: the same operations on plain lists ------------------------------------------------

impl older::Host for View<'_, CacheMock> {
    fn get(&mut self, key: Vec<u8>) -> wasmtime::Result<Result<Option<Vec<u8>>, older::Error>> {
        Ok(match self.run(key, CacheOp::Get)? {
            Ok(CacheOutcome::Hit(value)) => Ok(Some(value)),
            Ok(CacheOutcome::Miss) => Ok(None),
            Ok(other) => Err(unexpected("get", &other).into()),
            Err(error) => Err(error.into()),
        })
    }

    fn get_with_hash(
        &mut self,
        key: Vec<u8>,
    ) -> wasmtime::Result<Result<older::GetWithHashResult, older::Error>> {
        Ok(match self.run(key, CacheOp::GetWithHash)? {
            Ok(CacheOutcome::HitWithHash { value, hash }) => {
                Ok(older::GetWithHashResult::Found(older::GetWithHashFound {
                    value,
                    hash,
                }))
            }
            Ok(CacheOutcome::Miss) => Ok(older::GetWithHashResult::Missing),
            Ok(other) => Err(unexpected("get_with_hash", &other).into()),
            Err(error) => Err(error.into()),
        })
    }

    fn set(
        &mut self,
        key: Vec<u8>,
        value: Vec<u8>,
        ttl_milliseconds: u64,
    ) -> wasmtime::Result<Result<(), older::Error>> {
        let op = CacheOp::Set {
            value,
            ttl: ttl(ttl_milliseconds),
        };
        Ok(self.run(key, op)?.map(|_| ()).map_err(Into::into))
    }

    fn set_if(
        &mut self,
        key: Vec<u8>,
        value: Vec<u8>,
        ttl_milliseconds: u64,
        condition: older::SetIfCondition,
    ) -> wasmtime::Result<Result<older::SetIfResult, older::Error>> {
        use older::SetIfCondition as C;
        let condition = match condition {
            C::Present => SetCondition::Present,
            C::PresentAndNotEqual(v) => SetCondition::PresentAndNotEqual(v),
            C::Absent => SetCondition::Absent,
            C::Equal(v) => SetCondition::Equal(v),
            C::AbsentOrEqual(v) => SetCondition::AbsentOrEqual(v),
            C::NotEqual(v) => SetCondition::NotEqual(v),
        };
        let op = CacheOp::SetIf {
            value,
            ttl: ttl(ttl_milliseconds),
            condition,
        };
        Ok(match self.run(key, op)? {
            Ok(CacheOutcome::Stored) => Ok(older::SetIfResult::Stored),
            Ok(CacheOutcome::NotStored) => Ok(older::SetIfResult::NotStored),
            Ok(other) => Err(unexpected("set_if", &other).into()),
            Err(error) => Err(error.into()),
        })
    }

    fn set_if_hash(
        &mut self,
        key: Vec<u8>,
        value: Vec<u8>,
        ttl_milliseconds: u64,
        condition: older::SetIfHashCondition,
    ) -> wasmtime::Result<Result<older::SetIfHashResult, older::Error>> {
        use older::SetIfHashCondition as C;
        let condition = match condition {
            C::PresentAndNotHashEqual(h) => SetHashCondition::PresentAndNotHashEqual(h),
            C::PresentAndHashEqual(h) => SetHashCondition::PresentAndHashEqual(h),
            C::AbsentOrHashEqual(h) => SetHashCondition::AbsentOrHashEqual(h),
            C::AbsentOrNotHashEqual(h) => SetHashCondition::AbsentOrNotHashEqual(h),
            C::Unconditional => SetHashCondition::Unconditional,
        };
        let op = CacheOp::SetIfHash {
            value,
            ttl: ttl(ttl_milliseconds),
            condition,
        };
        Ok(match self.run(key, op)? {
            Ok(CacheOutcome::StoredWithHash(hash)) => Ok(older::SetIfHashResult::Stored(hash)),
            Ok(CacheOutcome::NotStored) => Ok(older::SetIfHashResult::NotStored),
            Ok(other) => Err(unexpected("set_if_hash", &other).into()),
            Err(error) => Err(error.into()),
        })
    }

    fn delete(&mut self, key: Vec<u8>) -> wasmtime::Result<Result<(), older::Error>> {
        Ok(self
            .run(key, CacheOp::Delete)?
            .map(|_| ())
            .map_err(Into::into))
    }
}
