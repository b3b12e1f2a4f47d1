//! Topics: `momento:topic` (current generation, bytes as `data`) and the older generation's
//! `momento:functions/topic` (bytes as lists), both on the host's one [`TopicsMock`]. Publishes reach the
//! subscribers of tests ([`TopicsMock::subscribe`]) and of `serve`'s topic streams ([`sse`]); log lines
//! reach them too when the function sends its logs to a topic (`services::log`).

pub(crate) mod fixtures;
mod mock;
#[cfg(feature = "serve")]
pub(crate) mod sse;
mod types;

use wasmtime::component::Linker;

pub use mock::{TopicSubscription, TopicsMock};
pub use types::{MessageOrigin, TopicCall, TopicError, TopicLimits, TopicMessage, TopicValue};

use crate::bindings::momento::functions::topic as older;
use crate::bindings::momento::topic::topic as current;
use crate::services::bytes::take_data;
use crate::services::{Interface, Service, View, ViewOf, view};
use crate::state::{HostState, Services};

pub(crate) const SERVICE: Service = Service {
    interfaces: &[
        Interface::implemented("momento:topic/topic@1.0.0"),
        Interface::implemented("momento:functions/topic@1.0.0"),
    ],
    link,
};

fn pick(services: &Services) -> &TopicsMock {
    &services.topics
}

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    current::add_to_linker::<HostState, ViewOf<TopicsMock>>(linker, |s| view(s, pick))?;
    older::add_to_linker::<HostState, ViewOf<TopicsMock>>(linker, |s| view(s, pick))
}

impl View<'_, TopicsMock> {
    fn publish_value(
        &mut self,
        topic: String,
        value: TopicValue,
    ) -> wasmtime::Result<Result<(), TopicError>> {
        self.inv.host_call("momento:topic")?;
        Ok(self.service.publish(&self.inv.id, topic, value))
    }
}

macro_rules! error_conversion {
    ($wit:ident) => {
        impl From<TopicError> for $wit::Error {
            fn from(error: TopicError) -> Self {
                match error {
                    TopicError::InvalidArgument(m) => $wit::Error::InvalidArgument(m),
                    TopicError::LimitExceeded(m) => $wit::Error::LimitExceeded(m),
                    TopicError::Timeout(_) => $wit::Error::Timeout,
                    TopicError::PermissionDenied(m) => $wit::Error::PermissionDenied(m),
                    TopicError::FailedPrecondition(m) => $wit::Error::FailedPrecondition(m),
                    TopicError::NotFound(m) => $wit::Error::NotFound(m),
                    TopicError::RequestCancelled(_) => $wit::Error::RequestCancelled,
                    TopicError::Internal(_) => $wit::Error::InternalError,
                }
            }
        }
    };
}
error_conversion!(current);
error_conversion!(older);

impl current::Host for View<'_, TopicsMock> {
    fn publish(
        &mut self,
        topic: String,
        value: String,
    ) -> wasmtime::Result<Result<(), current::Error>> {
        Ok(self
            .publish_value(topic, TopicValue::Text(value))?
            .map_err(Into::into))
    }

    fn publish_bytes(
        &mut self,
        topic: String,
        value: current::Data,
    ) -> wasmtime::Result<Result<(), current::Error>> {
        let bytes = take_data(self.inv, value)?.to_vec();
        Ok(self
            .publish_value(topic, TopicValue::Binary(bytes))?
            .map_err(Into::into))
    }
}

impl older::Host for View<'_, TopicsMock> {
    fn publish(
        &mut self,
        topic: String,
        value: String,
    ) -> wasmtime::Result<Result<(), older::Error>> {
        Ok(self
            .publish_value(topic, TopicValue::Text(value))?
            .map_err(Into::into))
    }

    fn publish_bytes(
        &mut self,
        topic: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), older::Error>> {
        Ok(self
            .publish_value(topic, TopicValue::Binary(value))?
            .map_err(Into::into))
    }
}
