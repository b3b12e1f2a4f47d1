//! Calling AWS Lambda: `POST /` with `{"image": "a.png", "width": 64}` invokes the function
//! `RESIZE_FUNCTION` (default `resize-image`) with that JSON and waits for its JSON answer
//! (`{"url": ...}`), which it returns; then it queues an `audit` event (`AUDIT_FUNCTION`, default
//! `audit`) without waiting. The host assumes the role `LAMBDA_ROLE_ARN` in `AWS_REGION` (default
//! `us-east-1`).
//!
//! The Lambda client's errors become statuses through `?`: an unknown function 404, refused credentials
//! 403, throttling 429, a resize that failed (its `errorType`/`errorMessage`) 502. A failed audit is
//! logged, not returned.
//!
//! Lambda is only in the older generation of Momento's contract: this component imports
//! `momento:host/aws-auth` and `momento:host/aws-lambda` beside the current generation's interfaces.

use momento_functions::aws::auth::{Authorization, AwsCredentialsProvider};
use momento_functions::aws::lambda::LambdaClient;
use momento_functions::{FunctionError, FunctionResult};

#[derive(serde::Deserialize, serde::Serialize)]
struct Resize {
    image: String,
    width: u32,
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Resized {
    url: String,
}

momento_functions::post!(resize, Resize, Resized);

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn resize(request: Resize) -> FunctionResult<Resized> {
    if request.width == 0 || request.width > 4096 {
        return Err(FunctionError::bad_request("width must be 1 to 4096"));
    }
    let role = std::env::var("LAMBDA_ROLE_ARN")
        .map_err(|_| FunctionError::internal("LAMBDA_ROLE_ARN is not set"))?;
    let provider = AwsCredentialsProvider::new(
        env_or("AWS_REGION", "us-east-1"),
        Authorization::federated(role),
    )?;
    let lambda = LambdaClient::new(&provider)?;
    let resized: Resized =
        lambda.invoke_json(env_or("RESIZE_FUNCTION", "resize-image"), &request)?;
    let audit = serde_json::json!({"event": "resized", "image": request.image, "url": resized.url});
    if let Err(error) = lambda.invoke_event(env_or("AUDIT_FUNCTION", "audit"), audit.to_string()) {
        log::warn!("the audit event was not queued: {error}");
    }
    Ok(resized)
}
