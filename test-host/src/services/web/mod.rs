//! The web function's view of its request: `web-function-support` (both generations) and, for streamed
//! responses, `web-function-stream` (in [`stream`]).
//!
//! As on Momento, `headers`, `query-parameters`, `token-metadata` and `invocation-path` hand their value over
//! once (later calls get an empty list or `none`); `invocation-id` and `http-method` answer every call. The
//! path is the one below the function's own, without a leading slash (`/a/b` → `a/b`; the function's root
//! → `none`); query parameters are percent-decoded, in order, repeated names kept.

use wasmtime::component::Linker;

use super::{Interface, Service, View, ViewOf, view};
use crate::bindings::momento::functions::web_function_support as older;
use crate::bindings::momento::web_function::web_function_stream as stream_wit;
use crate::bindings::momento::web_function::web_function_support as current;
use crate::state::HostState;

pub(crate) mod stream;

const STREAM: &str = "momento:web-function/web-function-stream@1.0.0";

pub(crate) const SERVICE: Service = Service {
    interfaces: &[
        Interface::implemented("momento:web-function/web-function-support@1.0.0"),
        Interface::implemented(STREAM),
        Interface::implemented("momento:functions/web-function-support@1.0.0"),
    ],
    link,
};

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    current::add_to_linker::<HostState, ViewOf<()>>(linker, |state| view(state, |_| &()))?;
    older::add_to_linker::<HostState, ViewOf<()>>(linker, |state| view(state, |_| &()))?;
    stream_wit::add_to_linker::<HostState, ViewOf<()>>(linker, |state| view(state, |_| &()))
}

/// The request's parts, as the support calls answer them (generation-neutral).
impl View<'_, ()> {
    fn take_headers(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        self.inv.host_call("web-function-support")?;
        Ok(self.inv.request.headers.take().unwrap_or_default())
    }

    fn take_query(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        self.inv.host_call("web-function-support")?;
        Ok(self
            .inv
            .request
            .query
            .take()
            .map(|query| {
                form_urlencoded::parse(query.as_bytes())
                    .map(|(name, value)| (name.into_owned(), value.into_owned()))
                    .collect()
            })
            .unwrap_or_default())
    }

    fn take_token_metadata(&mut self) -> wasmtime::Result<Option<String>> {
        self.inv.host_call("web-function-support")?;
        Ok(self.inv.request.token_metadata.take().flatten())
    }

    fn current_invocation_id(&mut self) -> wasmtime::Result<String> {
        self.inv.host_call("web-function-support")?;
        Ok(self.inv.id.clone())
    }

    fn current_method(&mut self) -> wasmtime::Result<String> {
        self.inv.host_call("web-function-support")?;
        Ok(self.inv.request.method.clone())
    }

    fn take_path(&mut self) -> wasmtime::Result<Option<String>> {
        self.inv.host_call("web-function-support")?;
        Ok(self.inv.request.path.take().flatten())
    }
}

/// The path below the function as `invocation-path` reports it: no leading slash, `None` for the root.
pub(crate) fn relative_path(path: &str) -> Option<String> {
    let relative = path.trim_start_matches('/');
    (!relative.is_empty()).then(|| relative.to_owned())
}

impl current::Host for View<'_, ()> {
    fn headers(&mut self) -> wasmtime::Result<Vec<current::Header>> {
        Ok(self
            .take_headers()?
            .into_iter()
            .map(|(name, value)| current::Header { name, value })
            .collect())
    }

    fn query_parameters(&mut self) -> wasmtime::Result<Vec<current::QueryParameter>> {
        Ok(self
            .take_query()?
            .into_iter()
            .map(|(name, value)| current::QueryParameter { name, value })
            .collect())
    }

    fn token_metadata(&mut self) -> wasmtime::Result<Option<String>> {
        self.take_token_metadata()
    }

    fn invocation_id(&mut self) -> wasmtime::Result<String> {
        self.current_invocation_id()
    }

    fn http_method(&mut self) -> wasmtime::Result<String> {
        self.current_method()
    }

    fn invocation_path(&mut self) -> wasmtime::Result<Option<String>> {
        self.take_path()
    }
}

impl older::Host for View<'_, ()> {
    fn headers(&mut self) -> wasmtime::Result<Vec<older::Header>> {
        Ok(self
            .take_headers()?
            .into_iter()
            .map(|(name, value)| older::Header { name, value })
            .collect())
    }

    fn query_parameters(&mut self) -> wasmtime::Result<Vec<older::QueryParameter>> {
        Ok(self
            .take_query()?
            .into_iter()
            .map(|(name, value)| older::QueryParameter { name, value })
            .collect())
    }

    fn token_metadata(&mut self) -> wasmtime::Result<Option<String>> {
        self.take_token_metadata()
    }

    fn invocation_id(&mut self) -> wasmtime::Result<String> {
        self.current_invocation_id()
    }

    fn http_method(&mut self) -> wasmtime::Result<String> {
        self.current_method()
    }

    fn invocation_path(&mut self) -> wasmtime::Result<Option<String>> {
        self.take_path()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_without_a_leading_slash() {
        assert_eq!(relative_path("/"), None);
        assert_eq!(relative_path(""), None);
        assert_eq!(relative_path("/foo/bar").as_deref(), Some("foo/bar"));
        assert_eq!(relative_path("foo").as_deref(), Some("foo"));
    }
}
