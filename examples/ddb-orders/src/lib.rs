//! An orders API on DynamoDB, guarded by an API key kept in Secrets Manager.
//!
//! Table `orders`: partition key `customer_id` (string), sort key `order_id` (string, e.g.
//! `2026-03-01#0001`, so that orders sort by date). Every request carries `x-api-key`, checked against the
//! secret `orders/api-key`.
//!
//! - `POST /` with an order (`{"customer_id", "order_id", "item", "quantity"}`) creates it: 201, or 409
//!   when the order exists;
//! - `GET /?customer_id=c1&order_id=2026-03-01%230001` reads one order (404 when missing);
//! - `GET /?customer_id=c1` lists a customer's orders, narrowed by `op` (`eq`, `lt`, `le`, `gt`, `ge`,
//!   `begins_with`, `between`) with `value` (and `high` for `between`), `limit`, `descending=true`, and
//!   `after` (the `next` of the previous page): `{"orders": [...], "next": "<order_id>" | null}`;
//! - `PUT /` with a whole item replaces an existing order (409 when there is none), or, with
//!   `?if_status=pending`, only one in that status;
//! - `DELETE /?customer_id=c1&order_id=...` removes an order (204).
//!
//! The AWS keys are baked in at build time from `ORDERS_AWS_ACCESS_KEY_ID` and
//! `ORDERS_AWS_SECRET_ACCESS_KEY` (`build_environment_aws_credentials!("ORDERS_")`).
//!
//! Reads and writes go through Momento's DynamoDB interface (GetItem, PutItem with a condition); the
//! listing (Query) and `DELETE` (DeleteItem) are DynamoDB HTTP API calls that the platform signs with the
//! same keys (see `momento_functions::aws::ddb`).

use momento_functions::aws::auth::AwsCredentialsProvider;
use momento_functions::aws::ddb::{Condition, DynamoDBClient, Item, Key, Query, SortKeyCondition};
use momento_functions::aws::secrets::SecretsManagerClient;
use momento_functions::{
    FunctionError, FunctionResult, Json, Query as Params, RequestContext, StatusCode, WebResponse,
};

momento_functions::route!(get: read, post: create, put: replace, delete: remove);

const TABLE: &str = "orders";
const API_KEY_SECRET: &str = "orders/api-key";

/// An order as stored.
#[derive(serde::Serialize, serde::Deserialize)]
struct Order {
    customer_id: String,
    order_id: String,
    item: String,
    quantity: u32,
    #[serde(default = "pending")]
    status: String,
}

fn pending() -> String {
    "pending".to_owned()
}

/// Which orders `GET` reads.
#[derive(serde::Deserialize)]
struct Selection {
    customer_id: String,
    order_id: Option<String>,
    op: Option<String>,
    value: Option<String>,
    high: Option<String>,
    limit: Option<u32>,
    #[serde(default)]
    descending: bool,
    after: Option<String>,
}

/// One order's key, for `DELETE`.
#[derive(serde::Deserialize)]
struct OrderKey {
    customer_id: String,
    order_id: String,
}

/// When `PUT` may replace.
#[derive(serde::Deserialize)]
struct ReplaceIf {
    if_status: Option<String>,
}

/// A DynamoDB client for a caller that presented the API key.
fn authorized(context: &RequestContext) -> FunctionResult<DynamoDBClient> {
    let provider = AwsCredentialsProvider::new(
        "us-east-1",
        momento_functions::build_environment_aws_credentials!("ORDERS_"),
    )?;
    let expected = SecretsManagerClient::new(&provider).get_secret_value(API_KEY_SECRET)?;
    match context.header("x-api-key") {
        Some(given) if given.as_bytes() == expected.as_bytes() => {
            Ok(DynamoDBClient::new(&provider))
        }
        Some(_) => Err(FunctionError::unauthorized("wrong x-api-key")),
        None => Err(FunctionError::unauthorized("missing x-api-key")),
    }
}

fn sort_condition(selection: &Selection) -> FunctionResult<Option<SortKeyCondition>> {
    let Some(op) = selection.op.as_deref() else {
        return Ok(None);
    };
    let value = selection
        .value
        .clone()
        .ok_or_else(|| FunctionError::bad_request("`op` needs a `value`"))?;
    let name = "order_id";
    Ok(Some(match op {
        "eq" => SortKeyCondition::equals(name, value),
        "lt" => SortKeyCondition::less_than(name, value),
        "le" => SortKeyCondition::less_than_or_equal(name, value),
        "gt" => SortKeyCondition::greater_than(name, value),
        "ge" => SortKeyCondition::greater_than_or_equal(name, value),
        "begins_with" => SortKeyCondition::begins_with(name, value),
        "between" => {
            let high = selection
                .high
                .clone()
                .ok_or_else(|| FunctionError::bad_request("`between` needs a `high`"))?;
            SortKeyCondition::between(name, value, high)
        }
        other => {
            return Err(FunctionError::bad_request(format!(
                "unknown op `{other}`: eq, lt, le, gt, ge, begins_with or between"
            )));
        }
    }))
}

fn read(
    context: RequestContext,
    Params(selection): Params<Selection>,
) -> FunctionResult<WebResponse> {
    let ddb = authorized(&context)?;
    if let Some(order_id) = &selection.order_id {
        let key = (
            ("customer_id", &selection.customer_id),
            ("order_id", order_id),
        );
        let order: Order = ddb
            .get_item(TABLE, key)?
            .ok_or_else(|| FunctionError::not_found(format!("no order {order_id}")))?;
        return to_json(StatusCode::OK, &order);
    }
    let mut query = Query::new(TABLE, ("customer_id", selection.customer_id.clone()));
    if let Some(condition) = sort_condition(&selection)? {
        query = query.sort_key(condition);
    }
    if let Some(limit) = selection.limit {
        query = query.limit(limit);
    }
    if selection.descending {
        query = query.descending();
    }
    if let Some(after) = &selection.after {
        query = query.start_after(
            Key::new("customer_id", selection.customer_id.clone()).with_sort("order_id", after),
        );
    }
    let page = ddb.query::<Order>(query)?;
    let next = page
        .last_evaluated_key
        .as_ref()
        .and_then(|key| key.sort())
        .map(|(_, value)| value.clone());
    let next = match next {
        Some(momento_functions::aws::ddb::KeyValue::S(order_id)) => Some(order_id),
        _ => None,
    };
    to_json(
        StatusCode::OK,
        &OrderPage {
            orders: page.items,
            next,
        },
    )
}

#[derive(serde::Serialize)]
struct OrderPage {
    orders: Vec<Order>,
    next: Option<String>,
}

fn to_json<T: serde::Serialize>(status: StatusCode, value: &T) -> FunctionResult<WebResponse> {
    WebResponse::new()
        .with_status(status)
        .with_json(value)
        .map_err(|e| FunctionError::internal(e.to_string()))
}

fn create(context: RequestContext, Json(order): Json<Order>) -> FunctionResult<WebResponse> {
    let ddb = authorized(&context)?;
    ddb.put_item_if(TABLE, &order, Condition::attribute_not_exists("order_id"))?;
    to_json(StatusCode::CREATED, &order)
}

fn replace(
    context: RequestContext,
    Params(ReplaceIf { if_status }): Params<ReplaceIf>,
    Json(item): Json<Item>,
) -> FunctionResult<Json<Item>> {
    let ddb = authorized(&context)?;
    let condition = match if_status {
        Some(status) => Condition::equals("status", status),
        None => Condition::attribute_exists("order_id"),
    };
    ddb.put_item_raw_if(TABLE, item.clone(), condition)?;
    Ok(Json(item))
}

fn remove(
    context: RequestContext,
    Params(OrderKey {
        customer_id,
        order_id,
    }): Params<OrderKey>,
) -> FunctionResult<WebResponse> {
    let ddb = authorized(&context)?;
    ddb.delete_item(
        TABLE,
        (("customer_id", customer_id), ("order_id", order_id)),
    )?;
    Ok(WebResponse::new().with_status(StatusCode::NO_CONTENT))
}
