//! Write conditions and queries.

use serde_json::{Map, Value, json};

use crate::Data;
use crate::wit::momento::aws_ddb::aws_ddb as wit;

use super::key::{Key, KeyValue};
use super::value::{AttributeValue, Item};
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
/// // Any condition expression, with its placeholders.
/// let in_stock = Condition::expression("#q > :zero AND #s <> :gone")
///     .name("#q", "quantity")
///     .name("#s", "status")
///     .value(":zero", 0)
///     .value(":gone", "discontinued");
/// # let _ = (create, replace, in_stock);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition(ConditionKind);

#[derive(Debug, Clone, PartialEq, Eq)]
enum ConditionKind {
    Exists(String),
    NotExists(String),
    Equals(String, AttributeValue),
    Expression(Expression),
}

/// A condition expression with its placeholders' names and values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Expression {
    pub(crate) expression: String,
    pub(crate) names: Vec<(String, String)>,
    pub(crate) values: Item,
}

impl Expression {
    /// The request fields `ConditionExpression`, `ExpressionAttributeNames` and
    /// `ExpressionAttributeValues`, the last two only when not empty.
    fn add_to(self, request: &mut Map<String, Value>) {
        request.insert("ConditionExpression".into(), Value::String(self.expression));
        if !self.names.is_empty() {
            let names = self
                .names
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            request.insert("ExpressionAttributeNames".into(), Value::Object(names));
        }
        if !self.values.is_empty() {
            request.insert(
                "ExpressionAttributeValues".into(),
                wire::item_to_json(self.values),
            );
        }
    }
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

    /// Any DynamoDB condition expression (`ConditionExpression`); add its placeholders with
    /// [`name`](Condition::name) (`#name`) and [`value`](Condition::value) (`:value`).
    pub fn expression(expression: impl Into<String>) -> Self {
        Condition(ConditionKind::Expression(Expression {
            expression: expression.into(),
            ..Expression::default()
        }))
    }

    /// Add the placeholder `placeholder` (e.g. `#status`) for the attribute name `name`, to a condition
    /// made with [`expression`](Condition::expression). Other conditions ignore it.
    pub fn name(mut self, placeholder: impl Into<String>, name: impl Into<String>) -> Self {
        if let ConditionKind::Expression(e) = &mut self.0 {
            e.names.push((placeholder.into(), name.into()));
        }
        self
    }

    /// Add the placeholder `placeholder` (e.g. `:zero`) for `value`, to a condition made with
    /// [`expression`](Condition::expression). Other conditions ignore it.
    pub fn value(
        mut self,
        placeholder: impl Into<String>,
        value: impl Into<AttributeValue>,
    ) -> Self {
        if let ConditionKind::Expression(e) = &mut self.0 {
            e.values.insert(placeholder, value);
        }
        self
    }

    /// The condition as an expression with placeholders (`#c0`, `:c0` for the built-in ones).
    pub(crate) fn into_expression(self) -> Expression {
        let names = |name: String| vec![("#c0".to_owned(), name)];
        match self.0 {
            ConditionKind::Exists(name) => Expression {
                expression: "attribute_exists(#c0)".into(),
                names: names(name),
                values: Item::new(),
            },
            ConditionKind::NotExists(name) => Expression {
                expression: "attribute_not_exists(#c0)".into(),
                names: names(name),
                values: Item::new(),
            },
            ConditionKind::Equals(name, value) => Expression {
                expression: "#c0 = :c0".into(),
                names: names(name),
                values: Item::new().with(":c0", value),
            },
            ConditionKind::Expression(expression) => expression,
        }
    }

    /// The condition for the host's PutItem.
    pub(crate) fn into_wit(self) -> wit::Conditional {
        let Expression {
            expression,
            names,
            values,
        } = self.into_expression();
        wit::Conditional {
            expression,
            expression_attribute_names: (!names.is_empty()).then_some(names),
            expression_attribute_values: (!values.is_empty())
                .then(|| wit::Item::Json(Data::from(wire::encode_item(values)).into_wit())),
        }
    }

    /// Add the condition's fields to a DynamoDB HTTP request.
    pub(crate) fn add_to(self, request: &mut Map<String, Value>) {
        self.into_expression().add_to(request);
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

    /// The sort-key part of a `KeyConditionExpression` over `#sk`, with its values.
    fn into_expression(self) -> (String, String, Vec<(&'static str, KeyValue)>) {
        let (name, expression, values) = match self.0 {
            SortKind::Eq(n, v) => (n, "#sk = :sk", vec![(":sk", v)]),
            SortKind::Lt(n, v) => (n, "#sk < :sk", vec![(":sk", v)]),
            SortKind::Le(n, v) => (n, "#sk <= :sk", vec![(":sk", v)]),
            SortKind::Gt(n, v) => (n, "#sk > :sk", vec![(":sk", v)]),
            SortKind::Ge(n, v) => (n, "#sk >= :sk", vec![(":sk", v)]),
            SortKind::BeginsWith(n, v) => (n, "begins_with(#sk, :sk)", vec![(":sk", v)]),
            SortKind::Between(n, low, high) => (
                n,
                "#sk BETWEEN :sk AND :sk2",
                vec![(":sk", low), (":sk2", high)],
            ),
        };
        (name, expression.to_owned(), values)
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

    /// The partition key's name.
    pub(crate) fn partition_name(&self) -> &str {
        &self.partition.0
    }

    /// The body of DynamoDB's `Query` request.
    pub(crate) fn into_json(self) -> Value {
        let mut expression = "#pk = :pk".to_owned();
        let mut names = Map::new();
        names.insert("#pk".into(), Value::String(self.partition.0));
        let mut values = Item::new().with(":pk", self.partition.1);
        if let Some(sort) = self.sort {
            let (name, sort_expression, sort_values) = sort.into_expression();
            expression.push_str(" AND ");
            expression.push_str(&sort_expression);
            names.insert("#sk".into(), Value::String(name));
            for (placeholder, value) in sort_values {
                values.insert(placeholder, value);
            }
        }
        let mut request = Map::new();
        request.insert("TableName".into(), Value::String(self.table));
        request.insert("KeyConditionExpression".into(), Value::String(expression));
        request.insert("ExpressionAttributeNames".into(), Value::Object(names));
        request.insert(
            "ExpressionAttributeValues".into(),
            wire::item_to_json(values),
        );
        if let Some(limit) = self.limit {
            request.insert("Limit".into(), json!(limit));
        }
        if !self.forward {
            request.insert("ScanIndexForward".into(), Value::Bool(false));
        }
        if let Some(start) = self.start {
            request.insert(
                "ExclusiveStartKey".into(),
                wire::item_to_json(start.into_item()),
            );
        }
        Value::Object(request)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_become_expressions_with_placeholders() {
        let mut request = Map::new();
        Condition::equals("version", 3).add_to(&mut request);
        assert_eq!(
            Value::Object(request),
            json!({
                "ConditionExpression": "#c0 = :c0",
                "ExpressionAttributeNames": {"#c0": "version"},
                "ExpressionAttributeValues": {":c0": {"N": "3"}},
            })
        );
        let mut request = Map::new();
        Condition::attribute_not_exists("id").add_to(&mut request);
        assert_eq!(
            Value::Object(request),
            json!({
                "ConditionExpression": "attribute_not_exists(#c0)",
                "ExpressionAttributeNames": {"#c0": "id"},
            })
        );
        let custom = Condition::expression("size(#t) < :n")
            .name("#t", "tags")
            .value(":n", 5)
            .into_wit();
        assert_eq!(custom.expression, "size(#t) < :n");
        assert_eq!(
            custom.expression_attribute_names,
            Some(vec![("#t".to_owned(), "tags".to_owned())])
        );
        assert!(custom.expression_attribute_values.is_some());
        let plain = Condition::expression("attribute_exists(id)").into_wit();
        assert_eq!(plain.expression_attribute_names, None);
        assert!(plain.expression_attribute_values.is_none());
        // Placeholders only apply to expressions.
        assert_eq!(
            Condition::attribute_exists("a").name("#x", "y"),
            Condition::attribute_exists("a")
        );
    }

    #[test]
    fn queries_become_dynamodb_requests() {
        let query = Query::new("orders", ("customer_id", "c1"))
            .sort_key(SortKeyCondition::between("order_id", "a", "b"))
            .limit(2)
            .descending()
            .start_after(Key::new("customer_id", "c1").with_sort("order_id", "a1"));
        assert_eq!(query.partition_name(), "customer_id");
        assert_eq!(
            query.into_json(),
            json!({
                "TableName": "orders",
                "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :sk AND :sk2",
                "ExpressionAttributeNames": {"#pk": "customer_id", "#sk": "order_id"},
                "ExpressionAttributeValues": {
                    ":pk": {"S": "c1"}, ":sk": {"S": "a"}, ":sk2": {"S": "b"}
                },
                "Limit": 2,
                "ScanIndexForward": false,
                "ExclusiveStartKey": {"customer_id": {"S": "c1"}, "order_id": {"S": "a1"}},
            })
        );
        let plain = Query::new("t", ("pk", 7)).into_json();
        assert_eq!(
            plain,
            json!({
                "TableName": "t",
                "KeyConditionExpression": "#pk = :pk",
                "ExpressionAttributeNames": {"#pk": "pk"},
                "ExpressionAttributeValues": {":pk": {"N": "7"}},
            })
        );
        for (condition, expression) in [
            (SortKeyCondition::equals("s", 1), "#sk = :sk"),
            (SortKeyCondition::less_than("s", 1), "#sk < :sk"),
            (SortKeyCondition::less_than_or_equal("s", 1), "#sk <= :sk"),
            (SortKeyCondition::greater_than("s", 1), "#sk > :sk"),
            (
                SortKeyCondition::greater_than_or_equal("s", 1),
                "#sk >= :sk",
            ),
            (
                SortKeyCondition::begins_with("s", "x"),
                "begins_with(#sk, :sk)",
            ),
        ] {
            let json = Query::new("t", ("p", 1)).sort_key(condition).into_json();
            assert_eq!(
                json["KeyConditionExpression"],
                format!("#pk = :pk AND {expression}")
            );
        }
    }
}
