//! The store through its JSON protocol: seeds, every operation, and the errors a request can get.

use super::*;
use serde_json::json;

/// `readings`: partition `sensor` (S), sort `t` (N); `blobs`: partition `id` (B), no sort key; `users`:
/// partition `id` (S).
fn store() -> DdbStore {
    let mut readings =
        DynamoDbTable::new("readings", "sensor", KeyType::S).sort_key("t", KeyType::N);
    for t in ["-5", "0", "2", "10", "10.5", "100"] {
        readings =
            readings.item(json!({"sensor": "a", "t": t.parse::<f64>().expect("number"), "v": t}));
    }
    readings = readings.item(json!({"sensor": "b", "t": 1}));
    let blobs = DynamoDbTable::new("blobs", "id", KeyType::B)
        .typed_item(json!({"id": {"B": "AQI="}, "size": {"N": "2"}}));
    let users = DynamoDbTable::new("users", "id", KeyType::S)
        .item(json!({"id": "u1", "name": "Ada", "age": 36, "tags": ["x"]}));
    DdbStore::new(&[readings, blobs, users]).expect("valid seeds")
}

fn run(ddb: &DdbStore, operation: &str, request: Value) -> Value {
    ddb.execute(operation, &request)
        .unwrap_or_else(|e| panic!("{operation} failed: {e}"))
}

fn fail(ddb: &DdbStore, operation: &str, request: Value) -> AwsError {
    match ddb.execute(operation, &request) {
        Ok(answer) => panic!("{operation} succeeded: {answer}"),
        Err(e) => e,
    }
}

fn query(ddb: &DdbStore, extra: Value) -> Value {
    let mut request = json!({
        "TableName": "readings",
        "KeyConditionExpression": "sensor = :s",
        "ExpressionAttributeValues": {":s": {"S": "a"}},
    });
    for (k, v) in extra.as_object().expect("object") {
        if k == "ExpressionAttributeValues" {
            for (vk, vv) in v.as_object().expect("values") {
                request[k][vk] = vv.clone();
            }
        } else {
            request[k] = v.clone();
        }
    }
    run(ddb, "Query", request)
}

fn ts(answer: &Value) -> Vec<String> {
    answer["Items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["t"]["N"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn get_item_with_projection_and_capacity() {
    let ddb = store();
    let found = run(
        &ddb,
        "GetItem",
        json!({"TableName": "users", "Key": {"id": {"S": "u1"}}}),
    );
    assert_eq!(found["Item"]["name"], json!({"S": "Ada"}));
    let projected = run(
        &ddb,
        "GetItem",
        json!({"TableName": "users", "Key": {"id": {"S": "u1"}},
               "ProjectionExpression": "#n, tags[0]", "ExpressionAttributeNames": {"#n": "name"},
               "ConsistentRead": true, "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(
        projected,
        json!({"Item": {"name": {"S": "Ada"}, "tags": {"L": [{"S": "x"}]}},
               "ConsumedCapacity": {"TableName": "users", "CapacityUnits": 1.0, "ReadCapacityUnits": 1.0}})
    );
    let missing = run(
        &ddb,
        "GetItem",
        json!({"TableName": "users", "Key": {"id": {"S": "nobody"}}, "ReturnConsumedCapacity": "INDEXES"}),
    );
    assert_eq!(missing["Item"], Value::Null);
    assert_eq!(missing["ConsumedCapacity"]["CapacityUnits"], json!(0.5));
    assert_eq!(
        missing["ConsumedCapacity"]["Table"]["CapacityUnits"],
        json!(0.5)
    );
    assert_eq!(
        fail(
            &ddb,
            "GetItem",
            json!({"TableName": "users", "Key": {"id": {"S": "u1"}}, "ProjectionExpression": "name"})
        )
        .message,
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name"
    );
    assert_eq!(
        fail(
            &ddb,
            "GetItem",
            json!({"TableName": "users", "Key": {"id": {"S": "u1"}}, "ExpressionAttributeNames": {"#n": "name"}})
        )
        .message,
        "ExpressionAttributeNames can only be specified when using expressions"
    );
}

#[test]
fn number_keys_normalize() {
    let ddb = store();
    // `10.0` is the key `10`.
    let found = run(
        &ddb,
        "GetItem",
        json!({"TableName": "readings", "Key": {"sensor": {"S": "a"}, "t": {"N": "10.0"}}}),
    );
    assert_eq!(found["Item"]["v"], json!({"S": "10"}));
}

#[test]
fn keys_must_match_the_schema_exactly() {
    let ddb = store();
    let mismatch = "The provided key element does not match the schema";
    for key in [
        json!({"sensor": {"S": "a"}}),
        json!({"sensor": {"S": "a"}, "t": {"N": "1"}, "extra": {"S": "x"}}),
        json!({"sensor": {"S": "a"}, "t": {"S": "1"}}),
        json!({"other": {"S": "a"}, "t": {"N": "1"}}),
        json!({"sensor": {"BOOL": true}, "t": {"N": "1"}}),
    ] {
        let error = fail(
            &ddb,
            "GetItem",
            json!({"TableName": "readings", "Key": key}),
        );
        assert_eq!(error.message, mismatch);
        assert_eq!(error.code, "ValidationException");
    }
    assert_eq!(
        fail(
            &ddb,
            "GetItem",
            json!({"TableName": "readings", "Key": {"sensor": {"S": "a"}, "t": {"N": "x"}}})
        )
        .message,
        "A value provided cannot be converted into a number"
    );
    let empty = fail(
        &ddb,
        "GetItem",
        json!({"TableName": "blobs", "Key": {"id": {"B": ""}}}),
    );
    assert!(
        empty
            .message
            .contains("cannot contain an empty binary value. Key: id")
    );
    let binary = run(
        &ddb,
        "GetItem",
        json!({"TableName": "blobs", "Key": {"id": {"B": "AQI="}}}),
    );
    assert_eq!(binary["Item"]["size"], json!({"N": "2"}));
    assert!(
        fail(&ddb, "GetItem", json!({"TableName": "x", "Key": {}}))
            .message
            .contains("Member must have length greater than or equal to 3")
    );
    let missing = fail(&ddb, "GetItem", json!({"TableName": "nope", "Key": {}}));
    assert_eq!(
        (
            missing.kind,
            missing.code.as_str(),
            missing.message.as_str()
        ),
        (
            AwsErrorKind::NotFound,
            "ResourceNotFoundException",
            "Requested resource not found: Table: nope not found"
        )
    );
}

#[test]
fn put_item_with_conditions_and_old_values() {
    let ddb = store();
    let item = json!({"sensor": {"S": "c"}, "t": {"N": "1"}, "version": {"N": "1"}});
    let create = json!({"TableName": "readings", "Item": item,
                        "ConditionExpression": "attribute_not_exists(t)"});
    assert_eq!(run(&ddb, "PutItem", create.clone()), json!({}));
    let again = fail(&ddb, "PutItem", create);
    assert_eq!(
        (again.kind, again.code.as_str(), again.message.as_str()),
        (
            AwsErrorKind::ConditionFailed,
            "ConditionalCheckFailedException",
            "The conditional request failed"
        )
    );
    // Numbers compare by value: 1.0 equals the stored 1.
    let v2 = json!({"sensor": {"S": "c"}, "t": {"N": "1"}, "version": {"N": "2"}});
    let replaced = run(
        &ddb,
        "PutItem",
        json!({"TableName": "readings", "Item": v2, "ConditionExpression": "#v = :old",
               "ExpressionAttributeNames": {"#v": "version"},
               "ExpressionAttributeValues": {":old": {"N": "1.0"}}, "ReturnValues": "ALL_OLD"}),
    );
    assert_eq!(replaced["Attributes"]["version"], json!({"N": "1"}));
    let stale = fail(
        &ddb,
        "PutItem",
        json!({"TableName": "readings", "Item": v2, "ConditionExpression": "version = :old",
               "ExpressionAttributeValues": {":old": {"N": "1"}}}),
    );
    assert_eq!(stale.kind, AwsErrorKind::ConditionFailed);
    assert_eq!(
        ddb.item_plain("readings", &json!({"sensor": "c", "t": 1})),
        Some(json!({"sensor": "c", "t": 1, "version": 2}))
    );
    let unused = fail(
        &ddb,
        "PutItem",
        json!({"TableName": "readings", "Item": v2, "ConditionExpression": "attribute_exists(t)",
               "ExpressionAttributeValues": {":old": {"N": "1"}}}),
    );
    assert_eq!(
        unused.message,
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:old}"
    );
    let no_expression = fail(
        &ddb,
        "PutItem",
        json!({"TableName": "readings", "Item": v2, "ExpressionAttributeValues": {":old": {"N": "1"}}}),
    );
    assert_eq!(
        no_expression.message,
        "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"
    );
    assert_eq!(
        fail(
            &ddb,
            "PutItem",
            json!({"TableName": "readings", "Item": v2, "ReturnValues": "ALL_NEW"})
        )
        .message,
        "Return values set to invalid value"
    );
    assert!(
        fail(
            &ddb,
            "PutItem",
            json!({"TableName": "readings", "Item": v2, "Expected": {"t": {"Exists": false}}})
        )
        .message
        .contains("use ConditionExpression instead of the legacy parameter Expected")
    );
}

#[test]
fn items_are_validated_on_put() {
    let ddb = store();
    let error = |item: Value| {
        fail(
            &ddb,
            "PutItem",
            json!({"TableName": "readings", "Item": item}),
        )
    };
    assert_eq!(
        error(json!({"sensor": {"S": "a"}})).message,
        "One or more parameter values were invalid: Missing the key t in the item"
    );
    assert_eq!(
        error(json!({"sensor": {"N": "1"}, "t": {"N": "1"}})).message,
        "One or more parameter values were invalid: Type mismatch for key sensor expected: S actual: N"
    );
    assert!(
        error(json!({"sensor": {"S": "a"}, "t": {"N": "1"}, "s": {"SS": []}}))
            .message
            .contains("may not be empty")
    );
    let big =
        json!({"sensor": {"S": "a"}, "t": {"N": "1"}, "blob": {"S": "x".repeat(MAX_ITEM_BYTES)}});
    assert_eq!(
        error(big).message,
        "Item size has exceeded the maximum allowed size"
    );
    let long_key = json!({"sensor": {"S": "k".repeat(2049)}, "t": {"N": "1"}});
    assert!(
        error(long_key)
            .message
            .contains("maximum size limit of 2048 bytes")
    );
    assert_eq!(error(json!([1])).code, "SerializationException");
    assert_eq!(
        fail(&ddb, "PutItem", json!({"TableName": "readings"})).message,
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn delete_item_with_conditions() {
    let ddb = store();
    let key = json!({"sensor": {"S": "b"}, "t": {"N": "1"}});
    assert_eq!(
        fail(
            &ddb,
            "DeleteItem",
            json!({"TableName": "readings", "Key": key, "ConditionExpression": "attribute_not_exists(t)"})
        )
        .kind,
        AwsErrorKind::ConditionFailed
    );
    let deleted = run(
        &ddb,
        "DeleteItem",
        json!({"TableName": "readings", "Key": key, "ConditionExpression": "attribute_exists(t)",
               "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(
        deleted["Attributes"],
        json!({"sensor": {"S": "b"}, "t": {"N": "1"}})
    );
    assert_eq!(
        deleted["ConsumedCapacity"]["WriteCapacityUnits"],
        json!(1.0)
    );
    assert_eq!(
        ddb.item_plain("readings", &json!({"sensor": "b", "t": 1})),
        None
    );
    // Deleting what is not there succeeds, with nothing to return.
    assert_eq!(
        run(
            &ddb,
            "DeleteItem",
            json!({"TableName": "readings", "Key": key, "ReturnValues": "ALL_OLD"})
        ),
        json!({})
    );
}

#[test]
fn update_item_creates_updates_and_returns() {
    let ddb = store();
    let key = json!({"id": {"S": "u2"}});
    let created = run(
        &ddb,
        "UpdateItem",
        json!({"TableName": "users", "Key": key,
               "UpdateExpression": "SET visits = if_not_exists(visits, :zero) + :one, #n = :name",
               "ExpressionAttributeNames": {"#n": "name"},
               "ExpressionAttributeValues": {":zero": {"N": "0"}, ":one": {"N": "1"}, ":name": {"S": "Grace"}},
               "ReturnValues": "ALL_NEW"}),
    );
    assert_eq!(
        created["Attributes"],
        json!({"id": {"S": "u2"}, "visits": {"N": "1"}, "name": {"S": "Grace"}})
    );
    let again = run(
        &ddb,
        "UpdateItem",
        json!({"TableName": "users", "Key": key,
               "UpdateExpression": "ADD visits :one REMOVE #n",
               "ConditionExpression": "visits = :one",
               "ExpressionAttributeNames": {"#n": "name"},
               "ExpressionAttributeValues": {":one": {"N": "1"}},
               "ReturnValues": "UPDATED_OLD"}),
    );
    assert_eq!(
        again["Attributes"],
        json!({"visits": {"N": "1"}, "name": {"S": "Grace"}})
    );
    let updated_new = run(
        &ddb,
        "UpdateItem",
        json!({"TableName": "users", "Key": key, "UpdateExpression": "SET visits = visits + :one",
               "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValues": "UPDATED_NEW"}),
    );
    assert_eq!(updated_new["Attributes"], json!({"visits": {"N": "3"}}));
    assert_eq!(
        ddb.item_plain("users", &json!({"id": "u2"})),
        Some(json!({"id": "u2", "visits": 3}))
    );
    let condition = fail(
        &ddb,
        "UpdateItem",
        json!({"TableName": "users", "Key": key, "UpdateExpression": "SET visits = :one",
               "ConditionExpression": "attribute_not_exists(id)",
               "ExpressionAttributeValues": {":one": {"N": "1"}}}),
    );
    assert_eq!(condition.kind, AwsErrorKind::ConditionFailed);
    let key_update = fail(
        &ddb,
        "UpdateItem",
        json!({"TableName": "users", "Key": key, "UpdateExpression": "SET id = :one",
               "ExpressionAttributeValues": {":one": {"S": "x"}}}),
    );
    assert_eq!(
        key_update.message,
        "One or more parameter values were invalid: Cannot update attribute id. This attribute is part of the key"
    );
    // Without an update expression, UpdateItem still creates the item from its key.
    assert_eq!(
        run(
            &ddb,
            "UpdateItem",
            json!({"TableName": "users", "Key": {"id": {"S": "u3"}}, "ReturnValues": "ALL_NEW"})
        ),
        json!({"Attributes": {"id": {"S": "u3"}}})
    );
    assert_eq!(
        fail(
            &ddb,
            "UpdateItem",
            json!({"TableName": "users", "Key": key, "UpdateExpression": "SET big = :b",
                   "ExpressionAttributeValues": {":b": {"S": "x".repeat(MAX_ITEM_BYTES)}}})
        )
        .message,
        "Item size to update has exceeded the maximum allowed size"
    );
}

#[test]
fn query_orders_by_sort_key_and_narrows() {
    let ddb = store();
    let all = query(&ddb, json!({}));
    assert_eq!(ts(&all), ["-5", "0", "2", "10", "10.5", "100"]);
    assert_eq!(
        (all["Count"].clone(), all["ScannedCount"].clone()),
        (json!(6), json!(6))
    );
    assert!(all.get("LastEvaluatedKey").is_none());
    let between = query(
        &ddb,
        json!({"KeyConditionExpression": "sensor = :s AND t BETWEEN :lo AND :hi",
               "ExpressionAttributeValues": {":lo": {"N": "1.0"}, ":hi": {"N": "1E+1"}}}),
    );
    assert_eq!(ts(&between), ["2", "10"]);
    let backwards = query(
        &ddb,
        json!({"KeyConditionExpression": "t < :z AND sensor = :s",
               "ExpressionAttributeValues": {":z": {"N": "2"}}, "ScanIndexForward": false}),
    );
    assert_eq!(ts(&backwards), ["0", "-5"]);
    for (condition, expected) in [
        ("t = :x", vec!["10"]),
        ("t <= :x", vec!["-5", "0", "2", "10"]),
        ("t > :x", vec!["10.5", "100"]),
        ("t >= :x", vec!["10", "10.5", "100"]),
    ] {
        let answer = query(
            &ddb,
            json!({"KeyConditionExpression": format!("sensor = :s and {condition}"),
                   "ExpressionAttributeValues": {":x": {"N": "10"}}}),
        );
        assert_eq!(ts(&answer), expected, "{condition}");
    }
}

#[test]
fn query_filters_projects_and_counts() {
    let ddb = store();
    let filtered = query(
        &ddb,
        json!({"FilterExpression": "begins_with(v, :one)", "ProjectionExpression": "v",
               "ExpressionAttributeValues": {":one": {"S": "1"}}}),
    );
    assert_eq!(
        filtered["Items"],
        json!([{"v": {"S": "10"}}, {"v": {"S": "10.5"}}, {"v": {"S": "100"}}])
    );
    assert_eq!(
        (filtered["Count"].clone(), filtered["ScannedCount"].clone()),
        (json!(3), json!(6))
    );
    let counted = query(&ddb, json!({"Select": "COUNT"}));
    assert_eq!(counted, json!({"Count": 6, "ScannedCount": 6}));
    let on_key = fail(
        &ddb,
        "Query",
        json!({"TableName": "readings", "KeyConditionExpression": "sensor = :s",
               "FilterExpression": "t > :s", "ExpressionAttributeValues": {":s": {"S": "a"}}}),
    );
    assert_eq!(
        on_key.message,
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: t"
    );
}

#[test]
fn query_pages_continue_after_the_last_evaluated_key() {
    let ddb = store();
    let first = query(&ddb, json!({"Limit": 4, "ScanIndexForward": false}));
    assert_eq!(ts(&first), ["100", "10.5", "10", "2"]);
    let start = first["LastEvaluatedKey"].clone();
    assert_eq!(start, json!({"sensor": {"S": "a"}, "t": {"N": "2"}}));
    let second = query(
        &ddb,
        json!({"Limit": 4, "ScanIndexForward": false, "ExclusiveStartKey": start}),
    );
    assert_eq!(ts(&second), ["0", "-5"]);
    assert!(second.get("LastEvaluatedKey").is_none());
    // A page that ends exactly at Limit still reports its last key; the next page is empty.
    let exact = query(&ddb, json!({"Limit": 6}));
    let next = query(
        &ddb,
        json!({"ExclusiveStartKey": exact["LastEvaluatedKey"].clone()}),
    );
    assert_eq!((ts(&next).len(), next.get("LastEvaluatedKey")), (0, None));
    let outside = fail(
        &ddb,
        "Query",
        json!({"TableName": "readings", "KeyConditionExpression": "sensor = :s",
               "ExpressionAttributeValues": {":s": {"S": "a"}},
               "ExclusiveStartKey": {"sensor": {"S": "b"}, "t": {"N": "1"}}}),
    );
    assert!(outside.message.contains("outside query boundaries"));
    let partial = fail(
        &ddb,
        "Query",
        json!({"TableName": "readings", "KeyConditionExpression": "sensor = :s",
               "ExpressionAttributeValues": {":s": {"S": "a"}},
               "ExclusiveStartKey": {"sensor": {"S": "a"}}}),
    );
    assert_eq!(
        partial.message,
        "The provided starting key is invalid: The provided key element does not match the schema"
    );
    assert_eq!(
        fail(
            &ddb,
            "Query",
            json!({"TableName": "readings", "KeyConditionExpression": "sensor = :s",
                   "ExpressionAttributeValues": {":s": {"S": "a"}}, "Limit": 0})
        )
        .message,
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
}

#[test]
fn query_pages_stop_at_one_megabyte() {
    let mut table = DynamoDbTable::new("big", "p", KeyType::S).sort_key("s", KeyType::N);
    for s in 0..5 {
        table = table.item(json!({"p": "x", "s": s, "blob": "b".repeat(300 * 1024)}));
    }
    let ddb = DdbStore::new(&[table]).expect("valid");
    let page = run(
        &ddb,
        "Query",
        json!({"TableName": "big", "KeyConditionExpression": "p = :p",
               "ExpressionAttributeValues": {":p": {"S": "x"}}, "ProjectionExpression": "s"}),
    );
    // 4 × 300 KB reach 1 MB: the page ends after the fourth item.
    assert_eq!(page["Count"], json!(4));
    assert_eq!(page["LastEvaluatedKey"]["s"], json!({"N": "3"}));
}

#[test]
fn key_conditions_validated_like_dynamodb() {
    let ddb = store();
    let error = |condition: &str, values: Value| {
        fail(
            &ddb,
            "Query",
            json!({"TableName": "readings", "KeyConditionExpression": condition,
                   "ExpressionAttributeValues": values}),
        )
        .message
    };
    let s = json!({":s": {"S": "a"}});
    assert_eq!(
        error("t = :n", json!({":n": {"N": "1"}})),
        "Query condition missed key schema element: sensor"
    );
    assert_eq!(
        error("sensor = :n", json!({":n": {"N": "1"}})),
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    );
    assert_eq!(
        error(
            "sensor = :s AND begins_with(t, :n)",
            json!({":s": {"S": "a"}, ":n": {"S": "1"}})
        ),
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    );
    assert_eq!(
        error(
            "sensor = :s AND begins_with(t, :n)",
            json!({":s": {"S": "a"}, ":n": {"N": "1"}})
        ),
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"
    );
    assert_eq!(
        error("sensor = :s OR sensor = :s", s.clone()),
        "Invalid operator used in KeyConditionExpression: OR"
    );
    assert_eq!(
        error("sensor = :s AND attribute_exists(t)", s.clone()),
        "Invalid operator used in KeyConditionExpression: attribute_exists"
    );
    assert_eq!(
        error("sensor = :s AND x = :s", s.clone()),
        "Query key condition not supported"
    );
    assert_eq!(
        error("sensor = :s AND sensor = :s", s.clone()),
        "KeyConditionExpressions must only contain one condition per key"
    );
    assert_eq!(
        error("sensor > :s", s.clone()),
        "Query key condition not supported"
    );
    assert_eq!(
        error(
            "sensor = :s AND t BETWEEN :hi AND :lo",
            json!({":s": {"S": "a"}, ":hi": {"N": "5"}, ":lo": {"N": "1"}})
        ),
        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"
    );
    assert_eq!(
        fail(&ddb, "Query", json!({"TableName": "readings"})).message,
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
    );
    assert_eq!(
        fail(
            &ddb,
            "Query",
            json!({"TableName": "readings", "KeyConditionExpression": "sensor = :s",
                   "ExpressionAttributeValues": s, "IndexName": "by_v"})
        )
        .message,
        "The table does not have the specified index: by_v"
    );
}

#[test]
fn unknown_operations_and_http_exchanges() {
    let ddb = store();
    let unknown = fail(&ddb, "Scan", json!({"TableName": "readings"}));
    assert_eq!(unknown.code, "UnknownOperationException");
    let (status, body) = ddb.handle_http(
        Some("DynamoDB_20120810.GetItem"),
        br#"{"TableName": "users", "Key": {"id": {"S": "u1"}}}"#,
    );
    assert_eq!(
        (status, body["Item"]["age"].clone()),
        (200, json!({"N": "36"}))
    );
    let (status, body) = ddb.handle_http(
        Some("DynamoDB_20120810.PutItem"),
        br#"{"TableName": "users", "Item": {"id": {"S": "u1"}}, "ConditionExpression": "attribute_not_exists(id)"}"#,
    );
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
               "message": "The conditional request failed"})
    );
    let (status, body) = ddb.handle_http(Some("DynamoDB_20120810.GetItem"), b"{not json");
    assert_eq!(status, 400);
    assert_eq!(
        body["__type"],
        json!("com.amazon.coral.service#SerializationException")
    );
    let (_, body) = ddb.handle_http(None, b"{}");
    assert_eq!(
        body["__type"],
        json!("com.amazon.coral.service#UnknownOperationException")
    );
    let (_, body) = ddb.handle_http(Some("DynamoDB_20120810.GetItem"), b"{}");
    assert_eq!(
        body["__type"],
        json!("com.amazon.coral.validate#ValidationException")
    );
    let internal = AwsError::new(AwsErrorKind::Other, "InternalServerError", "boom");
    assert_eq!(internal.dynamodb_status(), 500);
    let throttled = AwsError::new(
        AwsErrorKind::Throttled,
        "ThrottlingException",
        "Rate exceeded",
    );
    assert_eq!(throttled.dynamodb_status(), 400);
    assert_eq!(
        throttled.dynamodb_body()["__type"],
        json!("com.amazon.coral.availability#ThrottlingException")
    );
}

#[test]
fn seeds_are_validated_with_the_field() {
    let seed = |table: DynamoDbTable| DdbStore::new(&[table]).expect_err("invalid");
    let duplicate = seed(
        DynamoDbTable::new("users", "id", KeyType::S)
            .item(json!({"id": "a"}))
            .typed_item(json!({"id": {"S": "a"}})),
    );
    assert_eq!(duplicate.field, "table `users`.typed_items[0]");
    assert_eq!(duplicate.message, "it has the same key as items[0]");
    let same_names = seed(DynamoDbTable::new("users", "id", KeyType::S).sort_key("id", KeyType::N));
    assert_eq!(same_names.field, "table `users`.sort_key");
    let twice = DdbStore::new(&[
        DynamoDbTable::new("users", "id", KeyType::S),
        DynamoDbTable::new("users", "id", KeyType::S),
    ])
    .expect_err("twice");
    assert_eq!(twice.message, "the table is declared twice");
    assert!(validate_table(&DynamoDbTable::new("ok_table", "id", KeyType::S)).is_ok());
    assert_eq!(
        validate_table(&DynamoDbTable::new("ok_table", "", KeyType::S))
            .expect_err("no name")
            .field,
        "partition_key"
    );
}

#[test]
fn inspection_by_plain_key() {
    let ddb = store();
    assert_eq!(
        ddb.item_plain("readings", &json!({"sensor": "b", "t": 1})),
        Some(json!({"sensor": "b", "t": 1}))
    );
    assert_eq!(
        ddb.item_plain("readings", &json!({"sensor": "b", "t": "1"})),
        Some(json!({"sensor": "b", "t": 1}))
    );
    assert_eq!(
        ddb.item_plain("blobs", &json!({"id": "AQI="})),
        Some(json!({"id": "AQI=", "size": 2}))
    );
    assert_eq!(ddb.item_plain("readings", &json!({"sensor": "b"})), None);
    assert_eq!(ddb.items_plain("readings").map(|i| i.len()), Some(7));
    assert_eq!(ddb.items_plain("none"), None);
}
