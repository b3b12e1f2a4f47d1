//! Reading the members of a DynamoDB JSON request, with DynamoDB's errors: a member of the wrong JSON
//! type is a `SerializationException`, a missing or out-of-range one a `ValidationException`.

use serde_json::{Map, Value};

use super::model::{self, Attrs};
use super::{AwsError, AwsErrorKind, check_table_name, validation};

/// The JSON type a member should have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expected {
    Str,
    Bool,
    Int,
    Map,
}

/// The Java class DynamoDB's deserializer names for a JSON scalar.
fn java_class(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "java.lang.Boolean",
        Value::String(_) => "java.lang.String",
        Value::Number(n) if n.is_f64() => "java.lang.Double",
        Value::Number(n) if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()) => {
            "java.lang.Integer"
        }
        _ => "java.lang.Long",
    }
}

/// A `SerializationException` for a member of the wrong JSON type.
pub(crate) fn wrong_type(expected: Expected, found: &Value) -> AwsError {
    let message = match (found, expected) {
        (Value::Object(_), _) => "Start of structure or map found where not expected.".to_owned(),
        (Value::Array(_), _) => "Start of list found where not expected".to_owned(),
        (_, Expected::Map) => "Expected map or null".to_owned(),
        (_, Expected::Str) => format!(
            "class {} can not be converted to an String",
            java_class(found)
        ),
        (_, Expected::Bool) => format!(
            "class {} can not be converted to an Boolean",
            java_class(found)
        ),
        (_, Expected::Int) => format!(
            "class {} can not be converted to an Integer",
            java_class(found)
        ),
    };
    AwsError::new(AwsErrorKind::Malformed, "SerializationException", message)
}

/// DynamoDB's parameter names start lower case in validation messages: `tableName`.
fn lower_first(member: &str) -> String {
    let mut chars = member.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// `1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null`.
pub(crate) fn missing(member: &str) -> AwsError {
    validation(format!(
        "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
        lower_first(member)
    ))
}

/// An optional string member.
pub(crate) fn string<'a>(request: &'a Value, member: &str) -> Result<Option<&'a str>, AwsError> {
    match request.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(Expected::Str, other)),
    }
}

/// An optional boolean member.
pub(crate) fn boolean(request: &Value, member: &str) -> Result<Option<bool>, AwsError> {
    match request.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong_type(Expected::Bool, other)),
    }
}

/// An optional integer member.
pub(crate) fn integer(request: &Value, member: &str) -> Result<Option<i64>, AwsError> {
    match request.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f.floor() as i64))
            .map(Some)
            .ok_or_else(|| wrong_type(Expected::Int, &Value::Number(n.clone()))),
        Some(other) => Err(wrong_type(Expected::Int, other)),
    }
}

/// An optional object member.
pub(crate) fn object<'a>(
    request: &'a Value,
    member: &str,
) -> Result<Option<&'a Map<String, Value>>, AwsError> {
    match request.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(other) => Err(wrong_type(Expected::Map, other)),
    }
}

/// The required `TableName`, checked against DynamoDB's naming rules.
pub(crate) fn table_name(request: &Value) -> Result<&str, AwsError> {
    let name = string(request, "TableName")?.ok_or_else(|| missing("TableName"))?;
    check_table_name(name).map_err(validation)?;
    Ok(name)
}

/// A required map of attributes in the wire format (`Key`, `Item`).
pub(crate) fn attributes(request: &Value, member: &str) -> Result<Attrs, AwsError> {
    let map = object(request, member)?.ok_or_else(|| missing(member))?;
    map.iter()
        .map(|(name, value)| {
            let attr = model::Attr::from_wire(value).map_err(validation)?;
            Ok((name.clone(), attr))
        })
        .collect()
}

/// An optional enum member: one of `allowed` (DynamoDB's whole set, in its order for the message).
pub(crate) fn enumeration<'a>(
    request: &'a Value,
    member: &str,
    allowed: &[&str],
) -> Result<Option<&'a str>, AwsError> {
    let Some(value) = string(request, member)? else {
        return Ok(None);
    };
    if allowed.contains(&value) {
        return Ok(Some(value));
    }
    Err(validation(format!(
        "1 validation error detected: Value '{value}' at '{}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        lower_first(member),
        allowed.join(", ")
    )))
}

/// The `ReturnValues` DynamoDB knows, in its order for the message.
pub(crate) const RETURN_VALUES: [&str; 5] =
    ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"];

/// `ReturnValues` of PutItem and DeleteItem: `NONE` or `ALL_OLD`. Is it `ALL_OLD`?
pub(crate) fn returns_old(request: &Value) -> Result<bool, AwsError> {
    match enumeration(request, "ReturnValues", &RETURN_VALUES)? {
        None | Some("NONE") => Ok(false),
        Some("ALL_OLD") => Ok(true),
        Some(_) => Err(validation("Return values set to invalid value")),
    }
}

/// The legacy (pre-expression) parameters: the test host answers them with an error naming the
/// expression to use instead. With an expression parameter also present, DynamoDB's own error.
pub(crate) fn reject_legacy(
    request: &Value,
    legacy: &[(&str, &str)],
    expressions: &[&str],
) -> Result<(), AwsError> {
    let used: Vec<&str> = legacy
        .iter()
        .map(|(member, _)| *member)
        .filter(|m| request.get(*m).is_some_and(|v| !v.is_null()))
        .collect();
    let Some(first) = used.first() else {
        return Ok(());
    };
    let given: Vec<&str> = expressions
        .iter()
        .copied()
        .filter(|m| request.get(*m).is_some_and(|v| !v.is_null()))
        .collect();
    if !given.is_empty() {
        return Err(validation(format!(
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
            used.join(", "),
            given.join(", ")
        )));
    }
    let instead = legacy
        .iter()
        .find(|(member, _)| member == first)
        .map_or("", |(_, instead)| *instead);
    Err(validation(format!(
        "The test host supports expressions only: use {instead} instead of the legacy parameter {first}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_of_the_wrong_type_fail_to_deserialize() {
        let request =
            json!({"TableName": 5, "Limit": "x", "ConsistentRead": {}, "Key": [1], "B": true});
        let code = |e: AwsError| (e.code, e.message);
        assert_eq!(
            code(table_name(&request).expect_err("number")),
            (
                "SerializationException".into(),
                "class java.lang.Integer can not be converted to an String".into()
            )
        );
        assert_eq!(
            integer(&request, "Limit").expect_err("string").message,
            "class java.lang.String can not be converted to an Integer"
        );
        assert_eq!(
            boolean(&request, "ConsistentRead")
                .expect_err("object")
                .message,
            "Start of structure or map found where not expected."
        );
        assert_eq!(
            attributes(&request, "Key").expect_err("list").message,
            "Start of list found where not expected"
        );
        assert_eq!(
            object(&request, "B").expect_err("bool").message,
            "Expected map or null"
        );
        assert_eq!(
            integer(&json!({"Limit": 2.7}), "Limit").expect("number"),
            Some(2)
        );
    }

    #[test]
    fn required_and_enumerated_members() {
        assert_eq!(
            table_name(&json!({})).expect_err("missing").message,
            "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"
        );
        assert_eq!(
            attributes(&json!({}), "Key").expect_err("missing").message,
            "1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null"
        );
        assert_eq!(
            returns_old(&json!({"ReturnValues": "SOME"}))
                .expect_err("unknown")
                .message,
            "1 validation error detected: Value 'SOME' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
        );
        assert_eq!(
            returns_old(&json!({"ReturnValues": "ALL_NEW"}))
                .expect_err("not for puts")
                .message,
            "Return values set to invalid value"
        );
        assert!(returns_old(&json!({"ReturnValues": "ALL_OLD"})).expect("valid"));
        assert!(!returns_old(&json!({})).expect("valid"));
    }

    #[test]
    fn legacy_parameters_are_refused() {
        let legacy = [("Expected", "ConditionExpression")];
        assert!(reject_legacy(&json!({}), &legacy, &["ConditionExpression"]).is_ok());
        assert_eq!(
            reject_legacy(&json!({"Expected": {}}), &legacy, &["ConditionExpression"])
                .expect_err("legacy")
                .message,
            "The test host supports expressions only: use ConditionExpression instead of the legacy parameter Expected"
        );
        assert_eq!(
            reject_legacy(
                &json!({"Expected": {}, "ConditionExpression": "a = :a"}),
                &legacy,
                &["ConditionExpression"]
            )
            .expect_err("both")
            .message,
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"
        );
    }
}
