//! AWS client errors become error responses with fitting statuses when `?` converts them.

use momento_functions::aws::{auth, ddb, s3, secrets};
use momento_functions::{FunctionError, FunctionResult, IntoResponse};

fn status(error: impl std::error::Error + Send + Sync + 'static) -> u16 {
    FunctionError::from(error).status().as_u16()
}

#[test]
fn auth_errors() {
    let m = || "m".to_owned();
    assert_eq!(status(auth::Error::Unauthorized(m())), 403);
    assert_eq!(status(auth::Error::Malformed(m())), 400);
    assert_eq!(status(auth::Error::Throttled(m())), 429);
}

#[test]
fn dynamodb_errors() {
    let m = || "m".to_owned();
    assert_eq!(status(ddb::Error::NotFound(m())), 404);
    assert_eq!(status(ddb::Error::ConditionFailed(m())), 409);
    assert_eq!(status(ddb::Error::Unauthorized(m())), 403);
    assert_eq!(status(ddb::Error::Malformed(m())), 400);
    assert_eq!(status(ddb::Error::Throttled(m())), 429);
    assert_eq!(status(ddb::Error::Other(m())), 502);
    let conversion = ddb::Item::new()
        .with("n", "text")
        .into_deserialize::<std::collections::BTreeMap<String, u8>>()
        .expect_err("text is not a u8");
    assert_eq!(status(ddb::Error::Deserialize(conversion.clone())), 500);
    assert_eq!(status(ddb::Error::Serialize(conversion)), 500);
}

#[test]
fn s3_and_secrets_errors() {
    let m = || "m".to_owned();
    assert_eq!(status(s3::Error::NotFound(m())), 404);
    assert_eq!(status(s3::Error::Unauthorized(m())), 403);
    assert_eq!(status(s3::Error::Malformed(m())), 400);
    assert_eq!(status(s3::Error::Throttled(m())), 429);
    assert_eq!(status(s3::Error::Other(m())), 502);
    assert_eq!(status(secrets::Error::NotFound(m())), 404);
    assert_eq!(status(secrets::Error::Unauthorized(m())), 403);
    assert_eq!(status(secrets::Error::Malformed(m())), 400);
    assert_eq!(status(secrets::Error::Throttled(m())), 429);
    assert_eq!(status(secrets::Error::Other(m())), 502);
}

#[test]
fn question_mark_keeps_the_message_and_source() {
    fn handler() -> FunctionResult<()> {
        Err(ddb::Error::ConditionFailed(
            "The conditional request failed".into(),
        ))?;
        Ok(())
    }
    let error = handler().expect_err("the handler fails");
    assert_eq!(
        error.message(),
        "DynamoDB condition failed: The conditional request failed"
    );
    assert!(error.source().is_some());
    let response = error.into_response();
    assert_eq!(response.status().as_u16(), 409);
    let body: serde_json::Value =
        serde_json::from_slice(response.body().as_bytes().expect("in memory"))
            .expect("the error body is JSON");
    assert_eq!(body["error"], "Conflict");
}
