//! `momento:token` (and the older generation's `momento:functions/token`): linked so that token-vending
//! components load and run; every call answers `permission-denied` naming the capability until disposable
//! tokens are implemented.

use wasmtime::component::Linker;

use crate::bindings::momento::functions::token as older;
use crate::bindings::momento::token::token as current;
use crate::services::{Interface, Service, View, ViewOf, not_implemented_message, view};
use crate::state::HostState;

const CAPABILITY: &str = "disposable tokens";
const CURRENT: &str = "momento:token/token@1.0.0";
const OLDER: &str = "momento:functions/token@1.0.0";

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

impl current::Host for View<'_, ()> {
    fn generate_disposable_token(
        &mut self,
        _expires: current::Expires,
        _permissions: String,
        _token_id: Option<String>,
    ) -> wasmtime::Result<Result<current::GenerateDisposableTokenResponse, current::TokenError>>
    {
        self.inv.host_call("momento:token")?;
        Ok(Err(current::TokenError::PermissionDenied(
            not_implemented_message(CAPABILITY, CURRENT),
        )))
    }
}

impl older::Host for View<'_, ()> {
    fn generate_disposable_token(
        &mut self,
        _expires: older::Expires,
        _permissions: String,
        _token_id: Option<String>,
    ) -> wasmtime::Result<Result<older::GenerateDisposableTokenResponse, older::TokenError>> {
        self.inv.host_call("momento:token")?;
        Ok(Err(older::TokenError::PermissionDenied(
            not_implemented_message(CAPABILITY, OLDER),
        )))
    }
}
