//! Disposable tokens: `momento:token` and the older generation's `momento:functions/token`, both on the
//! host's one [`TokensMock`].

pub(crate) mod fixtures;
mod mock;
mod permissions;

use wasmtime::component::Linker;

pub use mock::{
    DEFAULT_TOKEN_ENDPOINT, IssuedToken, MAX_TOKEN_ID_BYTES, MAX_TOKEN_VALIDITY, TokenCall,
    TokenError, TokensMock,
};
pub use permissions::{
    CacheRole, CacheScope, FunctionRole, KeyScope, NameScope, TokenPermission, TopicRole,
};

use crate::bindings::momento::functions::token as older;
use crate::bindings::momento::token::token as current;
use crate::services::{Interface, Service, View, ViewOf, view};
use crate::state::{HostState, Services};

pub(crate) const SERVICE: Service = Service {
    interfaces: &[
        Interface::implemented("momento:token/token@1.0.0"),
        Interface::implemented("momento:functions/token@1.0.0"),
    ],
    link,
};

fn pick(services: &Services) -> &TokensMock {
    &services.tokens
}

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    current::add_to_linker::<HostState, ViewOf<TokensMock>>(linker, |s| view(s, pick))?;
    older::add_to_linker::<HostState, ViewOf<TokensMock>>(linker, |s| view(s, pick))
}

impl View<'_, TokensMock> {
    fn generate(
        &mut self,
        valid_for_seconds: u32,
        permissions: String,
        token_id: Option<String>,
    ) -> wasmtime::Result<Result<IssuedToken, TokenError>> {
        self.inv.host_call("momento:token")?;
        Ok(self
            .service
            .generate(&self.inv.id, valid_for_seconds, permissions, token_id))
    }
}

macro_rules! generation {
    ($wit:ident) => {
        impl From<TokenError> for $wit::TokenError {
            fn from(error: TokenError) -> Self {
                match error {
                    TokenError::InvalidArgument(m) => $wit::TokenError::InvalidArgument(m),
                    TokenError::PermissionDenied(m) => $wit::TokenError::PermissionDenied(m),
                    TokenError::LimitExceeded(m) => $wit::TokenError::LimitExceeded(m),
                    TokenError::Internal(_) => $wit::TokenError::InternalError,
                }
            }
        }

        impl $wit::Host for View<'_, TokensMock> {
            fn generate_disposable_token(
                &mut self,
                expires: $wit::Expires,
                permissions: String,
                token_id: Option<String>,
            ) -> wasmtime::Result<Result<$wit::GenerateDisposableTokenResponse, $wit::TokenError>>
            {
                Ok(self
                    .generate(expires.valid_for_seconds, permissions, token_id)?
                    .map(|token| $wit::GenerateDisposableTokenResponse {
                        api_key: token.api_key,
                        endpoint: token.endpoint,
                        valid_until: token.valid_until,
                    })
                    .map_err(Into::into))
            }
        }
    };
}

mod current_generation {
    use super::*;
    generation!(current);
}

mod older_generation {
    use super::*;
    generation!(older);
}
