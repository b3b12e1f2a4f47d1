//! The `aws-ddb` interface: an in-memory DynamoDB. Tables have a declared key schema; requests are
//! validated like the service does (with its error codes and messages); items are kept in key order.

mod model;

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wasmtime::component::Resource;

pub use model::KeyType;
use model::{Attr, Attrs, KeyPart, MAX_ITEM_BYTES};

use super::aws::{AwsError, AwsErrorKind, AwsService, AwsSession, SeedError, lock};
use crate::bindings::host::aws_ddb::{
    Condition, DdbError, Host, HostClient, KeyAttribute, KeyValue, QueryOutput, QueryRequest,
    SortKeyCondition,
};
use crate::state::HostState;

/// Most bytes of items one query page reads, as DynamoDB's 1 MB page.
const MAX_PAGE_BYTES: usize = 1 << 20;
/// Largest partition key value, in bytes.
const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// Largest sort key value, in bytes.
const MAX_SORT_KEY_BYTES: usize = 1024;

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

/// A write condition, parsed.
#[derive(Debug, Clone)]
enum Cond {
    Exists(String),
    NotExists(String),
    Equals(String, Attr),
}

impl Cond {
    fn parse(condition: Condition) -> Result<Cond, AwsError> {
        let name = |name: String| {
            if name.is_empty() {
                Err(validation(
                    "Invalid ConditionExpression: An attribute name in the condition is empty",
                ))
            } else {
                Ok(name)
            }
        };
        Ok(match condition {
            Condition::AttributeExists(n) => Cond::Exists(name(n)?),
            Condition::AttributeNotExists(n) => Cond::NotExists(name(n)?),
            Condition::Equals((n, value)) => {
                let value: Value = serde_json::from_str(&value).map_err(|e| {
                    validation(format!(
                        "Invalid ConditionExpression: the value is not JSON: {e}"
                    ))
                })?;
                let value = Attr::from_wire(&value).map_err(validation)?;
                Cond::Equals(name(n)?, value)
            }
        })
    }

    fn describe(condition: &Condition) -> Value {
        match condition {
            Condition::AttributeExists(n) => json!(format!("attribute_exists({n})")),
            Condition::AttributeNotExists(n) => json!(format!("attribute_not_exists({n})")),
            Condition::Equals((n, value)) => {
                let shown = serde_json::from_str::<Value>(value)
                    .ok()
                    .and_then(|v| Attr::from_wire(&v).ok())
                    .map_or_else(|| value.clone(), |a| a.to_plain().to_string());
                json!(format!("{n} = {shown}"))
            }
        }
    }

    fn holds(&self, existing: Option<&Attrs>) -> bool {
        match self {
            Cond::Exists(name) => existing.is_some_and(|item| item.contains_key(name)),
            Cond::NotExists(name) => existing.is_none_or(|item| !item.contains_key(name)),
            Cond::Equals(name, value) => existing.and_then(|item| item.get(name)) == Some(value),
        }
    }
}

/// A query, parsed.
struct ParsedQuery {
    partition: (String, KeyPart),
    sort: Option<SortCond>,
    limit: Option<u32>,
    start: Option<Vec<(String, KeyPart)>>,
    forward: bool,
}

#[derive(Debug, Clone, Copy)]
enum SortOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
    BeginsWith,
}

enum SortCond {
    Cmp(SortOp, String, KeyPart),
    Between(String, KeyPart, KeyPart),
}

impl SortCond {
    fn name(&self) -> &str {
        match self {
            SortCond::Cmp(_, name, _) | SortCond::Between(name, _, _) => name,
        }
    }

    fn matches(&self, sort: &KeyPart) -> bool {
        match self {
            SortCond::Cmp(SortOp::Eq, _, v) => sort == v,
            SortCond::Cmp(SortOp::Lt, _, v) => sort < v,
            SortCond::Cmp(SortOp::Le, _, v) => sort <= v,
            SortCond::Cmp(SortOp::Gt, _, v) => sort > v,
            SortCond::Cmp(SortOp::Ge, _, v) => sort >= v,
            SortCond::Cmp(SortOp::BeginsWith, _, v) => sort.begins_with(v),
            SortCond::Between(_, low, high) => low <= sort && sort <= high,
        }
    }
}

fn key_part(value: KeyValue) -> Result<KeyPart, AwsError> {
    Ok(match value {
        KeyValue::S(s) => KeyPart::S(s),
        KeyValue::N(n) => KeyPart::N(model::Decimal::parse(&n).map_err(validation)?),
        KeyValue::B(b) => KeyPart::B(b),
    })
}

fn key_parts(key: Vec<KeyAttribute>) -> Result<Vec<(String, KeyPart)>, AwsError> {
    key.into_iter()
        .map(|a| Ok((a.name, key_part(a.value)?)))
        .collect()
}

fn key_value_plain(value: &KeyValue) -> Value {
    match value {
        KeyValue::S(s) => json!(s),
        KeyValue::N(n) => model::Decimal::parse(n)
            .map(|d| Attr::N(d).to_plain())
            .unwrap_or_else(|_| json!(n)),
        KeyValue::B(b) => Attr::B(b.clone()).to_plain(),
    }
}

/// A key as plain JSON, for recorded calls.
fn key_plain(key: &[KeyAttribute]) -> Value {
    Value::Object(
        key.iter()
            .map(|a| (a.name.clone(), key_value_plain(&a.value)))
            .collect(),
    )
}

fn to_wit_key(parts: Vec<(String, KeyPart)>) -> Vec<KeyAttribute> {
    parts
        .into_iter()
        .map(|(name, part)| KeyAttribute {
            name,
            value: match part {
                KeyPart::S(s) => KeyValue::S(s),
                KeyPart::N(n) => KeyValue::N(n.to_string()),
                KeyPart::B(b) => KeyValue::B(b),
            },
        })
        .collect()
}

impl Table {
    fn schema(&self) -> impl Iterator<Item = &(String, KeyType)> {
        std::iter::once(&self.partition).chain(self.sort.as_ref())
    }

    /// The key of a request (GetItem, DeleteItem): exactly the schema's attributes with its types.
    fn key_from_request(&self, key: Vec<(String, KeyPart)>) -> Result<ItemKey, AwsError> {
        if key.len() != self.schema().count() {
            return Err(schema_mismatch());
        }
        let mut by_name: HashMap<String, KeyPart> = key.into_iter().collect();
        let mut take = |(name, key_type): &(String, KeyType)| {
            let part = by_name.remove(name).ok_or_else(schema_mismatch)?;
            if part.key_type() != *key_type {
                return Err(schema_mismatch());
            }
            if part.is_empty() {
                return Err(empty_key(name, &part));
            }
            Ok(part)
        };
        let partition = take(&self.partition)?;
        let sort = self.sort.as_ref().map(&mut take).transpose()?;
        Ok((partition, sort))
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

    fn get_item(&self, table: &str, key: Vec<KeyAttribute>) -> Result<Option<String>, AwsError> {
        let key = key_parts(key)?;
        self.with_table(table, |table| {
            let key = table.key_from_request(key)?;
            Ok(table
                .items
                .get(&key)
                .map(|item| Value::Object(model::attrs_to_wire(item)).to_string()))
        })
    }

    fn put_item(
        &self,
        table: &str,
        item: &str,
        condition: Option<Condition>,
    ) -> Result<(), AwsError> {
        let item: Value = serde_json::from_str(item).map_err(|e| {
            AwsError::new(
                AwsErrorKind::Malformed,
                "SerializationException",
                format!("the item is not JSON: {e}"),
            )
        })?;
        let item = model::attrs_from_wire(&item).map_err(validation)?;
        let condition = condition.map(Cond::parse).transpose()?;
        self.with_table(table, |table| {
            let key = table.check_item(&item)?;
            if let Some(condition) = &condition
                && !condition.holds(table.items.get(&key))
            {
                return Err(condition_failed());
            }
            table.items.insert(key, item);
            Ok(())
        })
    }

    fn delete_item(
        &self,
        table: &str,
        key: Vec<KeyAttribute>,
        condition: Option<Condition>,
    ) -> Result<(), AwsError> {
        let key = key_parts(key)?;
        let condition = condition.map(Cond::parse).transpose()?;
        self.with_table(table, |table| {
            let key = table.key_from_request(key)?;
            if let Some(condition) = &condition
                && !condition.holds(table.items.get(&key))
            {
                return Err(condition_failed());
            }
            table.items.remove(&key);
            Ok(())
        })
    }

    fn query(&self, request: QueryRequest) -> Result<QueryOutput, AwsError> {
        let sort = |name: String, value: KeyValue, op: SortOp| {
            Ok::<_, AwsError>(SortCond::Cmp(op, name, key_part(value)?))
        };
        let query = ParsedQuery {
            partition: (
                request.partition_key.name,
                key_part(request.partition_key.value)?,
            ),
            sort: match request.sort_key_condition {
                None => None,
                Some(SortKeyCondition::Equals(a)) => Some(sort(a.name, a.value, SortOp::Eq)?),
                Some(SortKeyCondition::LessThan(a)) => Some(sort(a.name, a.value, SortOp::Lt)?),
                Some(SortKeyCondition::LessThanOrEqual(a)) => {
                    Some(sort(a.name, a.value, SortOp::Le)?)
                }
                Some(SortKeyCondition::GreaterThan(a)) => Some(sort(a.name, a.value, SortOp::Gt)?),
                Some(SortKeyCondition::GreaterThanOrEqual(a)) => {
                    Some(sort(a.name, a.value, SortOp::Ge)?)
                }
                Some(SortKeyCondition::BeginsWith(a)) => {
                    Some(sort(a.name, a.value, SortOp::BeginsWith)?)
                }
                Some(SortKeyCondition::Between((low, high))) => {
                    if low.name != high.name {
                        return Err(validation("Query key condition not supported"));
                    }
                    Some(SortCond::Between(
                        low.name,
                        key_part(low.value)?,
                        key_part(high.value)?,
                    ))
                }
            },
            limit: request.limit,
            start: request.exclusive_start_key.map(key_parts).transpose()?,
            forward: request.scan_forward,
        };
        self.with_table(&request.table_name, |table| run_query(table, query))
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

fn run_query(table: &Table, query: ParsedQuery) -> Result<QueryOutput, AwsError> {
    if query.limit == Some(0) {
        return Err(validation(
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: \
             Member must have value greater than or equal to 1",
        ));
    }
    let type_mismatch = || {
        validation(
            "One or more parameter values were invalid: Condition parameter type does not match schema type",
        )
    };
    let (name, partition) = query.partition;
    if name != table.partition.0 {
        return Err(validation(format!(
            "Query condition missed key schema element: {}",
            table.partition.0
        )));
    }
    if partition.key_type() != table.partition.1 {
        return Err(type_mismatch());
    }
    if partition.is_empty() {
        return Err(empty_key(&name, &partition));
    }
    if let Some(sort) = &query.sort {
        let Some((sort_name, sort_type)) = &table.sort else {
            return Err(validation("Query key condition not supported"));
        };
        if sort.name() != sort_name {
            return Err(validation("Query key condition not supported"));
        }
        match sort {
            SortCond::Cmp(op, _, value) => {
                if value.key_type() != *sort_type {
                    return Err(type_mismatch());
                }
                if matches!(op, SortOp::BeginsWith) && *sort_type == KeyType::N {
                    return Err(validation(
                        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; \
                         operator or function: begins_with, operand type: N",
                    ));
                }
            }
            SortCond::Between(_, low, high) => {
                if low.key_type() != *sort_type || high.key_type() != *sort_type {
                    return Err(type_mismatch());
                }
                if low > high {
                    return Err(validation(format!(
                        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be \
                         greater than or equal to lower bound; lower bound operand: AttributeValue: {low}, \
                         upper bound operand: AttributeValue: {high}"
                    )));
                }
            }
        }
    }
    let start = match query.start {
        None => None,
        Some(start) => {
            let key = table.key_from_request(start).map_err(|e| {
                validation(format!(
                    "The provided starting key is invalid: {}",
                    e.message
                ))
            })?;
            if key.0 != partition {
                return Err(validation(
                    "The provided starting key is outside query boundaries based on provided conditions",
                ));
            }
            Some(key)
        }
    };
    let in_partition = table
        .items
        .range((Bound::Included((partition.clone(), None)), Bound::Unbounded))
        .take_while(|((p, _), _)| *p == partition)
        .filter(|((_, sort), _)| match (&query.sort, sort) {
            (Some(condition), Some(sort)) => condition.matches(sort),
            _ => true,
        });
    let mut selected: Vec<(&ItemKey, &Attrs)> = in_partition.collect();
    if !query.forward {
        selected.reverse();
    }
    if let Some(start) = &start {
        selected.retain(|(key, _)| {
            if query.forward {
                *key > start
            } else {
                *key < start
            }
        });
    }
    let limit = query.limit.map_or(usize::MAX, |l| l as usize);
    let mut items = Vec::new();
    let mut bytes = 0;
    let mut last = None;
    for (key, item) in selected {
        if items.len() == limit || bytes >= MAX_PAGE_BYTES {
            break;
        }
        bytes += model::item_size(item);
        items.push(Value::Object(model::attrs_to_wire(item)).to_string());
        last = Some(key);
    }
    let stopped = items.len() == limit || bytes >= MAX_PAGE_BYTES;
    Ok(QueryOutput {
        items,
        last_evaluated_key: last
            .filter(|_| stopped)
            .map(|key| to_wit_key(table.key_attributes(key))),
    })
}

fn to_wit(error: AwsError) -> DdbError {
    let message = error.wire_message();
    match error.kind {
        AwsErrorKind::NotFound => DdbError::NotFound(message),
        AwsErrorKind::ConditionFailed => DdbError::ConditionFailed(message),
        AwsErrorKind::Unauthorized => DdbError::Unauthorized(message),
        AwsErrorKind::Malformed => DdbError::Malformed(message),
        AwsErrorKind::Throttled => DdbError::Throttled(message),
        AwsErrorKind::Other => DdbError::Other(message),
    }
}

/// The `client` resource of `aws-ddb`.
#[derive(Debug)]
#[allow(
    unreachable_pub,
    reason = "bindgen re-exports resource types with `pub use`"
)]
pub struct DdbClient {
    session: Arc<AwsSession>,
}

impl HostState {
    fn ddb_session(&mut self, client: &Resource<DdbClient>) -> wasmtime::Result<Arc<AwsSession>> {
        self.host_call("aws-ddb")?;
        Ok(Arc::clone(&self.table().get(client)?.session))
    }

    fn ddb_call<T>(
        &self,
        session: &AwsSession,
        operation: &'static str,
        table: &str,
        params: Value,
        run: impl FnOnce(&DdbStore) -> Result<T, AwsError>,
    ) -> Result<T, DdbError> {
        let aws = &self.services.aws;
        let info = session.call_info(
            AwsService::DynamoDb,
            operation,
            table,
            params,
            &self.invocation_id,
        );
        aws.call(session, info, || run(&aws.ddb)).map_err(to_wit)
    }
}

impl Host for HostState {}

impl HostClient for HostState {
    fn new(
        &mut self,
        provider: Resource<crate::services::aws::CredentialsProvider>,
    ) -> wasmtime::Result<Resource<DdbClient>> {
        self.host_call("aws-ddb")?;
        let session = Arc::clone(&self.table().get(&provider)?.session);
        Ok(self.table().push(DdbClient { session })?)
    }

    fn get_item(
        &mut self,
        client: Resource<DdbClient>,
        table_name: String,
        key: Vec<KeyAttribute>,
    ) -> wasmtime::Result<Result<Option<String>, DdbError>> {
        let session = self.ddb_session(&client)?;
        let params = json!({"key": key_plain(&key)});
        Ok(
            self.ddb_call(&session, "GetItem", &table_name, params, |ddb| {
                ddb.get_item(&table_name, key)
            }),
        )
    }

    fn put_item(
        &mut self,
        client: Resource<DdbClient>,
        table_name: String,
        item: String,
        condition: Option<Condition>,
    ) -> wasmtime::Result<Result<(), DdbError>> {
        let session = self.ddb_session(&client)?;
        let plain = serde_json::from_str::<Value>(&item)
            .ok()
            .and_then(|v| model::attrs_from_wire(&v).ok())
            .map_or_else(|| json!(item), |a| Value::Object(model::attrs_to_plain(&a)));
        let mut params = json!({"item": plain});
        if let Some(condition) = &condition {
            params["condition"] = Cond::describe(condition);
        }
        Ok(
            self.ddb_call(&session, "PutItem", &table_name, params, |ddb| {
                ddb.put_item(&table_name, &item, condition)
            }),
        )
    }

    fn delete_item(
        &mut self,
        client: Resource<DdbClient>,
        table_name: String,
        key: Vec<KeyAttribute>,
        condition: Option<Condition>,
    ) -> wasmtime::Result<Result<(), DdbError>> {
        let session = self.ddb_session(&client)?;
        let mut params = json!({"key": key_plain(&key)});
        if let Some(condition) = &condition {
            params["condition"] = Cond::describe(condition);
        }
        Ok(
            self.ddb_call(&session, "DeleteItem", &table_name, params, |ddb| {
                ddb.delete_item(&table_name, key, condition)
            }),
        )
    }

    fn query(
        &mut self,
        client: Resource<DdbClient>,
        request: QueryRequest,
    ) -> wasmtime::Result<Result<QueryOutput, DdbError>> {
        let session = self.ddb_session(&client)?;
        let table_name = request.table_name.clone();
        let params = describe_query(&request);
        Ok(
            self.ddb_call(&session, "Query", &table_name, params, |ddb| {
                ddb.query(request)
            }),
        )
    }

    fn drop(&mut self, client: Resource<DdbClient>) -> wasmtime::Result<()> {
        self.table().delete(client)?;
        Ok(())
    }
}

/// A query's parameters as plain JSON, for recorded calls.
fn describe_query(request: &QueryRequest) -> Value {
    let show = |a: &KeyAttribute| key_value_plain(&a.value).to_string();
    let condition = request.sort_key_condition.as_ref().map(|c| match c {
        SortKeyCondition::Equals(a) => format!("{} = {}", a.name, show(a)),
        SortKeyCondition::LessThan(a) => format!("{} < {}", a.name, show(a)),
        SortKeyCondition::LessThanOrEqual(a) => format!("{} <= {}", a.name, show(a)),
        SortKeyCondition::GreaterThan(a) => format!("{} > {}", a.name, show(a)),
        SortKeyCondition::GreaterThanOrEqual(a) => format!("{} >= {}", a.name, show(a)),
        SortKeyCondition::BeginsWith(a) => format!("begins_with({}, {})", a.name, show(a)),
        SortKeyCondition::Between((low, high)) => {
            format!("{} BETWEEN {} AND {}", low.name, show(low), show(high))
        }
    });
    json!({
        "partition_key": key_plain(std::slice::from_ref(&request.partition_key)),
        "sort_key_condition": condition,
        "limit": request.limit,
        "exclusive_start_key": request.exclusive_start_key.as_deref().map(key_plain),
        "scan_forward": request.scan_forward,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &str, value: &str) -> KeyAttribute {
        KeyAttribute {
            name: name.into(),
            value: KeyValue::S(value.into()),
        }
    }

    fn n(name: &str, value: &str) -> KeyAttribute {
        KeyAttribute {
            name: name.into(),
            value: KeyValue::N(value.into()),
        }
    }

    /// `readings`: partition `sensor` (S), sort `t` (N); `blobs`: partition `id` (B), no sort key.
    fn store() -> DdbStore {
        let mut readings =
            DynamoDbTable::new("readings", "sensor", KeyType::S).sort_key("t", KeyType::N);
        for t in ["-5", "0", "2", "10", "10.5", "100"] {
            readings = readings
                .item(json!({"sensor": "a", "t": t.parse::<f64>().expect("number"), "v": t}));
        }
        readings = readings.item(json!({"sensor": "b", "t": 1}));
        let blobs = DynamoDbTable::new("blobs", "id", KeyType::B)
            .typed_item(json!({"id": {"B": "AQI="}, "size": {"N": "2"}}));
        DdbStore::new(&[readings, blobs]).expect("valid seeds")
    }

    fn query(sort: Option<SortKeyCondition>, limit: Option<u32>, forward: bool) -> QueryRequest {
        QueryRequest {
            table_name: "readings".into(),
            partition_key: s("sensor", "a"),
            sort_key_condition: sort,
            limit,
            exclusive_start_key: None,
            scan_forward: forward,
        }
    }

    fn ts(output: &QueryOutput) -> Vec<String> {
        output
            .items
            .iter()
            .map(|item| {
                let item: Value = serde_json::from_str(item).expect("wire JSON");
                item["t"]["N"].as_str().unwrap_or_default().to_owned()
            })
            .collect()
    }

    fn code(error: AwsError) -> (AwsErrorKind, String) {
        (error.kind, error.message)
    }

    #[test]
    fn number_sort_keys_order_by_value_and_normalize() {
        let ddb = store();
        let all = ddb.query(query(None, None, true)).expect("query");
        assert_eq!(ts(&all), ["-5", "0", "2", "10", "10.5", "100"]);
        let between = ddb
            .query(query(
                Some(SortKeyCondition::Between((n("t", "1.0"), n("t", "1E+1")))),
                None,
                true,
            ))
            .expect("query");
        assert_eq!(ts(&between), ["2", "10"]);
        // `10.0` is the key `10`.
        let found = ddb
            .get_item("readings", vec![s("sensor", "a"), n("t", "10.0")])
            .expect("get");
        assert!(found.is_some_and(|item| item.contains(r#""v":{"S":"10"}"#)));
        let lt = ddb
            .query(query(
                Some(SortKeyCondition::LessThan(n("t", "0"))),
                None,
                false,
            ))
            .expect("query");
        assert_eq!(ts(&lt), ["-5"]);
    }

    #[test]
    fn pages_continue_after_the_last_evaluated_key() {
        let ddb = store();
        let first = ddb.query(query(None, Some(4), false)).expect("query");
        assert_eq!(ts(&first), ["100", "10.5", "10", "2"]);
        let start = first.last_evaluated_key.expect("more");
        assert_eq!(key_plain(&start), json!({"sensor": "a", "t": 2}));
        let mut next = query(None, Some(4), false);
        next.exclusive_start_key = Some(start);
        let second = ddb.query(next).expect("query");
        assert_eq!(ts(&second), ["0", "-5"]);
        assert!(second.last_evaluated_key.is_none());

        let mut outside = query(None, None, true);
        outside.exclusive_start_key = Some(vec![s("sensor", "b"), n("t", "1")]);
        assert!(
            ddb.query(outside)
                .expect_err("other partition")
                .message
                .contains("outside query boundaries")
        );
        let mut invalid = query(None, None, true);
        invalid.exclusive_start_key = Some(vec![s("sensor", "a")]);
        assert_eq!(
            ddb.query(invalid).expect_err("partial key").message,
            "The provided starting key is invalid: The provided key element does not match the schema"
        );
    }

    #[test]
    fn query_validation_like_dynamodb() {
        let ddb = store();
        let mut wrong_partition = query(None, None, true);
        wrong_partition.partition_key = s("device", "a");
        assert_eq!(
            code(ddb.query(wrong_partition).expect_err("invalid")),
            (
                AwsErrorKind::Malformed,
                "Query condition missed key schema element: sensor".into()
            )
        );
        let mut mistyped = query(None, None, true);
        mistyped.partition_key = n("sensor", "1");
        assert!(
            ddb.query(mistyped)
                .expect_err("invalid")
                .message
                .contains("Condition parameter type does not match schema type")
        );
        let begins = ddb
            .query(query(
                Some(SortKeyCondition::BeginsWith(n("t", "1"))),
                None,
                true,
            ))
            .expect_err("begins_with on N");
        assert!(
            begins
                .message
                .contains("operator or function: begins_with, operand type: N")
        );
        let other_attribute = ddb
            .query(query(
                Some(SortKeyCondition::Equals(n("x", "1"))),
                None,
                true,
            ))
            .expect_err("not the sort key");
        assert_eq!(other_attribute.message, "Query key condition not supported");
        let mistyped_sort = ddb
            .query(query(
                Some(SortKeyCondition::GreaterThan(s("t", "1"))),
                None,
                true,
            ))
            .expect_err("S for N");
        assert!(mistyped_sort.message.contains("does not match schema type"));
        let no_sort_key = ddb
            .query(QueryRequest {
                table_name: "blobs".into(),
                partition_key: KeyAttribute {
                    name: "id".into(),
                    value: KeyValue::B(vec![1, 2]),
                },
                sort_key_condition: Some(SortKeyCondition::Equals(n("t", "1"))),
                limit: None,
                exclusive_start_key: None,
                scan_forward: true,
            })
            .expect_err("no sort key");
        assert_eq!(no_sort_key.message, "Query key condition not supported");
        let mut missing = query(None, None, true);
        missing.table_name = "nope".into();
        assert_eq!(
            ddb.query(missing).expect_err("missing").kind,
            AwsErrorKind::NotFound
        );
    }

    #[test]
    fn keys_must_match_the_schema_exactly() {
        let ddb = store();
        let mismatch = "The provided key element does not match the schema";
        for key in [
            vec![s("sensor", "a")],
            vec![s("sensor", "a"), n("t", "1"), s("extra", "x")],
            vec![s("sensor", "a"), s("t", "1")],
            vec![s("other", "a"), n("t", "1")],
        ] {
            assert_eq!(
                ddb.get_item("readings", key).expect_err("invalid").message,
                mismatch
            );
        }
        assert_eq!(
            ddb.get_item("readings", vec![s("sensor", "a"), n("t", "x")])
                .expect_err("not a number")
                .message,
            "A value provided cannot be converted into a number"
        );
        let binary = ddb
            .get_item(
                "blobs",
                vec![KeyAttribute {
                    name: "id".into(),
                    value: KeyValue::B(vec![1, 2]),
                }],
            )
            .expect("get");
        assert!(binary.is_some());
        let empty = ddb
            .get_item(
                "blobs",
                vec![KeyAttribute {
                    name: "id".into(),
                    value: KeyValue::B(vec![]),
                }],
            )
            .expect_err("empty binary key");
        assert!(
            empty
                .message
                .contains("cannot contain an empty binary value. Key: id")
        );
        assert!(
            ddb.get_item("x", vec![])
                .expect_err("bad name")
                .message
                .contains("Member must have length greater than or equal to 3")
        );
        assert!(
            ddb.get_item("bad name!", vec![])
                .expect_err("bad name")
                .message
                .contains("regular expression pattern")
        );
    }

    #[test]
    fn conditions_on_puts_and_deletes() {
        let ddb = store();
        let item = r#"{"sensor":{"S":"c"},"t":{"N":"1"},"version":{"N":"1"}}"#;
        ddb.put_item(
            "readings",
            item,
            Some(Condition::AttributeNotExists("t".into())),
        )
        .expect("created");
        assert_eq!(
            ddb.put_item(
                "readings",
                item,
                Some(Condition::AttributeNotExists("t".into()))
            )
            .expect_err("exists")
            .kind,
            AwsErrorKind::ConditionFailed
        );
        // Numbers compare by value: 1.0 equals the stored 1.
        let v2 = r#"{"sensor":{"S":"c"},"t":{"N":"1"},"version":{"N":"2"}}"#;
        ddb.put_item(
            "readings",
            v2,
            Some(Condition::Equals((
                "version".into(),
                r#"{"N":"1.0"}"#.into(),
            ))),
        )
        .expect("version matched");
        assert_eq!(
            ddb.put_item(
                "readings",
                v2,
                Some(Condition::Equals(("version".into(), r#"{"N":"1"}"#.into())))
            )
            .expect_err("stale version")
            .kind,
            AwsErrorKind::ConditionFailed
        );
        let key = || vec![s("sensor", "c"), n("t", "1")];
        assert_eq!(
            ddb.delete_item(
                "readings",
                key(),
                Some(Condition::AttributeNotExists("t".into()))
            )
            .expect_err("exists")
            .kind,
            AwsErrorKind::ConditionFailed
        );
        ddb.delete_item(
            "readings",
            key(),
            Some(Condition::AttributeExists("version".into())),
        )
        .expect("deleted");
        assert_eq!(ddb.get_item("readings", key()).expect("get"), None);
        assert!(
            ddb.delete_item(
                "readings",
                key(),
                Some(Condition::AttributeExists("t".into()))
            )
            .is_err()
        );
        assert!(
            ddb.put_item(
                "readings",
                item,
                Some(Condition::AttributeExists(String::new()))
            )
            .expect_err("empty name")
            .message
            .starts_with("Invalid ConditionExpression")
        );
        assert!(
            ddb.put_item(
                "readings",
                item,
                Some(Condition::Equals(("v".into(), "{".into())))
            )
            .is_err()
        );
    }

    #[test]
    fn items_are_validated_on_put() {
        let ddb = store();
        let error = |item: &str| ddb.put_item("readings", item, None).expect_err("invalid");
        assert_eq!(
            error(r#"{"sensor":{"S":"a"}}"#).message,
            "One or more parameter values were invalid: Missing the key t in the item"
        );
        assert_eq!(
            error(r#"{"sensor":{"N":"1"},"t":{"N":"1"}}"#).message,
            "One or more parameter values were invalid: Type mismatch for key sensor expected: S actual: N"
        );
        assert_eq!(error("not json").code, "SerializationException");
        assert!(
            error(r#"{"sensor":{"S":"a"},"t":{"N":"1"},"s":{"SS":[]}}"#)
                .message
                .contains("may not be empty")
        );
        let big = format!(
            r#"{{"sensor":{{"S":"a"}},"t":{{"N":"1"}},"blob":{{"S":"{}"}}}}"#,
            "x".repeat(MAX_ITEM_BYTES)
        );
        assert_eq!(
            error(&big).message,
            "Item size has exceeded the maximum allowed size"
        );
        let long_key = format!(
            r#"{{"sensor":{{"S":"{}"}},"t":{{"N":"1"}}}}"#,
            "k".repeat(2049)
        );
        assert!(
            error(&long_key)
                .message
                .contains("maximum size limit of 2048 bytes")
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
        let same_names =
            seed(DynamoDbTable::new("users", "id", KeyType::S).sort_key("id", KeyType::N));
        assert_eq!(same_names.field, "table `users`.sort_key");
        let twice = DdbStore::new(&[
            DynamoDbTable::new("users", "id", KeyType::S),
            DynamoDbTable::new("users", "id", KeyType::S),
        ])
        .expect_err("twice");
        assert_eq!(twice.message, "the table is declared twice");
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
}
