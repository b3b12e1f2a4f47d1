//! The AWS services' fixtures sections: `[aws]` (credentials, roles, `[[aws.faults]]`),
//! `[[dynamodb.tables]]`, `[[s3.buckets]]`, `[[secrets]]` and `[[lambda.functions]]`, parsed and
//! validated.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use super::ddb::{DynamoDbTable, KeyType};
use super::lambda::{LambdaFunction, LambdaFunctionError};
use super::s3::S3Bucket;
use super::secrets::Secret;
use super::{AwsErrorKind, AwsFault, AwsService};
use crate::fixtures::{Check, FixtureError};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAws {
    #[serde(default)]
    credentials: Vec<RawCredentials>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    faults: Vec<RawFault>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCredentials {
    access_key_id: String,
    secret_access_key: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFault {
    kind: AwsErrorKind,
    service: Option<AwsService>,
    operation: Option<String>,
    resource: Option<String>,
    times: Option<u32>,
    message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLambda {
    #[serde(default)]
    functions: Vec<RawLambdaFunction>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLambdaFunction {
    name: String,
    json: Option<Value>,
    body: Option<String>,
    error: Option<RawLambdaError>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    aliases: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLambdaError {
    #[serde(rename = "type")]
    error_type: Option<String>,
    message: String,
}

/// Validate `[[lambda.functions]]`: each a fixed answer (`json`, `body` or `error`).
pub(crate) fn validate_lambda(
    check: &Check<'_>,
    raw: RawLambda,
) -> Result<Vec<LambdaFunction>, FixtureError> {
    let valid_name = |name: &str| {
        !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let mut out: Vec<LambdaFunction> = Vec::new();
    for (i, raw) in raw.functions.into_iter().enumerate() {
        let field = format!("lambda.functions[{i}]");
        if !valid_name(&raw.name) {
            return Err(check.invalid(
                format!("{field}.name"),
                format!(
                    "`{}` is not a Lambda function name (1 to 64 letters, digits, `-` and `_`)",
                    raw.name
                ),
            ));
        }
        if let Some(earlier) = out.iter().position(|f| f.name() == raw.name) {
            return Err(check.invalid(
                format!("{field}.name"),
                format!(
                    "the function `{}` is already lambda.functions[{earlier}]",
                    raw.name
                ),
            ));
        }
        let answers = [
            raw.json.map(|json| Ok(json.to_string().into_bytes())),
            raw.body.map(|body| Ok(body.into_bytes())),
            raw.error.map(|error| {
                Err(LambdaFunctionError::new(
                    error.error_type.unwrap_or_else(|| "Unhandled".to_owned()),
                    error.message,
                ))
            }),
        ];
        let mut answers = answers.into_iter().flatten();
        let result = match (answers.next(), answers.next()) {
            (Some(result), None) => result,
            (None, _) => return Err(check.invalid(&field, "needs one of json, body or error")),
            (Some(_), Some(_)) => {
                return Err(check.invalid(&field, "takes only one of json, body or error"));
            }
        };
        let mut function = LambdaFunction::fixed(raw.name, result);
        for (j, version) in raw.versions.into_iter().enumerate() {
            if version.is_empty() || !version.chars().all(|c| c.is_ascii_digit()) {
                return Err(check.invalid(
                    format!("{field}.versions[{j}]"),
                    format!("`{version}` is not a version number"),
                ));
            }
            function = function.version(version);
        }
        for (alias, version) in raw.aliases {
            if !valid_name(&alias) || alias.chars().all(|c| c.is_ascii_digit()) {
                return Err(check.invalid(
                    format!("{field}.aliases.{alias}"),
                    "an alias is a name (letters, digits, `-`, `_`), not a number",
                ));
            }
            function = function.alias(alias, version);
        }
        out.push(function);
    }
    Ok(out)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDynamoDb {
    #[serde(default)]
    tables: Vec<RawTable>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    name: String,
    partition_key: RawKey,
    sort_key: Option<RawKey>,
    #[serde(default)]
    items: Vec<Value>,
    #[serde(default)]
    typed_items: Vec<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    name: String,
    #[serde(rename = "type")]
    key_type: KeyType,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawS3 {
    #[serde(default)]
    buckets: Vec<RawBucket>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBucket {
    name: String,
    #[serde(default)]
    objects: Vec<RawObject>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObject {
    key: String,
    body: Option<String>,
    body_base64: Option<String>,
    file: Option<PathBuf>,
    content_type: Option<String>,
    #[serde(default)]
    metadata: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSecret {
    name: String,
    text: Option<String>,
    binary_base64: Option<String>,
}

/// The AWS sections, validated.
#[derive(Debug, Clone, Default)]
pub(crate) struct AwsFixtures {
    pub(crate) credentials: Vec<(String, String)>,
    pub(crate) roles: Vec<String>,
    pub(crate) faults: Vec<AwsFault>,
    pub(crate) tables: Vec<DynamoDbTable>,
    pub(crate) buckets: Vec<S3Bucket>,
    pub(crate) secrets: Vec<(String, Secret)>,
}

/// Validate the AWS sections; files a bucket names are relative to `base`.
pub(crate) fn validate(
    check: &Check<'_>,
    base: &Path,
    raw: RawAws,
    dynamodb: RawDynamoDb,
    s3: RawS3,
    secrets: Vec<RawSecret>,
) -> Result<AwsFixtures, FixtureError> {
    let mut out = AwsFixtures::default();
    for (i, credentials) in raw.credentials.into_iter().enumerate() {
        if credentials.access_key_id.is_empty() || credentials.secret_access_key.is_empty() {
            return Err(check.invalid(
                format!("aws.credentials[{i}]"),
                "access_key_id and secret_access_key must not be empty",
            ));
        }
        out.credentials
            .push((credentials.access_key_id, credentials.secret_access_key));
    }
    for (i, role) in raw.roles.into_iter().enumerate() {
        if !crate::services::aws::auth::is_role_arn(&role) {
            return Err(check.invalid(
                format!("aws.roles[{i}]"),
                format!(
                    "`{role}` is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)"
                ),
            ));
        }
        out.roles.push(role);
    }
    for (i, raw) in raw.faults.into_iter().enumerate() {
        let field = format!("aws.faults[{i}]");
        let mut fault = AwsFault::new(raw.kind);
        if let Some(service) = raw.service {
            fault = fault.service(service);
        }
        if let Some(operation) = raw.operation {
            fault = fault.operation(operation);
        }
        if let Some(resource) = raw.resource {
            fault = fault.resource(resource);
        }
        if let Some(times) = raw.times {
            if times == 0 {
                return Err(check.invalid(format!("{field}.times"), "must be at least 1"));
            }
            fault = fault.times(times);
        }
        if let Some(message) = raw.message {
            fault = fault.message(message);
        }
        out.faults.push(fault);
    }

    for (i, raw) in dynamodb.tables.into_iter().enumerate() {
        let field = format!("dynamodb.tables[{i}]");
        let mut table =
            DynamoDbTable::new(raw.name, raw.partition_key.name, raw.partition_key.key_type);
        if let Some(sort) = raw.sort_key {
            table = table.sort_key(sort.name, sort.key_type);
        }
        table.items = raw.items;
        table.typed_items = raw.typed_items;
        crate::services::aws::ddb::validate_table(&table)
            .map_err(|e| FixtureError::seed(check.origin, &field, e))?;
        if let Some(first) = out.tables.iter().position(|t| t.name == table.name) {
            return Err(check.invalid(
                format!("{field}.name"),
                format!(
                    "the table `{}` is already dynamodb.tables[{first}]",
                    table.name
                ),
            ));
        }
        out.tables.push(table);
    }

    for (i, raw) in s3.buckets.into_iter().enumerate() {
        let field = format!("s3.buckets[{i}]");
        let mut bucket = S3Bucket::new(raw.name);
        for (j, object) in raw.objects.into_iter().enumerate() {
            let object_field = format!("{field}.objects[{j}]");
            let file = object.file.map(|file| {
                let path = base.join(file);
                std::fs::read(&path).map_err(|source| FixtureError::Io { path, source })
            });
            let body = check.one_body(
                &object_field,
                "body, body_base64 or file",
                vec![
                    object.body.map(|b| Ok(b.into_bytes())),
                    object
                        .body_base64
                        .map(|b| check.base64(format!("{object_field}.body_base64"), &b)),
                    file,
                ],
            )?;
            bucket = bucket.object(object.key.clone(), body, object.content_type.as_deref());
            if !object.metadata.is_empty() {
                bucket
                    .metadata
                    .push((object.key, object.metadata.into_iter().collect()));
            }
        }
        crate::services::aws::s3::validate_bucket(&bucket)
            .map_err(|e| FixtureError::seed(check.origin, &field, e))?;
        if let Some(first) = out.buckets.iter().position(|b| b.name == bucket.name) {
            return Err(check.invalid(
                format!("{field}.name"),
                format!(
                    "the bucket `{}` is already s3.buckets[{first}]",
                    bucket.name
                ),
            ));
        }
        out.buckets.push(bucket);
    }

    for (i, raw) in secrets.into_iter().enumerate() {
        let field = format!("secrets[{i}]");
        crate::services::aws::secrets::validate_secret_name(&raw.name)
            .map_err(|m| check.invalid(format!("{field}.name"), m))?;
        let value = match (raw.text, raw.binary_base64) {
            (Some(text), None) => Secret::Text(text),
            (None, Some(b64)) => {
                Secret::Binary(check.base64(format!("{field}.binary_base64"), &b64)?)
            }
            _ => return Err(check.invalid(field, "needs exactly one of text or binary_base64")),
        };
        if let Some(first) = out.secrets.iter().position(|(n, _)| *n == raw.name) {
            return Err(check.invalid(
                format!("{field}.name"),
                format!("the secret `{}` is already secrets[{first}]", raw.name),
            ));
        }
        out.secrets.push((raw.name, value));
    }

    Ok(out)
}
