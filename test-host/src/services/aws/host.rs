//! The AWS interfaces' WIT layer, for every generation and version: `momento:aws-auth`, `aws-ddb`,
//! `aws-s3` (1.1.0 and 1.0.0), `aws-secrets`, and the older generation's `momento:host/aws-*`.
//!
//! DynamoDB requests are turned into DynamoDB's JSON protocol and run by the in-memory engine (the same
//! engine answers requests that reach DynamoDB's endpoint through `http`), so both paths behave alike.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Map, Value, json};
use wasmtime::component::{Linker, Resource};

use super::s3::{PutOptions, S3Object};
use super::secrets::{Found, Secret, Selector};
use super::{
    AwsError, AwsErrorKind, AwsService, AwsSession, AwsState, CredentialsProvider, DdbClient,
    LambdaClient, Principal, S3Client, SecretsClient,
};
use crate::bindings::aws_s3_1_0_0 as s3_v1_0;
use crate::bindings::momento::aws_auth::aws_auth as auth_current;
use crate::bindings::momento::aws_ddb::aws_ddb as ddb_current;
use crate::bindings::momento::aws_s31_1_0::aws_s3 as s3_current;
use crate::bindings::momento::aws_secrets::aws_secrets as secrets_current;
use crate::bindings::momento::host::aws_auth as auth_older;
use crate::bindings::momento::host::aws_ddb as ddb_older;
use crate::bindings::momento::host::aws_lambda as lambda_older;
use crate::bindings::momento::host::aws_s3 as s3_older;
use crate::bindings::momento::host::aws_secrets as secrets_older;
use crate::services::bytes::{buffer_data, take_data};
use crate::services::http::{HttpError, Signing};
use crate::services::{Interface, Service, View, ViewOf, bad_handle, view};
use crate::state::{HostState, Services};

pub(crate) const SERVICE: Service = Service {
    interfaces: &[
        Interface::implemented("momento:aws-auth/aws-auth@1.0.0"),
        Interface::implemented("momento:aws-ddb/aws-ddb@1.0.0"),
        Interface::implemented("momento:aws-s3/aws-s3@1.1.0"),
        Interface::implemented("momento:aws-s3/aws-s3@1.0.0"),
        Interface::implemented("momento:aws-secrets/aws-secrets@1.0.0"),
        Interface::implemented("momento:host/aws-auth@1.0.0"),
        Interface::implemented("momento:host/aws-ddb@1.0.0"),
        Interface::implemented("momento:host/aws-s3@1.0.0"),
        Interface::implemented("momento:host/aws-secrets@1.0.0"),
        Interface::implemented("momento:host/aws-lambda@1.0.0"),
    ],
    link,
};

fn pick(services: &Services) -> &AwsState {
    &services.aws
}

fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    type V = ViewOf<AwsState>;
    auth_current::add_to_linker::<HostState, V>(linker, |s| view(s, pick))?;
    ddb_current::add_to_linker::<HostState, V>(linker, |s| view(s, pick))?;
    s3_current::add_to_linker::<HostState, V>(linker, |s| view(s, pick))?;
    s3_v1_0::add_to_linker::<HostState, V>(linker, |s| view(s, pick))?;
    secrets_current::add_to_linker::<HostState, V>(linker, |s| view(s, pick))?;
    auth_older::add_to_linker::<HostState, V>(linker, |s| view(s, pick))?;
    ddb_older::add_to_linker::<HostState, V>(linker, |s| view(s, pick))?;
    s3_older::add_to_linker::<HostState, V>(linker, |s| view(s, pick))?;
    secrets_older::add_to_linker::<HostState, V>(linker, |s| view(s, pick))?;
    lambda_older::add_to_linker::<HostState, V>(linker, |s| view(s, pick))
}

/// Sign a request the host sends to the network (real mode) with SigV4, as the function asked: with its
/// keys, or with the credentials the test declared for the role (`TestHostBuilder::aws_role_credentials`;
/// the test host cannot assume real roles). Signing happens at send time, by the host's clock.
pub(crate) fn sign_outbound(
    aws: &AwsState,
    signing: &Signing,
    method: &ureq::http::Method,
    uri: &ureq::http::Uri,
    headers: &mut ureq::http::HeaderMap,
    body: &[u8],
) -> Result<(), HttpError> {
    use super::sigv4::{Credentials, SignableRequest, sign};
    let (credentials, region, service) = match signing {
        Signing::None => return Ok(()),
        Signing::Keys {
            access_key_id,
            secret_access_key,
            region,
            service,
        } => (
            Credentials {
                access_key_id: access_key_id.clone(),
                secret_access_key: secret_access_key.clone(),
                session_token: None,
            },
            region.clone(),
            service.clone(),
        ),
        Signing::Role { role_arn, service } => {
            let Some((credentials, region)) = aws.role_credentials(role_arn) else {
                return Err(HttpError::RequestError(format!(
                    "the test host has no credentials for role {role_arn}: it cannot assume real roles; declare \
                     some with TestHostBuilder::aws_role_credentials to send requests signed for it"
                )));
            };
            (credentials, region, service.clone())
        }
    };
    let mut request = SignableRequest {
        method: method.as_str().to_owned(),
        url: uri.to_string(),
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    sign(
        &mut request,
        &credentials,
        &region,
        &service,
        aws.clock.now(),
    )
    .map_err(|e| HttpError::RequestError(format!("cannot sign the request: {e}")))?;
    let mut signed = ureq::http::HeaderMap::with_capacity(request.headers.len());
    for (name, value) in request.headers {
        let name = ureq::http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| HttpError::RequestError(format!("signing produced a bad header: {e}")))?;
        let value = ureq::http::HeaderValue::from_str(&value)
            .map_err(|e| HttpError::RequestError(format!("signing produced a bad header: {e}")))?;
        signed.append(name, value);
    }
    *headers = signed;
    Ok(())
}

/// A client resource that stands for a session.
trait HasSession: Send + 'static {
    const WHAT: &'static str;
    fn session(&self) -> &Arc<AwsSession>;
}

macro_rules! has_session {
    ($ty:ty, $what:literal) => {
        impl HasSession for $ty {
            const WHAT: &'static str = $what;
            fn session(&self) -> &Arc<AwsSession> {
                &self.session
            }
        }
    };
}
has_session!(CredentialsProvider, "credentials-provider");
has_session!(DdbClient, "aws-ddb client");
has_session!(S3Client, "aws-s3 client");
has_session!(SecretsClient, "aws-secrets client");
has_session!(LambdaClient, "aws-lambda client");

impl View<'_, AwsState> {
    fn session_of<T: HasSession>(
        &mut self,
        resource: &Resource<T>,
    ) -> wasmtime::Result<Arc<AwsSession>> {
        Ok(Arc::clone(
            self.inv
                .table
                .get(resource)
                .map_err(|e| bad_handle(T::WHAT, e))?
                .session(),
        ))
    }

    fn drop_resource<T: HasSession>(&mut self, resource: Resource<T>) -> wasmtime::Result<()> {
        self.inv
            .table
            .delete(resource)
            .map_err(|e| bad_handle(T::WHAT, e))?;
        Ok(())
    }

    /// A new client resource on the session of `provider`.
    fn client<T: HasSession>(
        &mut self,
        provider: &Resource<CredentialsProvider>,
        make: fn(Arc<AwsSession>) -> T,
    ) -> wasmtime::Result<Resource<T>> {
        self.inv.host_call("momento:aws")?;
        let session = self.session_of(provider)?;
        Ok(self.inv.table.push(make(session))?)
    }

    fn provider(
        &mut self,
        principal: Principal,
        region: &str,
    ) -> wasmtime::Result<Result<Resource<CredentialsProvider>, String>> {
        self.inv.host_call("momento:aws-auth")?;
        match super::auth::make_provider(self.service, principal, region, &self.inv.id) {
            Ok(session) => Ok(Ok(self.inv.table.push(CredentialsProvider { session })?)),
            Err(error) => Ok(Err(error.wire_message())),
        }
    }

    /// Run one DynamoDB operation in its JSON protocol, through the credentials check, faults and record.
    fn ddb(
        &mut self,
        client: &Resource<DdbClient>,
        operation: &'static str,
        request: Value,
    ) -> wasmtime::Result<Result<Value, AwsError>> {
        self.inv.host_call("momento:aws-ddb")?;
        let session = self.session_of(client)?;
        let aws = self.service;
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
            &self.inv.id,
        );
        Ok(aws.call(&session, info, || aws.ddb.execute(operation, &request)))
    }

    fn s3_put(
        &mut self,
        client: &Resource<S3Client>,
        bucket: String,
        key: String,
        body: Bytes,
        options: PutOptions,
    ) -> wasmtime::Result<Result<super::s3::PutOutput, AwsError>> {
        self.inv.host_call("momento:aws-s3")?;
        let session = self.session_of(client)?;
        let aws = self.service;
        let mut params = json!({"key": key, "size": body.len()});
        if !options.metadata.is_empty() {
            params["metadata"] = Value::Object(
                options
                    .metadata
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect::<Map<String, Value>>(),
            );
        }
        if let Some(content_type) = &options.content_type {
            params["content_type"] = json!(content_type);
        }
        let info = session.call_info(AwsService::S3, "PutObject", &bucket, params, &self.inv.id);
        Ok(aws.call(&session, info, || aws.s3.put(&bucket, &key, body, options)))
    }

    fn s3_get(
        &mut self,
        client: &Resource<S3Client>,
        bucket: String,
        key: String,
    ) -> wasmtime::Result<Result<Option<S3Object>, AwsError>> {
        self.inv.host_call("momento:aws-s3")?;
        let session = self.session_of(client)?;
        let aws = self.service;
        let info = session.call_info(
            AwsService::S3,
            "GetObject",
            &bucket,
            json!({"key": key}),
            &self.inv.id,
        );
        Ok(aws.call(&session, info, || aws.s3.get(&bucket, &key)))
    }

    fn secret(
        &mut self,
        client: &Resource<SecretsClient>,
        selector: Selector,
        allowed_staleness_seconds: u64,
    ) -> wasmtime::Result<Result<Found, AwsError>> {
        self.inv.host_call("momento:aws-secrets")?;
        let session = self.session_of(client)?;
        let aws = self.service;
        let staleness = Duration::from_secs(allowed_staleness_seconds);
        let mut params = json!({"secret_id": selector.secret_id});
        if let Some(version_id) = &selector.version_id {
            params["version_id"] = json!(version_id);
        }
        if let Some(stage) = &selector.version_stage {
            params["version_stage"] = json!(stage);
        }
        if allowed_staleness_seconds > 0 {
            params["allowed_staleness_seconds"] = json!(allowed_staleness_seconds);
        }
        if let Some(copy) = aws.secrets.copy(&selector, staleness) {
            params["served_from_copy"] = json!(true);
            let info = session.call_info(
                AwsService::SecretsManager,
                "GetSecretValue",
                &selector.secret_id,
                params,
                &self.inv.id,
            );
            aws.record(info, None);
            return Ok(Ok(copy));
        }
        let info = session.call_info(
            AwsService::SecretsManager,
            "GetSecretValue",
            &selector.secret_id,
            params,
            &self.inv.id,
        );
        let result = aws.call(&session, info, || aws.secrets.get(&selector));
        if let Ok(found) = &result {
            aws.secrets.keep_copy(selector, found.clone());
        }
        Ok(result)
    }
}

// ---- aws-auth ------------------------------------------------------------------------------------------

macro_rules! auth_generation {
    ($wit:ident) => {
        impl $wit::Host for View<'_, AwsState> {
            fn provider(
                &mut self,
                authorization: $wit::Authorization,
                region: String,
            ) -> wasmtime::Result<Result<Resource<CredentialsProvider>, $wit::AuthError>> {
                let principal = match authorization {
                    $wit::Authorization::Hardcoded(keys) => Principal::Key {
                        id: keys.access_key_id,
                        secret: keys.secret_access_key,
                    },
                    $wit::Authorization::Federated(role) => Principal::Role(role.role_arn),
                };
                Ok(
                    View::provider(self, principal, &region)?
                        .map_err($wit::AuthError::Unauthorized),
                )
            }
        }

        impl $wit::HostCredentialsProvider for View<'_, AwsState> {
            fn drop(&mut self, provider: Resource<CredentialsProvider>) -> wasmtime::Result<()> {
                self.drop_resource(provider)
            }
        }
    };
}

mod auth_current_impl {
    use super::*;
    auth_generation!(auth_current);
}

mod auth_older_impl {
    use super::*;
    auth_generation!(auth_older);
}

// ---- aws-ddb -------------------------------------------------------------------------------------------

fn consumed_capacity_name(value: &str) -> &'static str {
    match value {
        "total" => "TOTAL",
        "indexes" => "INDEXES",
        _ => "NONE",
    }
}

/// `item` JSON text → a JSON value, or DynamoDB's serialization error.
fn item_value(text: &[u8]) -> Result<Value, AwsError> {
    serde_json::from_slice(text).map_err(|e| {
        AwsError::new(
            AwsErrorKind::Malformed,
            "SerializationException",
            format!("the item is not JSON: {e}"),
        )
    })
}

macro_rules! ddb_generation {
    ($wit:ident, item_bytes: $item_bytes:expr, make_item: $make_item:expr) => {
        fn to_error(error: AwsError) -> $wit::DdbError {
            let message = error.wire_message();
            match error.kind {
                AwsErrorKind::Unauthorized => $wit::DdbError::Unauthorized(message),
                AwsErrorKind::Malformed => $wit::DdbError::Malformed(message),
                _ => $wit::DdbError::Other(message),
            }
        }

        fn key_json(key: Vec<$wit::KeyAttribute>) -> Value {
            Value::Object(
                key.into_iter()
                    .map(|attribute| {
                        let value = match attribute.value {
                            $wit::KeyValue::S(s) => json!({"S": s}),
                            $wit::KeyValue::N(n) => json!({"N": n}),
                            $wit::KeyValue::B(b) => json!({"B": b}),
                        };
                        (attribute.name, value)
                    })
                    .collect(),
            )
        }

        fn names_json(names: Vec<(String, String)>) -> Value {
            Value::Object(names.into_iter().map(|(k, v)| (k, json!(v))).collect())
        }

        fn capacity_kind(kind: &$wit::ReturnConsumedCapacity) -> &'static str {
            match kind {
                $wit::ReturnConsumedCapacity::None => consumed_capacity_name("none"),
                $wit::ReturnConsumedCapacity::Total => consumed_capacity_name("total"),
                $wit::ReturnConsumedCapacity::Indexes => consumed_capacity_name("indexes"),
            }
        }

        fn capacity(value: &Value) -> $wit::Capacity {
            $wit::Capacity {
                capacity_units: value["CapacityUnits"].as_f64(),
                read_capacity_units: value["ReadCapacityUnits"].as_f64(),
                write_capacity_units: value["WriteCapacityUnits"].as_f64(),
            }
        }

        fn indexes(value: &Value) -> Option<Vec<(String, $wit::Capacity)>> {
            value
                .as_object()
                .map(|map| map.iter().map(|(name, c)| (name.clone(), capacity(c))).collect())
        }

        fn consumed(response: &Value) -> Option<$wit::ConsumedCapacity> {
            let c = response.get("ConsumedCapacity")?;
            Some($wit::ConsumedCapacity {
                table_name: c["TableName"].as_str().unwrap_or_default().to_owned(),
                capacity_units: c["CapacityUnits"].as_f64(),
                read_capacity_units: c["ReadCapacityUnits"].as_f64(),
                write_capacity_units: c["WriteCapacityUnits"].as_f64(),
                table: c.get("Table").map(capacity),
                local_secondary_indexes: c.get("LocalSecondaryIndexes").and_then(indexes),
                global_secondary_indexes: c.get("GlobalSecondaryIndexes").and_then(indexes),
            })
        }

        fn item_json(view: &mut View<'_, AwsState>, item: $wit::Item) -> wasmtime::Result<Result<Value, AwsError>> {
            let $wit::Item::Json(payload) = item;
            let bytes: Bytes = ($item_bytes)(view, payload)?;
            Ok(item_value(&bytes))
        }

        fn item_out(view: &mut View<'_, AwsState>, value: &Value) -> wasmtime::Result<$wit::Item> {
            ($make_item)(view, Bytes::from(value.to_string()))
        }

        impl $wit::Host for View<'_, AwsState> {}

        impl $wit::HostClient for View<'_, AwsState> {
            fn new(&mut self, provider: Resource<CredentialsProvider>) -> wasmtime::Result<Resource<DdbClient>> {
                self.client(&provider, |session| DdbClient { session })
            }

            fn get_item(
                &mut self,
                client: Resource<DdbClient>,
                request: $wit::GetItemRequest,
            ) -> wasmtime::Result<Result<$wit::GetItemOutput, $wit::DdbError>> {
                let mut json = json!({
                    "TableName": request.table_name,
                    "Key": key_json(request.key),
                    "ConsistentRead": request.consistent_read,
                    "ReturnConsumedCapacity": capacity_kind(&request.return_consumed_capacity),
                });
                if let Some(projection) = request.projection_expression {
                    json["ProjectionExpression"] = json!(projection);
                }
                if let Some(names) = request.expression_attribute_names {
                    json["ExpressionAttributeNames"] = names_json(names);
                }
                let response = match self.ddb(&client, "GetItem", json)? {
                    Ok(response) => response,
                    Err(error) => return Ok(Err(to_error(error))),
                };
                let item = match response.get("Item") {
                    Some(item) => Some(item_out(self, item)?),
                    None => None,
                };
                Ok(Ok($wit::GetItemOutput {
                    item,
                    consumed_capacity: consumed(&response),
                }))
            }

            fn put_item(
                &mut self,
                client: Resource<DdbClient>,
                request: $wit::PutItemRequest,
            ) -> wasmtime::Result<Result<$wit::PutItemOutput, $wit::DdbError>> {
                let item = match item_json(self, request.item)? {
                    Ok(item) => item,
                    Err(error) => {
                        self.inv.host_call("momento:aws-ddb")?;
                        return Ok(Err(to_error(error)));
                    }
                };
                let mut json = json!({
                    "TableName": request.table_name,
                    "Item": item,
                    "ReturnValues": match request.return_values {
                        $wit::ReturnValues::None => "NONE",
                        $wit::ReturnValues::AllOld => "ALL_OLD",
                    },
                    "ReturnConsumedCapacity": capacity_kind(&request.return_consumed_capacity),
                });
                if let Some(condition) = request.condition {
                    json["ConditionExpression"] = json!(condition.expression);
                    if let Some(names) = condition.expression_attribute_names {
                        json["ExpressionAttributeNames"] = names_json(names);
                    }
                    if let Some(values) = condition.expression_attribute_values {
                        match item_json(self, values)? {
                            Ok(values) => json["ExpressionAttributeValues"] = values,
                            Err(error) => {
                                self.inv.host_call("momento:aws-ddb")?;
                                return Ok(Err(to_error(error)));
                            }
                        }
                    }
                }
                let response = match self.ddb(&client, "PutItem", json)? {
                    Ok(response) => response,
                    Err(error) => return Ok(Err(to_error(error))),
                };
                let attributes = match response.get("Attributes") {
                    Some(attributes) => Some(item_out(self, attributes)?),
                    None => None,
                };
                Ok(Ok($wit::PutItemOutput {
                    attributes,
                    consumed_capacity: consumed(&response),
                }))
            }

            fn drop(&mut self, client: Resource<DdbClient>) -> wasmtime::Result<()> {
                self.drop_resource(client)
            }
        }
    };
}

mod ddb_current_impl {
    use super::*;
    ddb_generation!(
        ddb_current,
        item_bytes: |view: &mut View<'_, AwsState>, data| take_data(view.inv, data),
        make_item: |view: &mut View<'_, AwsState>, bytes| -> wasmtime::Result<ddb_current::Item> {
            Ok(ddb_current::Item::Json(buffer_data(view.inv, bytes)?))
        }
    );
}

mod ddb_older_impl {
    use super::*;
    ddb_generation!(
        ddb_older,
        item_bytes: |_: &mut View<'_, AwsState>, text: String| -> wasmtime::Result<Bytes> { Ok(Bytes::from(text)) },
        make_item: |_: &mut View<'_, AwsState>, bytes: Bytes| -> wasmtime::Result<ddb_older::Item> {
            Ok(ddb_older::Item::Json(String::from_utf8_lossy(&bytes).into_owned()))
        }
    );
}

// ---- aws-s3 --------------------------------------------------------------------------------------------

macro_rules! s3_errors {
    ($wit:ident, throttled: $throttled:expr) => {
        fn to_error(error: AwsError) -> $wit::S3Error {
            let message = error.wire_message();
            match error.kind {
                AwsErrorKind::Unauthorized => $wit::S3Error::Unauthorized(message),
                AwsErrorKind::Malformed => $wit::S3Error::Malformed(message),
                AwsErrorKind::Throttled => ($throttled)(message),
                _ => $wit::S3Error::Other(message),
            }
        }
    };
}

/// Current-generation S3 (1.1.0 and 1.0.0 differ only in the `throttled` error).
macro_rules! s3_generation {
    ($wit:ident, throttled: $throttled:expr) => {
        s3_errors!($wit, throttled: $throttled);

        impl $wit::Host for View<'_, AwsState> {}

        impl $wit::HostClient for View<'_, AwsState> {
            fn new(&mut self, provider: Resource<CredentialsProvider>) -> wasmtime::Result<Resource<S3Client>> {
                self.client(&provider, |session| S3Client { session })
            }

            fn put(
                &mut self,
                client: Resource<S3Client>,
                request: $wit::PutObjectRequest,
            ) -> wasmtime::Result<Result<$wit::PutObjectOutput, $wit::S3Error>> {
                let body = take_data(self.inv, request.body)?;
                let options = PutOptions {
                    metadata: request.metadata,
                    ..PutOptions::default()
                };
                Ok(self
                    .s3_put(&client, request.bucket, request.key, body, options)?
                    .map(|output| $wit::PutObjectOutput {
                        expiration: output.expiration,
                        etag: Some(output.etag),
                        version_id: output.version_id,
                    })
                    .map_err(to_error))
            }

            fn get(
                &mut self,
                client: Resource<S3Client>,
                request: $wit::GetObjectRequest,
            ) -> wasmtime::Result<Result<$wit::GetObjectOutput, $wit::S3Error>> {
                Ok(match self.s3_get(&client, request.bucket, request.key)? {
                    Ok(Some(object)) => Ok($wit::GetObjectOutput {
                        body: Some(buffer_data(self.inv, Bytes::from(object.body))?),
                        etag: Some(object.etag),
                        version_id: object.version_id,
                        expiration: None,
                        metadata: object.metadata,
                    }),
                    Ok(None) => Ok($wit::GetObjectOutput {
                        body: None,
                        etag: None,
                        version_id: None,
                        expiration: None,
                        metadata: Vec::new(),
                    }),
                    Err(error) => Err(to_error(error)),
                })
            }

            fn drop(&mut self, client: Resource<S3Client>) -> wasmtime::Result<()> {
                self.drop_resource(client)
            }
        }
    };
}

mod s3_current_impl {
    use super::*;
    s3_generation!(s3_current, throttled: s3_current::S3Error::Throttled);
}

mod s3_v1_0_impl {
    use super::*;
    s3_generation!(s3_v1_0, throttled: s3_v1_0::S3Error::Other);
}

mod s3_older_impl {
    use super::*;
    s3_errors!(s3_older, throttled: s3_older::S3Error::Other);

    type Put = wasmtime::Result<Result<s3_older::PutObjectOutput, s3_older::S3Error>>;

    impl View<'_, AwsState> {
        fn older_put(
            &mut self,
            client: &Resource<S3Client>,
            request: s3_older::PutObjectRequest,
            options: PutOptions,
        ) -> Put {
            Ok(self
                .s3_put(
                    client,
                    request.bucket,
                    request.key,
                    Bytes::from(request.body),
                    options,
                )?
                .map(|output| s3_older::PutObjectOutput {
                    expiration: output.expiration,
                    etag: Some(output.etag),
                    version_id: output.version_id,
                })
                .map_err(to_error))
        }
    }

    impl s3_older::Host for View<'_, AwsState> {}

    impl s3_older::HostClient for View<'_, AwsState> {
        fn new(
            &mut self,
            provider: Resource<CredentialsProvider>,
        ) -> wasmtime::Result<Resource<S3Client>> {
            self.client(&provider, |session| S3Client { session })
        }

        fn put(&mut self, client: Resource<S3Client>, request: s3_older::PutObjectRequest) -> Put {
            self.older_put(&client, request, PutOptions::default())
        }

        fn get(
            &mut self,
            client: Resource<S3Client>,
            request: s3_older::GetObjectRequest,
        ) -> wasmtime::Result<Result<s3_older::GetObjectOutput, s3_older::S3Error>> {
            Ok(self
                .s3_get(&client, request.bucket, request.key)?
                .map(|object| s3_older::GetObjectOutput {
                    etag: object.as_ref().map(|o| o.etag.clone()),
                    version_id: object.as_ref().and_then(|o| o.version_id.clone()),
                    body: object.map(|o| o.body),
                    expiration: None,
                })
                .map_err(to_error))
        }

        fn put_extended(
            &mut self,
            client: Resource<S3Client>,
            request: s3_older::PutObjectRequest,
            options: s3_older::ObjectOptions,
        ) -> Put {
            let options = PutOptions {
                content_type: options.content_type,
                content_encoding: options.content_encoding,
                metadata: Vec::new(),
            };
            self.older_put(&client, request, options)
        }

        fn get_extended(
            &mut self,
            client: Resource<S3Client>,
            request: s3_older::GetObjectRequest,
            _options: s3_older::ObjectOptions,
        ) -> wasmtime::Result<Result<s3_older::GetObjectOutputExtended, s3_older::S3Error>>
        {
            Ok(self
                .s3_get(&client, request.bucket, request.key)?
                .map(|object| s3_older::GetObjectOutputExtended {
                    etag: object.as_ref().map(|o| o.etag.clone()),
                    content_type: object.as_ref().map(|o| o.content_type.clone()),
                    version_id: object.as_ref().and_then(|o| o.version_id.clone()),
                    body: object.map(|o| o.body),
                    expiration: None,
                })
                .map_err(to_error))
        }

        fn drop(&mut self, client: Resource<S3Client>) -> wasmtime::Result<()> {
            self.drop_resource(client)
        }
    }
}

// ---- aws-secrets ---------------------------------------------------------------------------------------

macro_rules! secrets_generation {
    ($wit:ident) => {
        fn to_error(error: AwsError) -> $wit::SecretsError {
            let message = error.wire_message();
            match error.kind {
                AwsErrorKind::NotFound => $wit::SecretsError::NotFound,
                AwsErrorKind::Unauthorized => $wit::SecretsError::Unauthorized(message),
                AwsErrorKind::Malformed => $wit::SecretsError::Malformed(message),
                _ => $wit::SecretsError::Other(message),
            }
        }

        impl $wit::Host for View<'_, AwsState> {}

        impl $wit::HostClient for View<'_, AwsState> {
            fn new(
                &mut self,
                provider: Resource<CredentialsProvider>,
            ) -> wasmtime::Result<Resource<SecretsClient>> {
                self.client(&provider, |session| SecretsClient { session })
            }

            fn get_secret_value(
                &mut self,
                client: Resource<SecretsClient>,
                request: $wit::GetSecretValueRequest,
            ) -> wasmtime::Result<Result<$wit::GetSecretValueResponse, $wit::SecretsError>> {
                let selector = Selector {
                    secret_id: request.secret_id,
                    version_id: request.version_id,
                    version_stage: request.version_stage,
                };
                Ok(self
                    .secret(&client, selector, request.allowed_staleness_seconds)?
                    .map(|found| $wit::GetSecretValueResponse {
                        arn: found.arn,
                        created_date_epoch_seconds: found.version.created_epoch_seconds,
                        name: found.name,
                        secret: match found.version.value {
                            Secret::Text(text) => $wit::SecretValue::SecretString(text),
                            Secret::Binary(bytes) => $wit::SecretValue::SecretBytes(bytes),
                        },
                        version_id: found.version.version_id,
                        version_stages: found.version.stages,
                    })
                    .map_err(to_error))
            }

            fn drop(&mut self, client: Resource<SecretsClient>) -> wasmtime::Result<()> {
                self.drop_resource(client)
            }
        }
    };
}

mod secrets_current_impl {
    use super::*;
    secrets_generation!(secrets_current);
}

mod secrets_older_impl {
    use super::*;
    secrets_generation!(secrets_older);
}

// ---- aws-lambda (older generation) ---------------------------------------------------------------------

impl lambda_older::Host for View<'_, AwsState> {}

impl lambda_older::HostClient for View<'_, AwsState> {
    fn new(
        &mut self,
        provider: Resource<CredentialsProvider>,
    ) -> wasmtime::Result<Resource<LambdaClient>> {
        self.client(&provider, |session| LambdaClient { session })
    }

    fn invoke(
        &mut self,
        client: Resource<LambdaClient>,
        request: lambda_older::InvokeRequest,
    ) -> wasmtime::Result<Result<lambda_older::InvokeOutput, lambda_older::LambdaError>> {
        use super::lambda::{InvocationType, InvokeRequest};
        self.inv.host_call("momento:aws-lambda")?;
        let session = self.session_of(&client)?;
        let invocation_type = match request.invocation_type {
            lambda_older::InvocationType::RequestResponse(parameters) => {
                InvocationType::RequestResponse {
                    log_tail: parameters.log_type.is_some(),
                    client_context: parameters.client_context,
                }
            }
            lambda_older::InvocationType::Event => InvocationType::Event,
            lambda_older::InvocationType::DryRun => InvocationType::DryRun,
        };
        let request = InvokeRequest {
            function_name: request.function_name,
            qualifier: request.qualifier,
            payload: request.payload,
            invocation_type,
        };
        Ok(
            super::lambda::invoke(self.service, &session, request, &self.inv.id)
                .map(|output| lambda_older::InvokeOutput {
                    status_code: output.status_code,
                    payload: output.payload,
                    log_result: output.log_result,
                    executed_version: output.executed_version,
                })
                .map_err(|error| {
                    let message = error.wire_message();
                    match error.kind {
                        AwsErrorKind::Unauthorized => {
                            lambda_older::LambdaError::Unauthorized(message)
                        }
                        AwsErrorKind::Malformed => lambda_older::LambdaError::Malformed(message),
                        _ => lambda_older::LambdaError::Other(message),
                    }
                }),
        )
    }

    fn drop(&mut self, client: Resource<LambdaClient>) -> wasmtime::Result<()> {
        self.drop_resource(client)
    }
}
