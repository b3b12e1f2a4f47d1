//! AWS endpoints reached through `http`: a request to DynamoDB's or S3's endpoint that no mock route
//! answers is run by the in-memory service, in its own wire protocol (DynamoDB's JSON, S3's REST and XML),
//! with the credentials of the request's `authorization`. On Momento the host signs such requests and AWS
//! checks the signature; here the credentials are checked against the test host's AWS policy instead, and
//! faults and recording work as for the AWS interfaces.

use bytes::Bytes;
use serde_json::Value;

use super::endpoint::{AwsEndpoint, aws_endpoint};
use super::s3::rest::RestRequest;
use super::{AwsError, AwsErrorKind, AwsService, AwsState, Principal};
use crate::services::http::{HttpCall, HttpError, Reply, Signing};

const JSON_1_0: &str = "application/x-amz-json-1.0";

fn header<'a>(call: &'a HttpCall, name: &str) -> Option<&'a str> {
    call.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn ddb_reply(status: u16, body: &Value) -> Reply {
    Reply {
        status,
        headers: vec![("content-type".to_owned(), JSON_1_0.to_owned())],
        body: Bytes::from(body.to_string()),
    }
}

fn ddb_error(error: &AwsError) -> Reply {
    ddb_reply(error.dynamodb_status(), &error.dynamodb_body())
}

/// The principal a request's `authorization` names, or the error AWS answers an unsigned request with.
fn principal(signing: &Signing) -> Result<Principal, AwsError> {
    match signing {
        Signing::None => Err(AwsError::new(
            AwsErrorKind::Unauthorized,
            "MissingAuthenticationTokenException",
            "Request is missing Authentication Token (give the request an authorization so that the host \
             signs it)",
        )),
        Signing::Keys {
            access_key_id,
            secret_access_key,
            ..
        } => Ok(Principal::Key {
            id: access_key_id.clone(),
            secret: secret_access_key.clone(),
        }),
        Signing::Role { role_arn, .. } => Ok(Principal::Role(role_arn.clone())),
    }
}

/// The S3 operation a REST request is, by AWS's name (for recorded calls and faults).
fn s3_operation(request: &RestRequest) -> &'static str {
    let has = |name: &str| request.query.iter().any(|(n, _)| n == name);
    match (request.method.as_str(), request.key.is_some()) {
        ("PUT", true) => "PutObject",
        ("GET", true) => "GetObject",
        ("HEAD", true) => "HeadObject",
        ("DELETE", true) => "DeleteObject",
        ("GET", false) if has("list-type") => "ListObjectsV2",
        ("GET", false) => "ListObjects",
        ("HEAD", false) => "HeadBucket",
        _ => "Unsupported",
    }
}

/// Answer `call` from the in-memory AWS services if it is addressed to one of their endpoints.
pub(crate) fn answer(
    aws: &AwsState,
    call: &HttpCall,
    signing: &Signing,
    invocation_id: &str,
) -> Option<Result<Reply, HttpError>> {
    let endpoint = aws_endpoint(&call.url)?;
    Some(Ok(match endpoint {
        AwsEndpoint::DynamoDb { region } => dynamodb(aws, call, signing, &region, invocation_id),
        AwsEndpoint::S3 {
            region,
            bucket,
            key,
            query,
        } => {
            let request = RestRequest {
                method: call.method.to_ascii_uppercase(),
                bucket: bucket.unwrap_or_default(),
                key,
                query,
                headers: call.headers.clone(),
                body: call.body.clone(),
            };
            s3(aws, request, signing, &region, invocation_id)
        }
    }))
}

fn dynamodb(
    aws: &AwsState,
    call: &HttpCall,
    signing: &Signing,
    region: &str,
    invocation_id: &str,
) -> Reply {
    let session = match principal(signing)
        .and_then(|principal| super::auth::make_provider(aws, principal, region, invocation_id))
    {
        Ok(session) => session,
        Err(error) => return ddb_error(&error),
    };
    let target = header(call, "x-amz-target");
    let operation = target
        .and_then(|t| t.strip_prefix("DynamoDB_20120810."))
        .and_then(|op| {
            ["GetItem", "PutItem", "DeleteItem", "UpdateItem", "Query"]
                .into_iter()
                .find(|known| *known == op)
        });
    let request = serde_json::from_slice::<Value>(&call.body);
    let (Some(operation), Ok(request)) = (operation, request) else {
        // Let the engine word the error (unknown operation, body not JSON) exactly as DynamoDB does.
        let (status, body) = aws.ddb.handle_http(target, &call.body);
        return ddb_reply(status, &body);
    };
    let table = request["TableName"].as_str().unwrap_or_default().to_owned();
    let mut params = request.clone();
    if let Some(params) = params.as_object_mut() {
        params.remove("TableName");
    }
    let info = session.call_info(
        AwsService::DynamoDb,
        operation,
        &table,
        params,
        invocation_id,
    );
    match aws.call(&session, info, || aws.ddb.execute(operation, &request)) {
        Ok(response) => ddb_reply(200, &response),
        Err(error) => ddb_error(&error),
    }
}

fn s3(
    aws: &AwsState,
    request: RestRequest,
    signing: &Signing,
    region: &str,
    invocation_id: &str,
) -> Reply {
    let reply = |response: super::s3::rest::RestResponse| Reply {
        status: response.status,
        headers: response.headers,
        body: response.body,
    };
    let session = match principal(signing)
        .and_then(|principal| super::auth::make_provider(aws, principal, region, invocation_id))
    {
        Ok(session) => session,
        Err(error) => return reply(aws.s3.fault_response(&error, &request)),
    };
    let operation = s3_operation(&request);
    let params = serde_json::json!({
        "method": request.method,
        "key": request.key,
        "query": request.query.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(),
        "size": request.body.len(),
    });
    let bucket = request.bucket.clone();
    let info = session.call_info(AwsService::S3, operation, &bucket, params, invocation_id);
    match aws.call(&session, info, || Ok(aws.s3.rest(request.clone()))) {
        Ok(response) => reply(response),
        Err(error) => reply(aws.s3.fault_response(&error, &request)),
    }
}
