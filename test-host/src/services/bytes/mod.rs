//! `momento:bytes`: the `buffer` resource (bytes held by the host, read by the guest on demand) and the
//! `data` variant every current-generation interface passes bytes in.
//!
//! A buffer is a [`bytes::Bytes`] and a cursor: handing a request body to the guest, or passing a buffer the
//! guest returns on to HTTP, the cache or S3, moves no bytes; only `read` copies them into guest memory.

use bytes::Bytes;
use wasmtime::component::{Linker, Resource};

use super::{Interface, Service, View, ViewOf, bad_handle, view};
use crate::bindings::momento::bytes::bytes::{self as wit, Data, StreamError};
use crate::state::{HostState, InvocationState};

pub(crate) const SERVICE: Service = Service {
    interfaces: &[Interface::implemented("momento:bytes/bytes@1.0.0")],
    link,
};

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    wit::add_to_linker::<HostState, ViewOf<()>>(linker, |state| view(state, |_| &()))
}

/// The `buffer` resource: bytes and a read cursor.
#[derive(Debug)]
#[allow(
    unreachable_pub,
    reason = "bindgen re-exports resource types with `pub use`"
)]
pub struct Buffer {
    bytes: Bytes,
    position: usize,
}

impl Buffer {
    pub(crate) fn new(bytes: Bytes) -> Buffer {
        Buffer { bytes, position: 0 }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    /// What is left after the cursor (no copy).
    pub(crate) fn rest(&self) -> Bytes {
        self.bytes.slice(self.position..)
    }

    pub(crate) fn read(&mut self, max: usize) -> Option<Bytes> {
        if self.remaining() == 0 {
            return None;
        }
        let end = self.position + max.min(self.remaining());
        let chunk = self.bytes.slice(self.position..end);
        self.position = end;
        Some(chunk)
    }
}

/// The bytes a `data` argument stands for: literal bytes, or the unread rest of a buffer the guest gives
/// up (the handle is consumed, as ownership passed to the host).
pub(crate) fn take_data(inv: &mut InvocationState, data: Data) -> wasmtime::Result<Bytes> {
    match data {
        Data::Value(bytes) => Ok(Bytes::from(bytes)),
        Data::Buffer(buffer) => {
            let buffer = inv
                .table
                .delete(buffer)
                .map_err(|e| bad_handle("buffer", e))?;
            Ok(buffer.rest())
        }
    }
}

/// Hand `bytes` to the guest as a buffer it reads on demand (or passes on without reading).
pub(crate) fn buffer_data(inv: &mut InvocationState, bytes: Bytes) -> wasmtime::Result<Data> {
    let buffer = inv.table.push(Buffer::new(bytes))?;
    Ok(Data::Buffer(buffer))
}

/// Hand `bytes` to the guest as a value (copied into its memory when the call returns).
pub(crate) fn value_data(inv: &mut InvocationState, bytes: Vec<u8>) -> Data {
    inv.bytes_to_guest += bytes.len() as u64;
    Data::Value(bytes)
}

impl View<'_, ()> {
    fn buffer(&mut self, buffer: &Resource<Buffer>) -> wasmtime::Result<&mut Buffer> {
        self.inv
            .table
            .get_mut(buffer)
            .map_err(|e| bad_handle("buffer", e))
    }

    fn read_chunk(
        &mut self,
        buffer: &Resource<Buffer>,
        max_size: u32,
    ) -> wasmtime::Result<Option<Vec<u8>>> {
        self.inv.host_call("momento:bytes")?;
        // A zero `max-size` cannot be answered with a non-empty chunk; it gets an empty one (not `none`,
        // which would claim the end).
        let chunk = match self.buffer(buffer)?.read(max_size as usize) {
            Some(chunk) => chunk.to_vec(),
            None => return Ok(None),
        };
        self.inv.bytes_to_guest += chunk.len() as u64;
        Ok(Some(chunk))
    }
}

impl wit::Host for View<'_, ()> {}

impl wit::HostBuffer for View<'_, ()> {
    fn remaining(&mut self, buffer: Resource<Buffer>) -> wasmtime::Result<u32> {
        self.inv.host_call("momento:bytes")?;
        let remaining = self.buffer(&buffer)?.remaining();
        Ok(u32::try_from(remaining).unwrap_or(u32::MAX))
    }

    fn read(
        &mut self,
        buffer: Resource<Buffer>,
        max_size: u32,
    ) -> wasmtime::Result<Option<Vec<u8>>> {
        self.read_chunk(&buffer, max_size)
    }

    fn advance(&mut self, buffer: Resource<Buffer>, size: u32) -> wasmtime::Result<()> {
        self.inv.host_call("momento:bytes")?;
        let buffer = self.buffer(&buffer)?;
        buffer.position = buffer.bytes.len().min(buffer.position + size as usize);
        Ok(())
    }

    fn try_read(
        &mut self,
        buffer: Resource<Buffer>,
        max_size: u32,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, StreamError>> {
        // The test host's buffers are whole before the guest sees them: they never fail midway.
        self.read_chunk(&buffer, max_size).map(Ok)
    }

    fn drop(&mut self, buffer: Resource<Buffer>) -> wasmtime::Result<()> {
        self.inv
            .table
            .delete(buffer)
            .map_err(|e| bad_handle("buffer", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_move_the_cursor_and_end_with_none() {
        let mut buffer = Buffer::new(Bytes::from_static(b"hello world"));
        assert_eq!(buffer.remaining(), 11);
        assert_eq!(buffer.read(5).as_deref(), Some(&b"hello"[..]));
        assert_eq!(buffer.rest(), Bytes::from_static(b" world"));
        assert_eq!(buffer.read(100).as_deref(), Some(&b" world"[..]));
        assert_eq!(buffer.read(100), None);
        assert_eq!(buffer.remaining(), 0);
    }
}
