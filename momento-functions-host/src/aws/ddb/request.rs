//! Write conditions and queries.

use crate::wit::momento::functions::aws_ddb as wit;

use super::key::{Key, KeyValue, attribute};
use super::value::AttributeValue;
use super::wire;

/// A condition on the stored item that a conditional write needs (DynamoDB's `ConditionExpression`).
/// When it does not hold, the write fails with [`Error::ConditionFailed`](super::Error::ConditionFailed).
///
/// ```
/// use momento_functions_host::aws::ddb::Condition;
///
/// // Create only: fail when an item with the key exists.
/// let create = Condition::attribute_not_exists("user_id");
/// // Optimistic locking: replace only the version we read.
/// let replace = Condition::equals("version", 3);
/// # let _ = (create, replace);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition(ConditionKind);

#[derive(Debug, Clone, PartialEq, Eq)]
enum ConditionKind {
    Exists(String),
    NotExists(String),
    Equals(String, AttributeValue),
}

impl Condition {
    /// The item exists and has the attribute `name` (`attribute_exists(name)`). With a key attribute:
    /// "the item exists".
    pub fn attribute_exists(name: impl Into<String>) -> Self {
        Condition(ConditionKind::Exists(name.into()))
    }

    /// The item does not exist or lacks the attribute `name` (`attribute_not_exists(name)`). With a key
    /// attribute: "no item with this key exists".
    pub fn attribute_not_exists(name: impl Into<String>) -> Self {
        Condition(ConditionKind::NotExists(name.into()))
    }

    /// The item exists and its attribute `name` equals `value` (`name = :value`).
    pub fn equals(name: impl Into<String>, value: impl Into<AttributeValue>) -> Self {
        Condition(ConditionKind::Equals(name.into(), value.into()))
    }

    pub(crate) fn into_wit(self) -> wit::Condition {
        match self.0 {
            ConditionKind::Exists(name) => wit::Condition::AttributeExists(name),
            ConditionKind::NotExists(name) => wit::Condition::AttributeNotExists(name),
            ConditionKind::Equals(name, value) => {
                wit::Condition::Equals((name, wire::encode_value(value)))
            }
        }
    }
}

/// Which sort keys of the partition a [`Query`] reads (DynamoDB's `KeyConditionExpression` on the sort key).
///
/// `begins_with` works on string and binary sort keys; `between` is inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKeyCondition(SortKind);

#[derive(Debug, Clone, PartialEq, Eq)]
enum SortKind {
    Eq(String, KeyValue),
    Lt(String, KeyValue),
    Le(String, KeyValue),
    Gt(String, KeyValue),
    Ge(String, KeyValue),
    BeginsWith(String, KeyValue),
    Between(String, KeyValue, KeyValue),
}

impl SortKeyCondition {
    /// `name = value`
    pub fn equals(name: impl Into<String>, value: impl Into<KeyValue>) -> Self {
        SortKeyCondition(SortKind::Eq(name.into(), value.into()))
    }

    /// `name < value`
    pub fn less_than(name: impl Into<String>, value: impl Into<KeyValue>) -> Self {
        SortKeyCondition(SortKind::Lt(name.into(), value.into()))
    }

    /// `name <= value`
    pub fn less_than_or_equal(name: impl Into<String>, value: impl Into<KeyValue>) -> Self {
        SortKeyCondition(SortKind::Le(name.into(), value.into()))
    }

    /// `name > value`
    pub fn greater_than(name: impl Into<String>, value: impl Into<KeyValue>) -> Self {
        SortKeyCondition(SortKind::Gt(name.into(), value.into()))
    }

    /// `name >= value`
    pub fn greater_than_or_equal(name: impl Into<String>, value: impl Into<KeyValue>) -> Self {
        SortKeyCondition(SortKind::Ge(name.into(), value.into()))
    }

    /// `begins_with(name, prefix)`
    pub fn begins_with(name: impl Into<String>, prefix: impl Into<KeyValue>) -> Self {
        SortKeyCondition(SortKind::BeginsWith(name.into(), prefix.into()))
    }

    /// `name BETWEEN low AND high`, both ends included.
    pub fn between(
        name: impl Into<String>,
        low: impl Into<KeyValue>,
        high: impl Into<KeyValue>,
    ) -> Self {
        SortKeyCondition(SortKind::Between(name.into(), low.into(), high.into()))
    }

    fn into_wit(self) -> wit::SortKeyCondition {
        use wit::SortKeyCondition as W;
        match self.0 {
            SortKind::Eq(n, v) => W::Equals(attribute(n, v)),
            SortKind::Lt(n, v) => W::LessThan(attribute(n, v)),
            SortKind::Le(n, v) => W::LessThanOrEqual(attribute(n, v)),
            SortKind::Gt(n, v) => W::GreaterThan(attribute(n, v)),
            SortKind::Ge(n, v) => W::GreaterThanOrEqual(attribute(n, v)),
            SortKind::BeginsWith(n, v) => W::BeginsWith(attribute(n, v)),
            SortKind::Between(n, low, high) => {
                W::Between((attribute(n.clone(), low), attribute(n, high)))
            }
        }
    }
}

/// A query of one partition: its items in sort-key order, optionally narrowed by a
/// [`SortKeyCondition`], limited, reversed, and continued from a previous page.
///
/// ```
/// use momento_functions_host::aws::ddb::{Query, SortKeyCondition};
///
/// let recent = Query::new("orders", ("customer_id", "c1"))
///     .sort_key(SortKeyCondition::begins_with("placed_at", "2026-"))
///     .descending()
///     .limit(10);
/// # let _ = recent;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    table: String,
    partition: (String, KeyValue),
    sort: Option<SortKeyCondition>,
    limit: Option<u32>,
    start: Option<Key>,
    forward: bool,
}

impl Query {
    /// All items of the partition `(name, value)` of `table`, in ascending sort-key order.
    pub fn new<N: Into<String>, V: Into<KeyValue>>(
        table: impl Into<String>,
        (name, value): (N, V),
    ) -> Self {
        Query {
            table: table.into(),
            partition: (name.into(), value.into()),
            sort: None,
            limit: None,
            start: None,
            forward: true,
        }
    }

    /// Only the items whose sort key matches `condition`.
    pub fn sort_key(mut self, condition: SortKeyCondition) -> Self {
        self.sort = Some(condition);
        self
    }

    /// Read at most `limit` items; the output's `last_evaluated_key` then says where to continue.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Continue after `key`, the `last_evaluated_key` of the previous page.
    pub fn start_after(mut self, key: Key) -> Self {
        self.start = Some(key);
        self
    }

    /// Descending sort-key order (DynamoDB's `ScanIndexForward = false`).
    pub fn descending(mut self) -> Self {
        self.forward = false;
        self
    }

    /// The table queried.
    pub fn table(&self) -> &str {
        &self.table
    }

    pub(crate) fn into_wit(self) -> wit::QueryRequest {
        wit::QueryRequest {
            table_name: self.table,
            partition_key: attribute(self.partition.0, self.partition.1),
            sort_key_condition: self.sort.map(SortKeyCondition::into_wit),
            limit: self.limit,
            exclusive_start_key: self.start.map(Key::into_wit),
            scan_forward: self.forward,
        }
    }
}

/// One page of [`Query`] results.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QueryOutput<T> {
    /// The items, in the query's sort-key order.
    pub items: Vec<T>,
    /// Set when the page stopped at the query's limit: pass it to [`Query::start_after`] for the next page
    /// (which may be empty, as with DynamoDB).
    pub last_evaluated_key: Option<Key>,
}
