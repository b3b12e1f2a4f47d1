//! Spawn functions: functions that run in the background, by name, with a payload.
//!
//! A spawn function exports its handler with [`spawn!`](crate::spawn!). The handler takes the payload
//! (as [`Data`], `Vec<u8>`, `String` or [`Json<T>`]) and answers success or failure, optionally with a note
//! that goes to the host's records (never to whoever spawned it):
//!
//! ```no_run
//! use momento_functions::{cache, Json};
//! use std::time::Duration;
//!
//! #[derive(serde::Deserialize)]
//! struct Resize { image: String, width: u32 }
//!
//! momento_functions::spawn!(resize);
//! fn resize(Json(job): Json<Resize>) -> Result<String, cache::Error> {
//!     cache::set(format!("thumb:{}", job.image), format!("{}px", job.width), Duration::from_secs(600))?;
//!     Ok(format!("resized {} to {}", job.image, job.width))   // success with a note
//! }
//! ```
//!
//! Any function starts one with [`spawn`] (or [`spawn_json`]): the call returns at once, and the spawned
//! function runs later in its own instance. (Momento's interface for this is its older generation's
//! `momento:host/spawn`; the current generation has none.)
//!
//! ```no_run
//! use momento_functions::{spawn, FunctionResult};
//!
//! momento_functions::post!(upload);
//! fn upload(image: String) -> FunctionResult<&'static str> {
//!     spawn::spawn_json("resize", &serde_json::json!({ "image": image, "width": 128 }))?;
//!     Ok("resizing")
//! }
//! ```

use std::fmt;

use momento_functions_host::wit::momento::host::spawn as wit;

use crate::{Data, Json};

/// Why a spawn did not happen.
#[derive(Debug)]
#[non_exhaustive]
pub enum SpawnError {
    /// No spawn function of that name exists (in the function's cache).
    NotFound {
        /// The name asked for.
        name: String,
    },
    /// The host refused: a limit (queue full, payload too large, spawns nested too deep); the message says
    /// which.
    Limit(String),
    /// The host failed on its side.
    Internal,
    /// [`spawn_json`] could not serialize the payload.
    Serialize(serde_json::Error),
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::NotFound { name } => write!(f, "no spawn function named `{name}`"),
            SpawnError::Limit(message) => write!(f, "spawn refused: {message}"),
            SpawnError::Internal => f.write_str("spawn failed on the host's side"),
            SpawnError::Serialize(e) => write!(f, "cannot serialize the spawn payload: {e}"),
        }
    }
}

impl std::error::Error for SpawnError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SpawnError::Serialize(e) => Some(e),
            _ => None,
        }
    }
}

/// Start the spawn function `name` with `payload`. Returns once the host has accepted it; the function
/// runs after the caller returns, in its own instance.
///
/// # Errors
/// [`SpawnError::NotFound`], [`SpawnError::Limit`] or [`SpawnError::Internal`], as the host answers.
pub fn spawn(name: &str, payload: impl AsRef<[u8]>) -> Result<(), SpawnError> {
    wit::spawn_function(name, payload.as_ref()).map_err(|error| match error {
        wit::SpawnError::FunctionNotFound => SpawnError::NotFound {
            name: name.to_owned(),
        },
        wit::SpawnError::Limit(message) => SpawnError::Limit(message),
        wit::SpawnError::InternalError => SpawnError::Internal,
    })
}

/// [`spawn`] with `value` as a JSON payload.
///
/// # Errors
/// [`SpawnError::Serialize`] when `value` cannot be serialized; otherwise as [`spawn`].
pub fn spawn_json<T: serde::Serialize + ?Sized>(name: &str, value: &T) -> Result<(), SpawnError> {
    let payload = serde_json::to_vec(value).map_err(SpawnError::Serialize)?;
    spawn(name, payload)
}

/// What a spawn function answers: success or failure, each with or without a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpawnOutcome {
    /// It worked.
    Ok,
    /// It worked; a note for the records.
    OkNote(String),
    /// It did not work.
    Failed,
    /// It did not work; why.
    FailedNote(String),
}

/// What a spawn handler may return.
///
/// | type | outcome |
/// |---|---|
/// | `()` | `Ok` |
/// | `String`, `&'static str` | `OkNote` |
/// | [`SpawnOutcome`] | as it is |
/// | `Result<T, E>` with `E: Display` | `T`'s outcome, or `FailedNote` with the error's message |
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a spawn handler",
    note = "return `()`, a note (`String`), `SpawnOutcome`, or `Result<T, E>` of those with `E: Display`"
)]
pub trait IntoSpawnOutcome {
    /// Convert into an outcome.
    fn into_spawn_outcome(self) -> SpawnOutcome;
}

impl IntoSpawnOutcome for SpawnOutcome {
    fn into_spawn_outcome(self) -> SpawnOutcome {
        self
    }
}

impl IntoSpawnOutcome for () {
    fn into_spawn_outcome(self) -> SpawnOutcome {
        SpawnOutcome::Ok
    }
}

impl IntoSpawnOutcome for String {
    fn into_spawn_outcome(self) -> SpawnOutcome {
        SpawnOutcome::OkNote(self)
    }
}

impl IntoSpawnOutcome for &'static str {
    fn into_spawn_outcome(self) -> SpawnOutcome {
        SpawnOutcome::OkNote(self.to_owned())
    }
}

impl<T: IntoSpawnOutcome, E: fmt::Display> IntoSpawnOutcome for Result<T, E> {
    fn into_spawn_outcome(self) -> SpawnOutcome {
        match self {
            Ok(value) => value.into_spawn_outcome(),
            Err(error) => SpawnOutcome::FailedNote(error.to_string()),
        }
    }
}

/// What a spawn handler takes: the payload, as it is or read.
#[diagnostic::on_unimplemented(
    message = "a spawn handler cannot take `{Self}` as its payload",
    note = "take `Data`, `Vec<u8>`, `String` or `Json<T>`"
)]
pub trait FromPayload: Sized {
    /// Take the payload; `Err` with why it does not fit (the spawn then fails with that note, without
    /// calling the handler).
    ///
    /// # Errors
    /// A payload that cannot be read or does not fit.
    fn from_payload(payload: Data) -> Result<Self, String>;
}

impl FromPayload for Data {
    fn from_payload(payload: Data) -> Result<Self, String> {
        Ok(payload)
    }
}

impl FromPayload for Vec<u8> {
    fn from_payload(payload: Data) -> Result<Self, String> {
        payload
            .try_into_bytes()
            .map_err(|e| format!("cannot read the payload: {e}"))
    }
}

impl FromPayload for String {
    fn from_payload(payload: Data) -> Result<Self, String> {
        String::from_utf8(Vec::<u8>::from_payload(payload)?)
            .map_err(|e| format!("the payload is not UTF-8: {e}"))
    }
}

impl<T: serde::de::DeserializeOwned> FromPayload for Json<T> {
    fn from_payload(payload: Data) -> Result<Self, String> {
        let bytes = Vec::<u8>::from_payload(payload)?;
        serde_json::from_slice(&bytes)
            .map(Json)
            .map_err(|e| format!("the payload is not the expected JSON: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_results_become_outcomes() {
        assert_eq!(().into_spawn_outcome(), SpawnOutcome::Ok);
        assert_eq!(
            "done".into_spawn_outcome(),
            SpawnOutcome::OkNote("done".into())
        );
        let failed: Result<(), String> = Err("boom".into());
        assert_eq!(
            failed.into_spawn_outcome(),
            SpawnOutcome::FailedNote("boom".into())
        );
    }

    #[test]
    fn payloads_are_read_as_asked() {
        assert_eq!(String::from_payload(Data::from("hi")).unwrap(), "hi");
        assert!(
            String::from_payload(Data::from(vec![0xff]))
                .unwrap_err()
                .contains("UTF-8")
        );
        let Json(n) = Json::<u32>::from_payload(Data::from("7")).unwrap();
        assert_eq!(n, 7);
        assert!(
            Json::<u32>::from_payload(Data::from("x"))
                .unwrap_err()
                .contains("JSON")
        );
    }
}
