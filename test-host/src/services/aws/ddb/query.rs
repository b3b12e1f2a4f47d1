//! Query: the items of one partition in sort key order, narrowed by a key condition on the sort key,
//! read in pages (`Limit` items or 1 MB), then filtered and projected.

use std::ops::Bound;

use serde_json::{Map, Value, json};

use super::expr::{self, Cmp, Cond, Elem, Env, ExprKind, Operand, Path, Val};
use super::model::{self, Attrs, KeyPart};
use super::request;
use super::{
    AwsError, DdbStore, ItemKey, KeyType, Table, consumed_capacity, empty_key, read_units,
    validation,
};

/// Most bytes of items one query page reads, as DynamoDB's 1 MB page.
const MAX_PAGE_BYTES: usize = 1 << 20;

/// A condition on the sort key.
#[derive(Debug, Clone)]
enum SortCond {
    Cmp(Cmp, KeyPart),
    Between(KeyPart, KeyPart),
    BeginsWith(KeyPart),
}

impl SortCond {
    fn matches(&self, sort: &KeyPart) -> bool {
        match self {
            SortCond::Cmp(Cmp::Eq, v) => sort == v,
            SortCond::Cmp(Cmp::Lt, v) => sort < v,
            SortCond::Cmp(Cmp::Le, v) => sort <= v,
            SortCond::Cmp(Cmp::Gt, v) => sort > v,
            SortCond::Cmp(Cmp::Ge, v) => sort >= v,
            SortCond::Cmp(Cmp::Ne, _) => false,
            SortCond::Between(low, high) => low <= sort && sort <= high,
            SortCond::BeginsWith(prefix) => sort.begins_with(prefix),
        }
    }
}

/// One comparison of a key condition: attribute, operator, values.
struct KeyTerm {
    name: String,
    sort: Option<SortCond>,
    /// For the partition key: the `=` value.
    equals: Option<KeyPart>,
}

fn not_supported() -> AwsError {
    validation("Query key condition not supported")
}

fn type_mismatch() -> AwsError {
    validation(
        "One or more parameter values were invalid: Condition parameter type does not match schema type",
    )
}

fn invalid_operator(operator: &str) -> AwsError {
    validation(format!(
        "Invalid operator used in KeyConditionExpression: {operator}"
    ))
}

/// The attribute a key term names: a top-level attribute, nothing nested.
fn key_name(operand: &Operand) -> Result<String, AwsError> {
    match operand {
        Operand::Path(path) => match path.as_slice() {
            [Elem::Name(name)] => Ok(name.clone()),
            _ => Err(not_supported()),
        },
        _ => Err(not_supported()),
    }
}

/// A key term's value: an expression attribute value of a key type.
fn key_value(operand: &Operand) -> Result<KeyPart, AwsError> {
    match operand {
        Operand::Value(Val::Attr(attr)) => KeyPart::from_attr(attr).ok_or_else(type_mismatch),
        _ => Err(not_supported()),
    }
}

/// Split a key condition into its terms: one or two comparisons joined by `AND`.
fn key_terms(cond: &Cond, terms: &mut Vec<KeyTerm>) -> Result<(), AwsError> {
    let term = match cond {
        Cond::And(a, b) => {
            key_terms(a, terms)?;
            return key_terms(b, terms);
        }
        Cond::Or(..) => return Err(invalid_operator("OR")),
        Cond::Not(_) => return Err(invalid_operator("NOT")),
        Cond::In(..) => return Err(invalid_operator("IN")),
        Cond::Cmp(Cmp::Ne, ..) => return Err(invalid_operator("<>")),
        Cond::Cmp(cmp, left, right) => {
            let value = key_value(right)?;
            KeyTerm {
                name: key_name(left)?,
                equals: (*cmp == Cmp::Eq).then(|| value.clone()),
                sort: Some(SortCond::Cmp(*cmp, value)),
            }
        }
        Cond::Between(left, low, high) => KeyTerm {
            name: key_name(left)?,
            equals: None,
            sort: Some(SortCond::Between(key_value(low)?, key_value(high)?)),
        },
        Cond::Call(call) if call.name == "begins_with" && call.args.len() == 2 => KeyTerm {
            name: key_name(&call.args[0])?,
            equals: None,
            sort: Some(SortCond::BeginsWith(key_value(&call.args[1])?)),
        },
        Cond::Call(call) => return Err(invalid_operator(&call.name)),
    };
    terms.push(term);
    Ok(())
}

/// The partition key value and the sort key condition of a key condition, checked against the schema.
fn key_condition(table: &Table, cond: &Cond) -> Result<(KeyPart, Option<SortCond>), AwsError> {
    let mut terms = Vec::new();
    key_terms(cond, &mut terms)?;
    let one_per_key =
        || validation("KeyConditionExpressions must only contain one condition per key");
    if terms.len() > 2 || (terms.len() == 2 && terms[0].name == terms[1].name) {
        return Err(one_per_key());
    }
    let (pk_name, pk_type) = &table.partition;
    let position = terms
        .iter()
        .position(|t| t.name == *pk_name)
        .ok_or_else(|| {
            validation(format!(
                "Query condition missed key schema element: {pk_name}"
            ))
        })?;
    let partition_term = terms.remove(position);
    let partition = partition_term.equals.ok_or_else(not_supported)?;
    if partition.key_type() != *pk_type {
        return Err(type_mismatch());
    }
    if partition.is_empty() {
        return Err(empty_key(pk_name, &partition));
    }
    let Some(sort_term) = terms.pop() else {
        return Ok((partition, None));
    };
    let Some((sort_name, sort_type)) = &table.sort else {
        return Err(not_supported());
    };
    if sort_term.name != *sort_name {
        return Err(not_supported());
    }
    let sort = sort_term.sort.ok_or_else(not_supported)?;
    let parts: Vec<&KeyPart> = match &sort {
        SortCond::Cmp(_, v) | SortCond::BeginsWith(v) => vec![v],
        SortCond::Between(low, high) => vec![low, high],
    };
    if parts.iter().any(|p| p.key_type() != *sort_type) {
        return Err(type_mismatch());
    }
    if matches!(sort, SortCond::BeginsWith(_)) && *sort_type == KeyType::N {
        return Err(validation(
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
        ));
    }
    Ok((partition, Some(sort)))
}

/// The top-level attributes an operand reads.
fn operand_heads(op: &Operand, out: &mut Vec<String>) {
    match op {
        Operand::Path(path) => {
            if let Some(Elem::Name(n)) = path.first() {
                out.push(n.clone());
            }
        }
        Operand::Call(call) => call.args.iter().for_each(|a| operand_heads(a, out)),
        Operand::Value(_) => {}
    }
}

/// The top-level attributes a condition reads.
fn heads(cond: &Cond, out: &mut Vec<String>) {
    match cond {
        Cond::Cmp(_, a, b) => [a, b].into_iter().for_each(|o| operand_heads(o, out)),
        Cond::Between(a, b, c) => [a, b, c].into_iter().for_each(|o| operand_heads(o, out)),
        Cond::In(a, list) => std::iter::once(a)
            .chain(list)
            .for_each(|o| operand_heads(o, out)),
        Cond::Call(call) => call.args.iter().for_each(|o| operand_heads(o, out)),
        Cond::Not(inner) => heads(inner, out),
        Cond::And(a, b) | Cond::Or(a, b) => {
            heads(a, out);
            heads(b, out);
        }
    }
}

/// What to return of each item (`Select`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Select {
    All,
    Count,
    Projected,
}

/// A query's parameters, read and parsed before the table is consulted.
struct Params {
    key: Cond,
    filter: Option<Cond>,
    projection: Option<Vec<Path>>,
    select: Select,
    limit: Option<usize>,
    forward: bool,
    start: Option<Attrs>,
    consistent: bool,
    index: Option<String>,
}

fn params(request: &Value) -> Result<Params, AwsError> {
    request::reject_legacy(
        request,
        &[
            ("KeyConditions", "KeyConditionExpression"),
            ("QueryFilter", "FilterExpression"),
            ("AttributesToGet", "ProjectionExpression"),
            ("ConditionalOperator", "FilterExpression"),
        ],
        &[
            "KeyConditionExpression",
            "FilterExpression",
            "ProjectionExpression",
        ],
    )?;
    let key_src = request::string(request, "KeyConditionExpression")?.ok_or_else(|| {
        validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
        )
    })?;
    let filter_src = request::string(request, "FilterExpression")?;
    let projection_src = request::string(request, "ProjectionExpression")?;
    let mut env = Env::from_request(
        request,
        &[
            (ExprKind::KeyCondition, true),
            (ExprKind::Filter, filter_src.is_some()),
            (ExprKind::Projection, projection_src.is_some()),
        ],
        true,
    )?;
    let key = expr::parse_condition(ExprKind::KeyCondition, key_src, &mut env)?;
    let filter = filter_src
        .map(|src| expr::parse_condition(ExprKind::Filter, src, &mut env))
        .transpose()?;
    let projection = projection_src
        .map(|src| expr::parse_projection(src, &mut env))
        .transpose()?;
    env.finish()?;
    let select = request::enumeration(
        request,
        "Select",
        &[
            "SPECIFIC_ATTRIBUTES",
            "COUNT",
            "ALL_ATTRIBUTES",
            "ALL_PROJECTED_ATTRIBUTES",
        ],
    )?;
    let select = match (select, projection.is_some()) {
        (None | Some("SPECIFIC_ATTRIBUTES"), true) => Select::Projected,
        (None | Some("ALL_ATTRIBUTES"), false) => Select::All,
        (Some("COUNT"), false) => Select::Count,
        (Some("SPECIFIC_ATTRIBUTES"), false) => {
            return Err(validation(
                "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES",
            ));
        }
        (Some("ALL_PROJECTED_ATTRIBUTES"), _) => {
            return Err(validation(
                "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
            ));
        }
        (Some(select), _) => {
            return Err(validation(format!(
                "Cannot specify the ProjectionExpression when choosing to get {select}"
            )));
        }
    };
    let limit = match request::integer(request, "Limit")? {
        Some(limit) if limit < 1 => {
            return Err(validation(format!(
                "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
            )));
        }
        limit => limit.map(|l| l as usize),
    };
    let start = request::object(request, "ExclusiveStartKey")?
        .map(|_| request::attributes(request, "ExclusiveStartKey"))
        .transpose()?;
    Ok(Params {
        key,
        filter,
        projection,
        select,
        limit,
        forward: request::boolean(request, "ScanIndexForward")?.unwrap_or(true),
        start,
        consistent: request::boolean(request, "ConsistentRead")?.unwrap_or(false),
        index: request::string(request, "IndexName")?.map(str::to_owned),
    })
}

/// Query: `KeyConditionExpression` (`pk = :v`, optionally `AND` a sort key condition: `=`, `<`, `<=`, `>`,
/// `>=`, `BETWEEN`, `begins_with`), `FilterExpression`, `ProjectionExpression`, their placeholders,
/// `Select`, `Limit`, `ScanIndexForward`, `ExclusiveStartKey`, `ConsistentRead`, `ReturnConsumedCapacity`.
pub(super) fn query(store: &DdbStore, request: &Value) -> Result<Value, AwsError> {
    let table_name = request::table_name(request)?;
    let params = params(request)?;
    store.with_table(table_name, |table| {
        if let Some(index) = &params.index {
            return Err(validation(format!(
                "The table does not have the specified index: {index}"
            )));
        }
        let (partition, sort) = key_condition(table, &params.key)?;
        if let Some(filter) = &params.filter {
            let mut read = Vec::new();
            heads(filter, &mut read);
            if let Some(key) = read.iter().find(|n| table.is_key_attribute(n)) {
                return Err(validation(format!(
                    "Filter Expression can only contain non-primary key attributes: Primary key attribute: {key}"
                )));
            }
        }
        let start = start_key(table, &params, &partition)?;
        let page = read_page(table, &partition, sort.as_ref(), start.as_ref(), &params);
        let capacity = consumed_capacity(
            request,
            table_name,
            read_units(page.bytes, params.consistent),
            false,
        )?;
        let mut response = Map::new();
        let matching: Vec<&Attrs> = page
            .items
            .iter()
            .map(|(_, item)| *item)
            .filter(|item| params.filter.as_ref().is_none_or(|f| f.holds(Some(item))))
            .collect();
        response.insert("Count".into(), json!(matching.len()));
        response.insert("ScannedCount".into(), json!(page.items.len()));
        if params.select != Select::Count {
            let items = matching.iter().map(|item| match &params.projection {
                Some(paths) => Value::Object(model::attrs_to_wire(&expr::project(item, paths))),
                None => Value::Object(model::attrs_to_wire(item)),
            });
            response.insert("Items".into(), Value::Array(items.collect()));
        }
        if let Some(last) = page.last_evaluated {
            let key: Attrs = table
                .key_attributes(last)
                .into_iter()
                .map(|(n, p)| (n, p.to_attr()))
                .collect();
            response.insert(
                "LastEvaluatedKey".into(),
                Value::Object(model::attrs_to_wire(&key)),
            );
        }
        if let Some(capacity) = capacity {
            response.insert("ConsumedCapacity".into(), capacity);
        }
        Ok(Value::Object(response))
    })
}

/// The `ExclusiveStartKey`, checked: a key of the table, in the queried partition.
fn start_key(
    table: &Table,
    params: &Params,
    partition: &KeyPart,
) -> Result<Option<ItemKey>, AwsError> {
    let Some(start) = &params.start else {
        return Ok(None);
    };
    let key = table.key_from_request(start).map_err(|e| {
        validation(format!(
            "The provided starting key is invalid: {}",
            e.message
        ))
    })?;
    if key.0 != *partition {
        return Err(validation(
            "The provided starting key is outside query boundaries based on provided conditions",
        ));
    }
    Ok(Some(key))
}

/// The items one page reads, before the filter.
struct Page<'t> {
    items: Vec<(&'t ItemKey, &'t Attrs)>,
    bytes: usize,
    last_evaluated: Option<&'t ItemKey>,
}

fn read_page<'t>(
    table: &'t Table,
    partition: &KeyPart,
    sort: Option<&SortCond>,
    start: Option<&ItemKey>,
    params: &Params,
) -> Page<'t> {
    let in_partition = table
        .items
        .range((Bound::Included((partition.clone(), None)), Bound::Unbounded))
        .take_while(|((p, _), _)| p == partition)
        .filter(|((_, s), _)| match (sort, s) {
            (Some(condition), Some(s)) => condition.matches(s),
            _ => true,
        })
        .filter(|(key, _)| match start {
            None => true,
            Some(start) if params.forward => *key > start,
            Some(start) => *key < start,
        });
    let mut selected: Vec<(&ItemKey, &Attrs)> = in_partition.collect();
    if !params.forward {
        selected.reverse();
    }
    let limit = params.limit.unwrap_or(usize::MAX);
    let mut page = Page {
        items: Vec::new(),
        bytes: 0,
        last_evaluated: None,
    };
    for (key, item) in selected {
        if page.items.len() == limit || page.bytes >= MAX_PAGE_BYTES {
            page.last_evaluated = page.items.last().map(|(k, _)| *k);
            break;
        }
        page.bytes += model::item_size(item);
        page.items.push((key, item));
    }
    // A page that stops exactly at `Limit` still reports where it stopped, as DynamoDB does.
    if page.last_evaluated.is_none() && page.items.len() == limit {
        page.last_evaluated = page.items.last().map(|(k, _)| *k);
    }
    page
}
