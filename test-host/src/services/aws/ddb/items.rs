//! The single-item operations: GetItem, PutItem, DeleteItem and UpdateItem.

use serde_json::{Map, Value};

use super::expr::{self, Cond, Env, ExprKind, Path, Update};
use super::model::{self, Attrs};
use super::request::{self, RETURN_VALUES};
use super::{
    AwsError, DdbStore, MAX_ITEM_BYTES, Table, condition_failed, consumed_capacity, read_units,
    update, validation, write_units,
};

/// A response object with `member` set to `attrs` in the wire format (unless there are none).
fn with_attributes(mut response: Map<String, Value>, member: &str, attrs: Option<&Attrs>) -> Value {
    if let Some(attrs) = attrs.filter(|a| !a.is_empty()) {
        response.insert(
            member.to_owned(),
            Value::Object(model::attrs_to_wire(attrs)),
        );
    }
    Value::Object(response)
}

/// Add `ConsumedCapacity` to a response when the request asked for it.
fn with_capacity(mut response: Value, capacity: Option<Value>) -> Value {
    if let (Some(capacity), Some(object)) = (capacity, response.as_object_mut()) {
        object.insert("ConsumedCapacity".to_owned(), capacity);
    }
    response
}

/// The `ConditionExpression` of a write, parsed against `env`.
fn condition(request: &Value, env: &mut Env) -> Result<Option<Cond>, AwsError> {
    request::string(request, "ConditionExpression")?
        .map(|src| expr::parse_condition(ExprKind::Condition, src, env))
        .transpose()
}

/// Check a write's condition against the item it would replace.
fn check(condition: Option<&Cond>, existing: Option<&Attrs>) -> Result<(), AwsError> {
    match condition {
        Some(condition) if !condition.holds(existing) => Err(condition_failed()),
        _ => Ok(()),
    }
}

/// `ReturnValuesOnConditionCheckFailure`: only `NONE` is supported.
fn check_failure_return(request: &Value) -> Result<(), AwsError> {
    match request::enumeration(
        request,
        "ReturnValuesOnConditionCheckFailure",
        &["ALL_OLD", "NONE"],
    )? {
        Some("ALL_OLD") => Err(validation(
            "The test host does not support ReturnValuesOnConditionCheckFailure ALL_OLD",
        )),
        _ => Ok(()),
    }
}

/// GetItem: `Key`, `ProjectionExpression` with `ExpressionAttributeNames`, `ConsistentRead`,
/// `ReturnConsumedCapacity`.
pub(super) fn get_item(store: &DdbStore, request: &Value) -> Result<Value, AwsError> {
    let table_name = request::table_name(request)?;
    request::reject_legacy(
        request,
        &[("AttributesToGet", "ProjectionExpression")],
        &["ProjectionExpression"],
    )?;
    let key = request::attributes(request, "Key")?;
    let consistent = request::boolean(request, "ConsistentRead")?.unwrap_or(false);
    let projection_src = request::string(request, "ProjectionExpression")?;
    let mut env = Env::from_request(
        request,
        &[(ExprKind::Projection, projection_src.is_some())],
        false,
    )?;
    let projection = projection_src
        .map(|src| expr::parse_projection(src, &mut env))
        .transpose()?;
    env.finish()?;
    store.with_table(table_name, |table| {
        let key = table.key_from_request(&key)?;
        let found = table.items.get(&key);
        let size = found.map_or(0, model::item_size);
        let capacity = consumed_capacity(request, table_name, read_units(size, consistent), false)?;
        let item = match (&projection, found) {
            (Some(paths), Some(item)) => Some(expr::project(item, paths)),
            (None, found) => found.cloned(),
            (_, None) => None,
        };
        let mut response = Map::new();
        if let Some(item) = item {
            response.insert(
                "Item".to_owned(),
                Value::Object(model::attrs_to_wire(&item)),
            );
        }
        Ok(with_capacity(Value::Object(response), capacity))
    })
}

/// PutItem: `Item`, `ConditionExpression` with its placeholders, `ReturnValues` `NONE` or `ALL_OLD`.
pub(super) fn put_item(store: &DdbStore, request: &Value) -> Result<Value, AwsError> {
    let table_name = request::table_name(request)?;
    request::reject_legacy(
        request,
        &[
            ("Expected", "ConditionExpression"),
            ("ConditionalOperator", "ConditionExpression"),
        ],
        &["ConditionExpression"],
    )?;
    let item = request::attributes(request, "Item")?;
    let returns_old = request::returns_old(request)?;
    check_failure_return(request)?;
    let mut env = write_env(request)?;
    let condition = condition(request, &mut env)?;
    env.finish()?;
    store.with_table(table_name, |table| {
        let key = table.check_item(&item)?;
        let old = table.items.get(&key);
        check(condition.as_ref(), old)?;
        let units = write_units(model::item_size(&item).max(old.map_or(0, model::item_size)));
        let capacity = consumed_capacity(request, table_name, units, true)?;
        let old = table.items.insert(key, item);
        let shown = old.as_ref().filter(|_| returns_old);
        Ok(with_capacity(
            with_attributes(Map::new(), "Attributes", shown),
            capacity,
        ))
    })
}

/// The placeholders of a write with only a `ConditionExpression`.
fn write_env(request: &Value) -> Result<Env, AwsError> {
    let has_condition = request::string(request, "ConditionExpression")?.is_some();
    Env::from_request(request, &[(ExprKind::Condition, has_condition)], true)
}

/// DeleteItem: `Key`, `ConditionExpression` with its placeholders, `ReturnValues` `NONE` or `ALL_OLD`.
pub(super) fn delete_item(store: &DdbStore, request: &Value) -> Result<Value, AwsError> {
    let table_name = request::table_name(request)?;
    request::reject_legacy(
        request,
        &[
            ("Expected", "ConditionExpression"),
            ("ConditionalOperator", "ConditionExpression"),
        ],
        &["ConditionExpression"],
    )?;
    let key = request::attributes(request, "Key")?;
    let returns_old = request::returns_old(request)?;
    check_failure_return(request)?;
    let mut env = write_env(request)?;
    let condition = condition(request, &mut env)?;
    env.finish()?;
    store.with_table(table_name, |table| {
        let key = table.key_from_request(&key)?;
        check(condition.as_ref(), table.items.get(&key))?;
        let old = table.items.remove(&key);
        let units = write_units(old.as_ref().map_or(0, model::item_size));
        let capacity = consumed_capacity(request, table_name, units, true)?;
        let shown = old.as_ref().filter(|_| returns_old);
        Ok(with_capacity(
            with_attributes(Map::new(), "Attributes", shown),
            capacity,
        ))
    })
}

/// UpdateItem: `Key`, `UpdateExpression` (SET, REMOVE, ADD, DELETE), `ConditionExpression`, their
/// placeholders, `ReturnValues` (any of DynamoDB's five).
pub(super) fn update_item(store: &DdbStore, request: &Value) -> Result<Value, AwsError> {
    let table_name = request::table_name(request)?;
    request::reject_legacy(
        request,
        &[
            ("AttributeUpdates", "UpdateExpression"),
            ("Expected", "ConditionExpression"),
            ("ConditionalOperator", "ConditionExpression"),
        ],
        &["UpdateExpression", "ConditionExpression"],
    )?;
    let key = request::attributes(request, "Key")?;
    let returns = request::enumeration(request, "ReturnValues", &RETURN_VALUES)?.unwrap_or("NONE");
    check_failure_return(request)?;
    let update_src = request::string(request, "UpdateExpression")?;
    let has_condition = request::string(request, "ConditionExpression")?.is_some();
    let mut env = Env::from_request(
        request,
        &[
            (ExprKind::Update, update_src.is_some()),
            (ExprKind::Condition, has_condition),
        ],
        true,
    )?;
    let update = update_src
        .map(|src| expr::parse_update(src, &mut env))
        .transpose()?
        .unwrap_or_default();
    let condition = condition(request, &mut env)?;
    env.finish()?;
    store.with_table(table_name, |table| {
        let key = table.key_from_request(&key)?;
        check_key_untouched(table, &update)?;
        let old = table.items.get(&key).cloned();
        check(condition.as_ref(), old.as_ref())?;
        let base = old.clone().unwrap_or_else(|| {
            table
                .key_attributes(&key)
                .into_iter()
                .map(|(name, part)| (name, part.to_attr()))
                .collect()
        });
        let new = update::apply(&update, base)?;
        if model::item_size(&new) > MAX_ITEM_BYTES {
            return Err(validation(
                "Item size to update has exceeded the maximum allowed size",
            ));
        }
        let units =
            write_units(model::item_size(&new).max(old.as_ref().map_or(0, model::item_size)));
        let capacity = consumed_capacity(request, table_name, units, true)?;
        let paths: Vec<Path> = update.paths().into_iter().cloned().collect();
        let shown = match returns {
            "ALL_OLD" => old.clone(),
            "ALL_NEW" => Some(new.clone()),
            "UPDATED_OLD" => old.as_ref().map(|o| expr::project(o, &paths)),
            "UPDATED_NEW" => Some(expr::project(&new, &paths)),
            _ => None,
        };
        table.items.insert(key, new);
        Ok(with_capacity(
            with_attributes(Map::new(), "Attributes", shown.as_ref()),
            capacity,
        ))
    })
}

/// An update may not write a key attribute.
fn check_key_untouched(table: &Table, update: &Update) -> Result<(), AwsError> {
    for path in update.paths() {
        if let Some(expr::Elem::Name(name)) = path.first()
            && table.is_key_attribute(name)
        {
            return Err(validation(format!(
                "One or more parameter values were invalid: Cannot update attribute {name}. This attribute is part of the key"
            )));
        }
    }
    Ok(())
}
