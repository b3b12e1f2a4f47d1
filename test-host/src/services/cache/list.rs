//! `momento:cache-list` (and the older generation's `momento:functions/cache-list`): linked so that
//! components using lists load and run; every call answers `failed-precondition` naming the capability
//! until lists are implemented on the cache store.

use wasmtime::component::Linker;

use crate::bindings::momento::cache_list::cache_list as current;
use crate::bindings::momento::functions::cache_list as older;
use crate::services::bytes::take_data;
use crate::services::{Interface, Service, View, ViewOf, not_implemented_message, view};
use crate::state::HostState;

const CAPABILITY: &str = "cache lists";
const CURRENT: &str = "momento:cache-list/cache-list@1.0.0";
const OLDER: &str = "momento:functions/cache-list@1.0.0";

pub(crate) const SERVICE: Service = Service {
    interfaces: &[
        Interface::not_implemented(CURRENT, CAPABILITY),
        Interface::not_implemented(OLDER, CAPABILITY),
    ],
    link,
};

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    current::add_to_linker::<HostState, ViewOf<()>>(linker, |s| view(s, |_| &()))?;
    older::add_to_linker::<HostState, ViewOf<()>>(linker, |s| view(s, |_| &()))
}

impl View<'_, ()> {
    /// Count the call, release the buffers it was given, and answer that lists are not implemented.
    fn list_call<E>(
        &mut self,
        data: impl IntoIterator<Item = current::Data>,
        interface: &str,
        error: fn(String) -> E,
    ) -> wasmtime::Result<E> {
        self.inv.host_call("momento:cache-list")?;
        for data in data {
            take_data(self.inv, data)?;
        }
        Ok(error(not_implemented_message(CAPABILITY, interface)))
    }
}

type Cur<T> = wasmtime::Result<Result<T, current::Error>>;
type Old<T> = wasmtime::Result<Result<T, older::Error>>;

fn cur(
    data: impl IntoIterator<Item = current::Data>,
    view: &mut View<'_, ()>,
) -> wasmtime::Result<current::Error> {
    view.list_call(data, CURRENT, current::Error::FailedPrecondition)
}

fn old(view: &mut View<'_, ()>) -> wasmtime::Result<older::Error> {
    view.list_call([], OLDER, older::Error::FailedPrecondition)
}

impl current::Host for View<'_, ()> {
    fn list_push_front(
        &mut self,
        name: current::Data,
        value: current::Data,
        _: u64,
        _: bool,
        _: u32,
    ) -> Cur<u32> {
        Ok(Err(cur([name, value], self)?))
    }
    fn list_push_back(
        &mut self,
        name: current::Data,
        value: current::Data,
        _: u64,
        _: bool,
        _: u32,
    ) -> Cur<u32> {
        Ok(Err(cur([name, value], self)?))
    }
    fn list_pop_front(&mut self, name: current::Data) -> Cur<current::PopResponse> {
        Ok(Err(cur([name], self)?))
    }
    fn list_pop_back(&mut self, name: current::Data) -> Cur<current::PopResponse> {
        Ok(Err(cur([name], self)?))
    }
    fn list_erase(
        &mut self,
        name: current::Data,
        _: current::EraseRange,
    ) -> Cur<current::EraseResponse> {
        Ok(Err(cur([name], self)?))
    }
    fn list_remove(
        &mut self,
        name: current::Data,
        range: current::RemoveRange,
    ) -> Cur<current::RemoveResponse> {
        let current::RemoveRange::AllElementsWithValue(value) = range;
        Ok(Err(cur([name, value], self)?))
    }
    fn list_fetch(
        &mut self,
        name: current::Data,
        _: current::StartIndex,
        _: current::EndIndex,
    ) -> Cur<current::FetchResponse> {
        Ok(Err(cur([name], self)?))
    }
    fn list_length(&mut self, name: current::Data) -> Cur<current::LengthResponse> {
        Ok(Err(cur([name], self)?))
    }
    fn list_concatenate_front(
        &mut self,
        name: current::Data,
        values: Vec<current::Data>,
        _: u64,
        _: bool,
        _: u32,
    ) -> Cur<u32> {
        Ok(Err(cur(std::iter::once(name).chain(values), self)?))
    }
    fn list_concatenate_back(
        &mut self,
        name: current::Data,
        values: Vec<current::Data>,
        _: u64,
        _: bool,
        _: u32,
    ) -> Cur<u32> {
        Ok(Err(cur(std::iter::once(name).chain(values), self)?))
    }
    fn list_retain(
        &mut self,
        name: current::Data,
        _: current::StartIndex,
        _: current::EndIndex,
        _: u64,
        _: bool,
    ) -> Cur<current::RetainResponse> {
        Ok(Err(cur([name], self)?))
    }
}

impl older::Host for View<'_, ()> {
    fn list_push_front(&mut self, _: Vec<u8>, _: Vec<u8>, _: u64, _: bool, _: u32) -> Old<u32> {
        Ok(Err(old(self)?))
    }
    fn list_push_back(&mut self, _: Vec<u8>, _: Vec<u8>, _: u64, _: bool, _: u32) -> Old<u32> {
        Ok(Err(old(self)?))
    }
    fn list_pop_front(&mut self, _: Vec<u8>) -> Old<older::PopResponse> {
        Ok(Err(old(self)?))
    }
    fn list_pop_back(&mut self, _: Vec<u8>) -> Old<older::PopResponse> {
        Ok(Err(old(self)?))
    }
    fn list_erase(&mut self, _: Vec<u8>, _: older::EraseRange) -> Old<older::EraseResponse> {
        Ok(Err(old(self)?))
    }
    fn list_remove(&mut self, _: Vec<u8>, _: older::RemoveRange) -> Old<older::RemoveResponse> {
        Ok(Err(old(self)?))
    }
    fn list_fetch(
        &mut self,
        _: Vec<u8>,
        _: older::StartIndex,
        _: older::EndIndex,
    ) -> Old<older::FetchResponse> {
        Ok(Err(old(self)?))
    }
    fn list_length(&mut self, _: Vec<u8>) -> Old<older::LengthResponse> {
        Ok(Err(old(self)?))
    }
    fn list_concatenate_front(
        &mut self,
        _: Vec<u8>,
        _: Vec<Vec<u8>>,
        _: u64,
        _: bool,
        _: u32,
    ) -> Old<u32> {
        Ok(Err(old(self)?))
    }
    fn list_concatenate_back(
        &mut self,
        _: Vec<u8>,
        _: Vec<Vec<u8>>,
        _: u64,
        _: bool,
        _: u32,
    ) -> Old<u32> {
        Ok(Err(old(self)?))
    }
    fn list_retain(
        &mut self,
        _: Vec<u8>,
        _: older::StartIndex,
        _: older::EndIndex,
        _: u64,
        _: bool,
    ) -> Old<older::RetainResponse> {
        Ok(Err(old(self)?))
    }
}
