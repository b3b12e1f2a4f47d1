//! The in-memory DynamoDB: tables with a declared key schema, items kept in key order, requests in
//! DynamoDB's JSON protocol (what `POST https://dynamodb.{region}.amazonaws.com/` carries, with
//! `x-amz-target: DynamoDB_20120810.<Operation>`), validated like the service does, with its error codes
//! and messages.
//!
//! [`DdbStore::execute`] runs one operation: GetItem, PutItem, DeleteItem, UpdateItem and Query, with the
//! expression language of [`expr`]. [`AwsError::dynamodb_status`] and [`AwsError::dynamodb_body`] give the
//! HTTP answer of an error; [`DdbStore::handle_http`] does the whole exchange from target and body.

mod expr;
mod items;
pub(crate) mod model;
mod query;
mod request;
mod reserved;
mod update;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use serde_json::{Value, json};

pub use model::KeyType;
use model::{Attr, Attrs, KeyPart, MAX_ITEM_BYTES};

use super::{AwsError, AwsErrorKind, SeedError, lock};

/// Largest partition key value, in bytes.
const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// Largest sort key value, in bytes.
const MAX_SORT_KEY_BYTES: usize = 1024;

/// The prefix of DynamoDB's `x-amz-target` header values.
pub(crate) const TARGET_PREFIX: &str = "DynamoDB_20120810.";

/// A DynamoDB table to seed the test host with: its name, key schema and items.
///
/// Items are plain JSON (strings become `S`, numbers `N`, booleans `BOOL`, null `NULL`, arrays `L`,
/// objects `M`) or, for binary and sets, DynamoDB's typed JSON (`{"tags": {"SS": ["a", "b"]}}`). They are
/// validated when the host is built, with DynamoDB's messages (a missing key attribute, a type mismatch).
///
/// ```
/// use momento_functions_test_host::aws::{DynamoDbTable, KeyType};
/// use serde_json::json;
///
/// let users = DynamoDbTable::new("users", "user_id", KeyType::S)
///     .item(json!({"user_id": "u1", "name": "Ada", "age": 36}))
///     .typed_item(json!({"user_id": {"S": "u2"}, "roles": {"SS": ["admin", "dev"]}}));
/// let orders = DynamoDbTable::new("orders", "customer_id", KeyType::S).sort_key("order_no", KeyType::N);
/// # let _ = (users, orders);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DynamoDbTable {
    pub(crate) name: String,
    pub(crate) partition_key: (String, KeyType),
    pub(crate) sort_key: Option<(String, KeyType)>,
    pub(crate) items: Vec<Value>,
    pub(crate) typed_items: Vec<Value>,
}

impl DynamoDbTable {
    /// A table whose partition key is the attribute `partition_key` of type `key_type`.
    pub fn new(
        name: impl Into<String>,
        partition_key: impl Into<String>,
        key_type: KeyType,
    ) -> Self {
        DynamoDbTable {
            name: name.into(),
            partition_key: (partition_key.into(), key_type),
            sort_key: None,
            items: Vec::new(),
            typed_items: Vec::new(),
        }
    }

    /// Add a sort key: the table's primary key becomes (partition key, sort key).
    pub fn sort_key(mut self, name: impl Into<String>, key_type: KeyType) -> Self {
        self.sort_key = Some((name.into(), key_type));
        self
    }

    /// Add an item written as plain JSON.
    pub fn item(mut self, item: Value) -> Self {
        self.items.push(item);
        self
    }

    /// Add an item written in DynamoDB's typed JSON (`{"id": {"S": "a"}, "n": {"N": "1"}}`).
    pub fn typed_item(mut self, item: Value) -> Self {
        self.typed_items.push(item);
        self
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A table's primary key: partition key and, with a sort key, the sort key.
type ItemKey = (KeyPart, Option<KeyPart>);

/// Validate one seeded table; the error's field is relative to it (`items[1]`).
pub(crate) fn validate_table(seed: &DynamoDbTable) -> Result<(), SeedError> {
    Table::from_seed(seed).map(drop)
}

fn validation(message: impl Into<String>) -> AwsError {
    AwsError::new(AwsErrorKind::Malformed, "ValidationException", message)
}

fn table_not_found(table: &str) -> AwsError {
    AwsError::new(
        AwsErrorKind::NotFound,
        "ResourceNotFoundException",
        format!("Requested resource not found: Table: {table} not found"),
    )
}

fn condition_failed() -> AwsError {
    AwsError::new(
        AwsErrorKind::ConditionFailed,
        "ConditionalCheckFailedException",
        "The conditional request failed",
    )
}

fn schema_mismatch() -> AwsError {
    validation("The provided key element does not match the schema")
}

fn empty_key(name: &str, part: &KeyPart) -> AwsError {
    let what = if part.key_type() == KeyType::B {
        "binary"
    } else {
        "string"
    };
    validation(format!(
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot \
         contain an empty {what} value. Key: {name}"
    ))
}

/// DynamoDB's table name rules: 3 to 255 characters of `a-z A-Z 0-9 _ - .`.
fn check_table_name(name: &str) -> Result<(), String> {
    let prefix = format!(
        "1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: "
    );
    if name.len() < 3 {
        return Err(format!(
            "{prefix}Member must have length greater than or equal to 3"
        ));
    }
    if name.len() > 255 {
        return Err(format!(
            "{prefix}Member must have length less than or equal to 255"
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return Err(format!(
            "{prefix}Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        ));
    }
    Ok(())
}

/// One table: its key schema and items in key order.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    partition: (String, KeyType),
    sort: Option<(String, KeyType)>,
    items: BTreeMap<ItemKey, Attrs>,
}

impl Table {
    fn schema(&self) -> impl Iterator<Item = &(String, KeyType)> {
        std::iter::once(&self.partition).chain(self.sort.as_ref())
    }

    /// The key of a request (GetItem, DeleteItem, UpdateItem, `ExclusiveStartKey`): exactly the
    /// schema's attributes with its types.
    fn key_from_request(&self, key: &Attrs) -> Result<ItemKey, AwsError> {
        if key.len() != self.schema().count() {
            return Err(schema_mismatch());
        }
        let take = |(name, key_type): &(String, KeyType)| {
            let part = key
                .get(name)
                .and_then(KeyPart::from_attr)
                .filter(|p| p.key_type() == *key_type)
                .ok_or_else(schema_mismatch)?;
            if part.is_empty() {
                return Err(empty_key(name, &part));
            }
            Ok(part)
        };
        let partition = take(&self.partition)?;
        let sort = self.sort.as_ref().map(take).transpose()?;
        Ok((partition, sort))
    }

    /// Is `name` one of the key attributes?
    fn is_key_attribute(&self, name: &str) -> bool {
        self.schema().any(|(n, _)| n == name)
    }

    /// The key of an item (PutItem): every key attribute present, with the schema's type.
    fn key_of_item(&self, item: &Attrs) -> Result<ItemKey, AwsError> {
        let take = |(name, key_type): &(String, KeyType), limit: usize| {
            let attr = item.get(name).ok_or_else(|| {
                validation(format!(
                    "One or more parameter values were invalid: Missing the key {name} in the item"
                ))
            })?;
            let part = KeyPart::from_attr(attr)
                .filter(|p| p.key_type() == *key_type)
                .ok_or_else(|| {
                    validation(format!(
                        "One or more parameter values were invalid: Type mismatch for key {name} expected: {} actual: {}",
                        key_type.name(),
                        attr.type_name()
                    ))
                })?;
            if part.is_empty() {
                return Err(empty_key(name, &part));
            }
            if part.size() > limit {
                return Err(validation(format!(
                    "One or more parameter values were invalid: Size of key {name} has exceeded the maximum size limit of {limit} bytes"
                )));
            }
            Ok(part)
        };
        let partition = take(&self.partition, MAX_PARTITION_KEY_BYTES)?;
        let sort = self
            .sort
            .as_ref()
            .map(|s| take(s, MAX_SORT_KEY_BYTES))
            .transpose()?;
        Ok((partition, sort))
    }

    fn key_attributes(&self, key: &ItemKey) -> Vec<(String, KeyPart)> {
        let mut parts = vec![(self.partition.0.clone(), key.0.clone())];
        if let (Some((name, _)), Some(sort)) = (&self.sort, &key.1) {
            parts.push((name.clone(), sort.clone()));
        }
        parts
    }

    fn check_item(&self, item: &Attrs) -> Result<ItemKey, AwsError> {
        let key = self.key_of_item(item)?;
        if model::item_size(item) > MAX_ITEM_BYTES {
            return Err(validation(
                "Item size has exceeded the maximum allowed size",
            ));
        }
        Ok(key)
    }

    fn from_seed(seed: &DynamoDbTable) -> Result<Table, SeedError> {
        let error = |field: &str, message: String| SeedError {
            field: field.to_owned(),
            message,
        };
        check_table_name(&seed.name).map_err(|m| error("name", m))?;
        if seed.partition_key.0.is_empty() {
            return Err(error(
                "partition_key",
                "the key attribute needs a name".into(),
            ));
        }
        if let Some((sort, _)) = &seed.sort_key {
            if sort.is_empty() {
                return Err(error("sort_key", "the key attribute needs a name".into()));
            }
            if *sort == seed.partition_key.0 {
                return Err(error(
                    "sort_key",
                    format!("`{sort}` is already the partition key"),
                ));
            }
        }
        let mut table = Table {
            partition: seed.partition_key.clone(),
            sort: seed.sort_key.clone(),
            items: BTreeMap::new(),
        };
        let mut origins: HashMap<ItemKey, String> = HashMap::new();
        let plain = seed
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("items[{i}]"), model::attrs_from_plain(item)));
        let typed = seed
            .typed_items
            .iter()
            .enumerate()
            .map(|(i, item)| (format!("typed_items[{i}]"), model::attrs_from_wire(item)));
        for (field, item) in plain.chain(typed) {
            let item = item.map_err(|m| error(&field, m))?;
            let key = table
                .check_item(&item)
                .map_err(|e| error(&field, e.message))?;
            if let Some(first) = origins.get(&key) {
                return Err(error(&field, format!("it has the same key as {first}")));
            }
            origins.insert(key.clone(), field);
            table.items.insert(key, item);
        }
        Ok(table)
    }
}

/// The in-memory DynamoDB of one host.
#[derive(Debug, Default)]
pub(crate) struct DdbStore {
    tables: Mutex<HashMap<String, Table>>,
}

impl DdbStore {
    /// Validate the seeded tables; the error names the table and field (`table `users`.items[1]`).
    pub(crate) fn new(seeds: &[DynamoDbTable]) -> Result<DdbStore, SeedError> {
        let mut tables = HashMap::new();
        for seed in seeds {
            let table = Table::from_seed(seed).map_err(|e| SeedError {
                field: format!("table `{}`.{}", seed.name, e.field),
                message: e.message,
            })?;
            if tables.insert(seed.name.clone(), table).is_some() {
                return Err(SeedError {
                    field: format!("table `{}`", seed.name),
                    message: "the table is declared twice".into(),
                });
            }
        }
        Ok(DdbStore {
            tables: Mutex::new(tables),
        })
    }

    /// Run one operation: `operation` is the `x-amz-target` suffix (`GetItem`), `request` and the answer
    /// are DynamoDB's JSON bodies.
    pub(crate) fn execute(&self, operation: &str, request: &Value) -> Result<Value, AwsError> {
        if !request.is_object() {
            return Err(request::wrong_type(request::Expected::Map, request));
        }
        match operation {
            "GetItem" => items::get_item(self, request),
            "PutItem" => items::put_item(self, request),
            "DeleteItem" => items::delete_item(self, request),
            "UpdateItem" => items::update_item(self, request),
            "Query" => query::query(self, request),
            _ => Err(unknown_operation(operation)),
        }
    }

    /// One HTTP exchange: the `x-amz-target` header (if any) and the body, answered with the status and
    /// the JSON body (content type `application/x-amz-json-1.0`).
    pub(crate) fn handle_http(&self, target: Option<&str>, body: &[u8]) -> (u16, Value) {
        let result = match target.and_then(|t| t.strip_prefix(TARGET_PREFIX)) {
            None => Err(unknown_operation(target.unwrap_or_default())),
            Some(operation) => match serde_json::from_slice::<Value>(body) {
                Ok(request) => self.execute(operation, &request),
                Err(e) => Err(AwsError::new(
                    AwsErrorKind::Malformed,
                    "SerializationException",
                    format!("The request body is not JSON: {e}"),
                )),
            },
        };
        match result {
            Ok(answer) => (200, answer),
            Err(error) => (error.dynamodb_status(), error.dynamodb_body()),
        }
    }

    /// Run `run` on the table `name` (checked against DynamoDB's naming rules first).
    fn with_table<T>(
        &self,
        name: &str,
        run: impl FnOnce(&mut Table) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        check_table_name(name).map_err(validation)?;
        let mut tables = lock(&self.tables);
        let table = tables.get_mut(name).ok_or_else(|| table_not_found(name))?;
        run(table)
    }

    /// An item as plain JSON, by a key written as plain JSON (`{"user_id": "u1"}`).
    pub(crate) fn item_plain(&self, table: &str, key: &Value) -> Option<Value> {
        let tables = lock(&self.tables);
        let table = tables.get(table)?;
        let key = model::attrs_from_plain(key).ok()?;
        let part = |(name, key_type): &(String, KeyType)| -> Option<KeyPart> {
            match (key.get(name)?, key_type) {
                (Attr::S(s), KeyType::B) => {
                    KeyPart::from_attr(&Attr::from_wire(&json!({"B": s})).ok()?)
                }
                (Attr::S(s), KeyType::N) => Some(KeyPart::N(model::Decimal::parse(s).ok()?)),
                (attr, _) => KeyPart::from_attr(attr).filter(|p| p.key_type() == *key_type),
            }
        };
        let partition = part(&table.partition)?;
        let sort = match &table.sort {
            Some(sort) => Some(part(sort)?),
            None => None,
        };
        let item_key = (partition, sort);
        table
            .items
            .get(&item_key)
            .map(|item| Value::Object(model::attrs_to_plain(item)))
    }

    /// Every item of a table as plain JSON, in key order; `None` when there is no such table.
    pub(crate) fn items_plain(&self, table: &str) -> Option<Vec<Value>> {
        let tables = lock(&self.tables);
        Some(
            tables
                .get(table)?
                .items
                .values()
                .map(|item| Value::Object(model::attrs_to_plain(item)))
                .collect(),
        )
    }
}

fn unknown_operation(operation: &str) -> AwsError {
    AwsError::new(
        AwsErrorKind::Malformed,
        "UnknownOperationException",
        format!("The operation is not supported by the test host's DynamoDB: {operation}"),
    )
}

impl AwsError {
    /// The HTTP status DynamoDB answers this error with: 500 for internal errors, 503 when unavailable,
    /// 400 for the rest (throttling included).
    pub(crate) fn dynamodb_status(&self) -> u16 {
        match self.code.as_str() {
            "ServiceUnavailable" => 503,
            "InternalServerError" | "InternalFailure" => 500,
            _ if self.kind == AwsErrorKind::Other => 500,
            _ => 400,
        }
    }

    /// The JSON body DynamoDB answers this error with: `{"__type": "<namespace>#<Code>", "message": …}`,
    /// where the namespace is the one DynamoDB's front end uses for the code (validation, the service
    /// framework's own errors, throttling, or DynamoDB's).
    pub(crate) fn dynamodb_body(&self) -> Value {
        let namespace = match self.code.as_str() {
            "ValidationException" => "com.amazon.coral.validate",
            "SerializationException"
            | "UnknownOperationException"
            | "AccessDeniedException"
            | "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "MissingAuthenticationTokenException"
            | "IncompleteSignatureException"
            | "ExpiredTokenException" => "com.amazon.coral.service",
            "ThrottlingException" => "com.amazon.coral.availability",
            _ => "com.amazonaws.dynamodb.v20120810",
        };
        json!({"__type": format!("{namespace}#{}", self.code), "message": self.message})
    }
}

/// Capacity units of a read of `bytes`: 4 KB units, halved for eventually consistent reads.
fn read_units(bytes: usize, consistent: bool) -> f64 {
    let units = bytes.div_ceil(4096).max(1) as f64;
    if consistent { units } else { units / 2.0 }
}

/// Capacity units of a write of `bytes`: 1 KB units.
fn write_units(bytes: usize) -> f64 {
    bytes.div_ceil(1024).max(1) as f64
}

/// The `ConsumedCapacity` member, as `ReturnConsumedCapacity` asks (`NONE`, `TOTAL`, `INDEXES`).
fn consumed_capacity(
    request: &Value,
    table: &str,
    units: f64,
    write: bool,
) -> Result<Option<Value>, AwsError> {
    let mode = request::enumeration(
        request,
        "ReturnConsumedCapacity",
        &["INDEXES", "TOTAL", "NONE"],
    )?;
    let kind = if write {
        "WriteCapacityUnits"
    } else {
        "ReadCapacityUnits"
    };
    Ok(match mode {
        None | Some("NONE") => None,
        Some(mode) => {
            let mut capacity = json!({"TableName": table, "CapacityUnits": units, kind: units});
            if mode == "INDEXES" {
                capacity["Table"] = json!({"CapacityUnits": units, kind: units});
            }
            Some(capacity)
        }
    })
}

#[cfg(test)]
mod tests;
