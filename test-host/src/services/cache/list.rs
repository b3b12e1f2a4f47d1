//! `momento:cache-list` (current generation, names and elements as `data`) and the older generation's
//! `momento:functions/cache-list` (as lists): the WIT layer over the list operations of the cache's one
//! store ([`super::list_ops`]).

use std::time::Duration;

use wasmtime::component::Linker;

use super::types::{CacheError, CacheOp, CacheOutcome, ListEnd, ListErase, ListStart, ListTtl};
use super::{CacheMock, pick};
use crate::bindings::momento::cache_list::cache_list as current;
use crate::bindings::momento::functions::cache_list as older;
use crate::services::bytes::{take_data, value_data};
use crate::services::{Interface, Service, View, ViewOf, view};
use crate::state::HostState;

pub(crate) const SERVICE: Service = Service {
    interfaces: &[
        Interface::implemented("momento:cache-list/cache-list@1.0.0"),
        Interface::implemented("momento:functions/cache-list@1.0.0"),
    ],
    link,
};

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    current::add_to_linker::<HostState, ViewOf<CacheMock>>(linker, |s| view(s, pick))?;
    older::add_to_linker::<HostState, ViewOf<CacheMock>>(linker, |s| view(s, pick))
}

type Answer = Result<CacheOutcome, CacheError>;

impl View<'_, CacheMock> {
    fn list_op(&mut self, name: Vec<u8>, op: CacheOp) -> wasmtime::Result<Answer> {
        self.inv.host_call("momento:cache-list")?;
        Ok(self.service.execute(&self.inv.id, name, op))
    }

    fn list_bytes(&mut self, data: current::Data) -> wasmtime::Result<Vec<u8>> {
        Ok(take_data(self.inv, data)?.to_vec())
    }
}

fn list_ttl(ttl_milliseconds: u64, refresh: bool) -> ListTtl {
    ListTtl {
        ttl: Duration::from_millis(ttl_milliseconds),
        refresh,
    }
}

fn cap(size: u32) -> Option<u32> {
    (size > 0).then_some(size)
}

/// An outcome the operation cannot produce: a host bug, reported as the cache's internal error.
fn unexpected(op: &str, outcome: &CacheOutcome) -> CacheError {
    CacheError::Internal(format!("test host bug: {op} produced {outcome:?}"))
}

/// A length, or `missing`.
fn length_or_missing(op: &str, answer: Answer) -> Result<Option<u32>, CacheError> {
    match answer? {
        CacheOutcome::ListLength(length) => Ok(Some(length)),
        CacheOutcome::Miss => Ok(None),
        other => Err(unexpected(op, &other)),
    }
}

/// The new length of a push or concatenation.
fn pushed(op: &str, answer: Answer) -> Result<u32, CacheError> {
    match answer? {
        CacheOutcome::ListLength(length) => Ok(length),
        other => Err(unexpected(op, &other)),
    }
}

macro_rules! generation {
    ($wit:ident, $data:ty, bytes: |$view:ident, $b:ident| $bytes:expr, out: |$oview:ident, $v:ident| $out:expr) => {
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

        fn start(index: $wit::StartIndex) -> ListStart {
            match index {
                $wit::StartIndex::Unbounded => ListStart::Front,
                $wit::StartIndex::Inclusive(i) => ListStart::At(i),
            }
        }

        fn end(index: $wit::EndIndex) -> ListEnd {
            match index {
                $wit::EndIndex::Unbounded => ListEnd::Back,
                $wit::EndIndex::Exclusive(i) => ListEnd::Before(i),
            }
        }

        fn into_bytes($view: &mut View<'_, CacheMock>, $b: $data) -> wasmtime::Result<Vec<u8>> {
            $bytes
        }

        fn out_of_bytes($oview: &mut View<'_, CacheMock>, $v: Vec<u8>) -> $data {
            $out
        }

        type Res<T> = wasmtime::Result<Result<T, $wit::Error>>;

        fn push(
            this: &mut View<'_, CacheMock>,
            op: &str,
            name: $data,
            values: Vec<$data>,
            front: bool,
            ttl: ListTtl,
            truncate: u32,
        ) -> Res<u32> {
            let name = into_bytes(this, name)?;
            let mut bytes = Vec::with_capacity(values.len());
            for value in values {
                bytes.push(into_bytes(this, value)?);
            }
            let truncate_to = cap(truncate);
            let op_value = match (front, op.contains("concatenate")) {
                (true, false) => CacheOp::ListPushFront {
                    value: bytes.pop().unwrap_or_default(),
                    ttl,
                    truncate_to,
                },
                (false, false) => CacheOp::ListPushBack {
                    value: bytes.pop().unwrap_or_default(),
                    ttl,
                    truncate_to,
                },
                (true, true) => CacheOp::ListConcatenateFront {
                    values: bytes,
                    ttl,
                    truncate_to,
                },
                (false, true) => CacheOp::ListConcatenateBack {
                    values: bytes,
                    ttl,
                    truncate_to,
                },
            };
            Ok(pushed(op, this.list_op(name, op_value)?).map_err(Into::into))
        }

        fn pop(this: &mut View<'_, CacheMock>, name: $data, front: bool) -> Res<$wit::PopResponse> {
            let name = into_bytes(this, name)?;
            let op = if front {
                CacheOp::ListPopFront
            } else {
                CacheOp::ListPopBack
            };
            Ok(match this.list_op(name, op)? {
                Ok(CacheOutcome::Popped { value, list_length }) => {
                    Ok($wit::PopResponse::Found($wit::PopFound {
                        value: out_of_bytes(this, value),
                        list_length,
                    }))
                }
                Ok(CacheOutcome::Miss) => Ok($wit::PopResponse::Missing),
                Ok(other) => Err(unexpected("list_pop", &other).into()),
                Err(error) => Err(error.into()),
            })
        }

        fn counted(
            this: &mut View<'_, CacheMock>,
            op_name: &str,
            name: $data,
            op: CacheOp,
        ) -> Res<Option<u32>> {
            let name = into_bytes(this, name)?;
            Ok(length_or_missing(op_name, this.list_op(name, op)?).map_err(Into::into))
        }

        impl $wit::Host for View<'_, CacheMock> {
            fn list_push_front(
                &mut self,
                name: $data,
                value: $data,
                ttl_milliseconds: u64,
                refresh_ttl: bool,
                truncate_back_to_size: u32,
            ) -> Res<u32> {
                let ttl = list_ttl(ttl_milliseconds, refresh_ttl);
                push(
                    self,
                    "list_push_front",
                    name,
                    vec![value],
                    true,
                    ttl,
                    truncate_back_to_size,
                )
            }

            fn list_push_back(
                &mut self,
                name: $data,
                value: $data,
                ttl_milliseconds: u64,
                refresh_ttl: bool,
                truncate_front_to_size: u32,
            ) -> Res<u32> {
                let ttl = list_ttl(ttl_milliseconds, refresh_ttl);
                push(
                    self,
                    "list_push_back",
                    name,
                    vec![value],
                    false,
                    ttl,
                    truncate_front_to_size,
                )
            }

            fn list_pop_front(&mut self, name: $data) -> Res<$wit::PopResponse> {
                pop(self, name, true)
            }

            fn list_pop_back(&mut self, name: $data) -> Res<$wit::PopResponse> {
                pop(self, name, false)
            }

            fn list_erase(
                &mut self,
                name: $data,
                range: $wit::EraseRange,
            ) -> Res<$wit::EraseResponse> {
                let range = match range {
                    $wit::EraseRange::All => ListErase::All,
                    $wit::EraseRange::Ranges(ranges) => ListErase::Ranges(
                        ranges
                            .ranges
                            .into_iter()
                            .map(|r| (r.begin_index, r.count))
                            .collect(),
                    ),
                };
                Ok(
                    counted(self, "list_erase", name, CacheOp::ListErase { range })?.map(|found| {
                        match found {
                            Some(length) => $wit::EraseResponse::Found(length),
                            None => $wit::EraseResponse::Missing,
                        }
                    }),
                )
            }

            fn list_remove(
                &mut self,
                name: $data,
                range: $wit::RemoveRange,
            ) -> Res<$wit::RemoveResponse> {
                let $wit::RemoveRange::AllElementsWithValue(value) = range;
                let value = into_bytes(self, value)?;
                Ok(
                    counted(self, "list_remove", name, CacheOp::ListRemove { value })?.map(
                        |found| match found {
                            Some(length) => $wit::RemoveResponse::Found(length),
                            None => $wit::RemoveResponse::Missing,
                        },
                    ),
                )
            }

            fn list_fetch(
                &mut self,
                name: $data,
                start_index: $wit::StartIndex,
                end_index: $wit::EndIndex,
            ) -> Res<$wit::FetchResponse> {
                let name = into_bytes(self, name)?;
                let op = CacheOp::ListFetch {
                    start: start(start_index),
                    end: end(end_index),
                };
                Ok(match self.list_op(name, op)? {
                    Ok(CacheOutcome::Fetched(values)) => Ok($wit::FetchResponse::Found(
                        values.into_iter().map(|v| out_of_bytes(self, v)).collect(),
                    )),
                    Ok(CacheOutcome::Miss) => Ok($wit::FetchResponse::Missing),
                    Ok(other) => Err(unexpected("list_fetch", &other).into()),
                    Err(error) => Err(error.into()),
                })
            }

            fn list_length(&mut self, name: $data) -> Res<$wit::LengthResponse> {
                Ok(
                    counted(self, "list_length", name, CacheOp::ListLength)?.map(
                        |found| match found {
                            Some(length) => $wit::LengthResponse::Found(length),
                            None => $wit::LengthResponse::Missing,
                        },
                    ),
                )
            }

            fn list_concatenate_front(
                &mut self,
                name: $data,
                values: Vec<$data>,
                ttl_milliseconds: u64,
                refresh_ttl: bool,
                truncate_back_to_size: u32,
            ) -> Res<u32> {
                let ttl = list_ttl(ttl_milliseconds, refresh_ttl);
                push(
                    self,
                    "list_concatenate_front",
                    name,
                    values,
                    true,
                    ttl,
                    truncate_back_to_size,
                )
            }

            fn list_concatenate_back(
                &mut self,
                name: $data,
                values: Vec<$data>,
                ttl_milliseconds: u64,
                refresh_ttl: bool,
                truncate_front_to_size: u32,
            ) -> Res<u32> {
                let ttl = list_ttl(ttl_milliseconds, refresh_ttl);
                push(
                    self,
                    "list_concatenate_back",
                    name,
                    values,
                    false,
                    ttl,
                    truncate_front_to_size,
                )
            }

            fn list_retain(
                &mut self,
                name: $data,
                start_index: $wit::StartIndex,
                end_index: $wit::EndIndex,
                ttl_milliseconds: u64,
                refresh_ttl: bool,
            ) -> Res<$wit::RetainResponse> {
                let op = CacheOp::ListRetain {
                    start: start(start_index),
                    end: end(end_index),
                    ttl: list_ttl(ttl_milliseconds, refresh_ttl),
                };
                Ok(
                    counted(self, "list_retain", name, op)?.map(|found| match found {
                        Some(length) => $wit::RetainResponse::Found(length),
                        None => $wit::RetainResponse::Missing,
                    }),
                )
            }
        }
    };
}

mod current_generation {
    use super::*;
    generation!(
        current,
        current::Data,
        bytes: |view, data| view.list_bytes(data),
        out: |view, value| value_data(view.inv, value)
    );
}

mod older_generation {
    use super::*;
    generation!(
        older,
        Vec<u8>,
        bytes: |_view, bytes| Ok(bytes),
        out: |_view, value| value
    );
}
