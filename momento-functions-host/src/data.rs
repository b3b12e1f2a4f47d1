//! [`Data`]: bytes that may still be on the host.

use std::fmt;
use std::io;

use crate::wit::momento::bytes::bytes as wit;

/// Bytes read from the host in chunks of at most this size when the host says no more are ready.
const CHUNK: u32 = 64 * 1024;

/// A body or value that is either bytes in the function's memory or a buffer the host holds.
///
/// The host hands over a request body, an HTTP response body, a cached value or an S3 object as a buffer
/// that the function reads on demand. Passing a `Data` on to another host call (an HTTP request body, a
/// cache value, an S3 object, the function's response) hands the host the buffer itself: the bytes never
/// enter the function's memory. Reading it ([`std::io::Read`], [`into_bytes`](Data::into_bytes),
/// [`try_into_bytes`](Data::try_into_bytes), [`load`](Data::load)) copies it in.
///
/// Build one from bytes or text:
///
/// ```
/// use std::io::Read;
/// use momento_functions_host::Data;
///
/// let mut data = Data::from("hello");
/// let mut first = [0u8; 2];
/// data.read_exact(&mut first).unwrap();
/// assert_eq!(&first, b"he");
/// assert_eq!(data.into_bytes(), b"llo"); // what is left
/// assert_eq!(Data::from(vec![1, 2]), [1, 2]);
/// ```
///
/// A `Data` compares equal to bytes or text when it holds exactly those bytes in the function's memory. A
/// host buffer is never equal to anything: it has not been read (call [`load`](Data::load) first).
pub struct Data(Repr);

enum Repr {
    /// Bytes in guest memory; `start` bytes at the front have been read already.
    Bytes { bytes: Vec<u8>, start: usize },
    /// The unread rest of a host buffer.
    Host(wit::Buffer),
}

impl Data {
    /// No bytes.
    pub fn new() -> Self {
        Data(Repr::Bytes {
            bytes: Vec::new(),
            start: 0,
        })
    }

    /// Is this a buffer held by the host (not yet read into the function's memory)?
    pub fn is_host_buffer(&self) -> bool {
        matches!(self.0, Repr::Host(_))
    }

    /// The unread bytes, if they are in the function's memory; `None` for a host buffer.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.0 {
            Repr::Bytes { bytes, start } => Some(&bytes[*start..]),
            Repr::Host(_) => None,
        }
    }

    /// The unread bytes, reading a host buffer into the function's memory first (once: afterwards this
    /// `Data` holds the bytes).
    ///
    /// # Errors
    /// When the host's source fails partway (e.g. a request body that stops arriving): the error is
    /// [`std::io::ErrorKind::TimedOut`] when the invocation ran out of time, otherwise
    /// [`std::io::ErrorKind::Other`] with the host's message. The bytes read before the failure are kept.
    pub fn load(&mut self) -> io::Result<&[u8]> {
        if let Repr::Host(buffer) = &self.0 {
            let mut bytes = Vec::new();
            let result = read_host(buffer, &mut bytes);
            self.0 = Repr::Bytes { bytes, start: 0 };
            result?;
        }
        match &self.0 {
            Repr::Bytes { bytes, start } => Ok(&bytes[*start..]),
            Repr::Host(_) => Ok(&[]),
        }
    }

    /// All unread bytes, reading a host buffer into the function's memory.
    ///
    /// If the host's source fails partway, this returns the bytes that arrived before the failure; use
    /// [`try_into_bytes`](Data::try_into_bytes) (or [`std::io::Read`]) to see the failure.
    pub fn into_bytes(self) -> Vec<u8> {
        match self.0 {
            Repr::Bytes { bytes, start } => unread(bytes, start),
            Repr::Host(buffer) => {
                let mut bytes = Vec::new();
                let _ = read_host(&buffer, &mut bytes);
                bytes
            }
        }
    }

    /// All unread bytes, reading a host buffer into the function's memory.
    ///
    /// # Errors
    /// When the host's source fails partway, as for [`load`](Data::load).
    pub fn try_into_bytes(self) -> io::Result<Vec<u8>> {
        match self.0 {
            Repr::Bytes { bytes, start } => Ok(unread(bytes, start)),
            Repr::Host(buffer) => {
                let mut bytes = Vec::new();
                read_host(&buffer, &mut bytes)?;
                Ok(bytes)
            }
        }
    }

    /// Hand the unread rest over to the host as WIT `data`: a host buffer as the buffer itself (no
    /// copy into guest memory), bytes as bytes.
    pub(crate) fn into_wit(self) -> wit::Data {
        match self.0 {
            Repr::Bytes { bytes, start } => wit::Data::Value(unread(bytes, start)),
            Repr::Host(buffer) => wit::Data::Buffer(buffer),
        }
    }

    /// A `Data` for WIT `data` the host handed over.
    pub(crate) fn from_wit(data: wit::Data) -> Self {
        match data {
            wit::Data::Value(bytes) => Data::from(bytes),
            wit::Data::Buffer(buffer) => Data(Repr::Host(buffer)),
        }
    }
}

/// The bytes from `start` on, without copying when nothing has been read.
fn unread(mut bytes: Vec<u8>, start: usize) -> Vec<u8> {
    if start > 0 {
        bytes.drain(..start);
    }
    bytes
}

/// Append the rest of `buffer` to `out`.
fn read_host(buffer: &wit::Buffer, out: &mut Vec<u8>) -> io::Result<()> {
    out.reserve(buffer.remaining() as usize);
    loop {
        let ready = buffer.remaining().max(CHUNK);
        match buffer.try_read(ready).map_err(stream_error)? {
            // The host never hands over an empty chunk before the end; should one come, it is the end
            // rather than a reason to spin until the deadline.
            Some(chunk) if !chunk.is_empty() => out.extend_from_slice(&chunk),
            Some(_) | None => return Ok(()),
        }
    }
}

fn stream_error(error: wit::StreamError) -> io::Error {
    match error {
        wit::StreamError::TimedOut => io::Error::new(
            io::ErrorKind::TimedOut,
            "the invocation ran out of time while the bytes were still arriving",
        ),
        wit::StreamError::Failed(message) => io::Error::other(message),
    }
}

impl Default for Data {
    fn default() -> Self {
        Data::new()
    }
}

impl io::Read for Data {
    /// Read the next bytes; `Ok(0)` at the end. A host buffer is read in chunks of at most `buf.len()`.
    ///
    /// # Errors
    /// When the host's source fails partway, after the bytes that arrived before the failure; see
    /// [`Data::load`].
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.0 {
            Repr::Bytes { bytes, start } => {
                let rest = &bytes[*start..];
                let n = rest.len().min(buf.len());
                buf[..n].copy_from_slice(&rest[..n]);
                *start += n;
                Ok(n)
            }
            Repr::Host(buffer) => {
                if buf.is_empty() {
                    return Ok(0);
                }
                let max = u32::try_from(buf.len()).unwrap_or(u32::MAX);
                match buffer.try_read(max).map_err(stream_error)? {
                    Some(chunk) => {
                        // The host never hands over more than asked; should it, keep the rest.
                        let n = chunk.len().min(buf.len());
                        buf[..n].copy_from_slice(&chunk[..n]);
                        if n < chunk.len() {
                            let rest = chunk[n..].to_vec();
                            let mut tail = Vec::new();
                            read_host(buffer, &mut tail)?;
                            let mut bytes = rest;
                            bytes.extend_from_slice(&tail);
                            self.0 = Repr::Bytes { bytes, start: 0 };
                        }
                        Ok(n)
                    }
                    None => Ok(0),
                }
            }
        }
    }
}

impl fmt::Debug for Data {
    /// Shows where the bytes are and how many are in memory; never calls the host.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Bytes { bytes, start } => f
                .debug_struct("Data")
                .field("bytes", &(bytes.len() - start))
                .finish(),
            Repr::Host(_) => f.write_str("Data(host buffer)"),
        }
    }
}

impl From<Vec<u8>> for Data {
    fn from(bytes: Vec<u8>) -> Self {
        Data(Repr::Bytes { bytes, start: 0 })
    }
}

impl From<&Vec<u8>> for Data {
    fn from(bytes: &Vec<u8>) -> Self {
        Data::from(bytes.clone())
    }
}

impl From<&[u8]> for Data {
    fn from(bytes: &[u8]) -> Self {
        Data::from(bytes.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for Data {
    fn from(bytes: &[u8; N]) -> Self {
        Data::from(bytes.to_vec())
    }
}

impl<const N: usize> From<[u8; N]> for Data {
    fn from(bytes: [u8; N]) -> Self {
        Data::from(bytes.to_vec())
    }
}

impl From<String> for Data {
    fn from(text: String) -> Self {
        Data::from(text.into_bytes())
    }
}

impl From<&String> for Data {
    fn from(text: &String) -> Self {
        Data::from(text.as_bytes())
    }
}

impl From<&str> for Data {
    fn from(text: &str) -> Self {
        Data::from(text.as_bytes())
    }
}

impl From<Box<[u8]>> for Data {
    fn from(bytes: Box<[u8]>) -> Self {
        Data::from(bytes.into_vec())
    }
}

impl From<std::borrow::Cow<'_, [u8]>> for Data {
    fn from(bytes: std::borrow::Cow<'_, [u8]>) -> Self {
        Data::from(bytes.into_owned())
    }
}

impl From<std::borrow::Cow<'_, str>> for Data {
    fn from(text: std::borrow::Cow<'_, str>) -> Self {
        Data::from(text.into_owned())
    }
}

impl PartialEq<[u8]> for Data {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_bytes() == Some(other)
    }
}

impl PartialEq<&[u8]> for Data {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_bytes() == Some(*other)
    }
}

impl<const N: usize> PartialEq<[u8; N]> for Data {
    fn eq(&self, other: &[u8; N]) -> bool {
        self.as_bytes() == Some(&other[..])
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for Data {
    fn eq(&self, other: &&[u8; N]) -> bool {
        self.as_bytes() == Some(&other[..])
    }
}

impl PartialEq<Vec<u8>> for Data {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_bytes() == Some(other.as_slice())
    }
}

impl PartialEq<str> for Data {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == Some(other.as_bytes())
    }
}

impl PartialEq<&str> for Data {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == Some(other.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn bytes_read_front_to_back() {
        let mut data = Data::from("abcdef");
        let mut two = [0u8; 2];
        assert_eq!(data.read(&mut two).unwrap(), 2);
        assert_eq!(&two, b"ab");
        assert_eq!(data.as_bytes(), Some(&b"cdef"[..]));
        assert_eq!(data.load().unwrap(), b"cdef");
        let mut rest = Vec::new();
        data.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"cdef");
        assert_eq!(data.read(&mut two).unwrap(), 0);
        assert_eq!(data.into_bytes(), b"");
    }

    #[test]
    fn conversions_and_comparisons() {
        assert_eq!(Data::from(String::from("x")), "x");
        assert_eq!(Data::from(&b"x"[..]), b"x");
        assert_eq!(Data::from([1u8, 2]), vec![1, 2]);
        assert_eq!(&Data::from(b"hi"), b"hi");
        let a = Data::from("a");
        assert!(a != "b");
        assert_eq!(Data::default(), *"");
        assert!(!Data::new().is_host_buffer());
        assert_eq!(format!("{:?}", Data::from("abc")), "Data { bytes: 3 }");
    }

    #[test]
    fn partly_read_bytes_go_to_the_host_without_what_was_read() {
        let mut data = Data::from("abcdef");
        let mut three = [0u8; 3];
        data.read_exact(&mut three).unwrap();
        match data.into_wit() {
            wit::Data::Value(rest) => assert_eq!(rest, b"def"),
            wit::Data::Buffer(_) => panic!("bytes stay bytes"),
        }
        assert_eq!(Data::from("xyz").try_into_bytes().unwrap(), b"xyz");
        match Data::from_wit(wit::Data::Value(b"v".to_vec())).0 {
            Repr::Bytes { bytes, start } => assert_eq!((bytes.as_slice(), start), (&b"v"[..], 0)),
            Repr::Host(_) => panic!("a value is bytes"),
        }
    }
}
