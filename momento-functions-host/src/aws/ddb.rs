//! Amazon DynamoDB: get, put (optionally conditional), delete and query items, as raw [`Item`]s or your
//! own serde types.
//!
//! GetItem and PutItem (with its condition) go through the platform's `aws-ddb` interface. The platform
//! has no DeleteItem or Query, so [`delete_item`](DynamoDBClient::delete_item) and
//! [`query`](DynamoDBClient::query) are sent to DynamoDB's HTTP API
//! (`POST https://dynamodb.<region>.amazonaws.com/`, `x-amz-target: DynamoDB_20120810.DeleteItem` /
//! `.Query`) through the platform's `http` interface, which signs them with the provider's credentials
//! (service `dynamodb`): the function needs outbound HTTP, and the credentials need the
//! `dynamodb:DeleteItem` / `dynamodb:Query` permissions.
//!
//! ```no_run
//! use momento_functions_host::aws::auth::AwsCredentialsProvider;
//! use momento_functions_host::aws::ddb::{Condition, DynamoDBClient, Error, Query, SortKeyCondition};
//! use momento_functions_host::build_environment_aws_credentials;
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Order { customer_id: String, order_no: u32, total_cents: u64 }
//!
//! # fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = AwsCredentialsProvider::new("us-east-1", build_environment_aws_credentials!())?;
//! let ddb = DynamoDBClient::new(&provider);
//!
//! let order = Order { customer_id: "c1".into(), order_no: 7, total_cents: 1250 };
//! match ddb.put_item_if("orders", &order, Condition::attribute_not_exists("order_no")) {
//!     Ok(()) | Err(Error::ConditionFailed(_)) => {} // created, or it already existed
//!     Err(other) => return Err(other.into()),
//! }
//! let again: Option<Order> = ddb.get_item("orders", (("customer_id", "c1"), ("order_no", 7)))?;
//! let page = ddb.query::<Order>(
//!     Query::new("orders", ("customer_id", "c1"))
//!         .sort_key(SortKeyCondition::between("order_no", 1, 10))
//!         .limit(25),
//! )?;
//! ddb.delete_item("orders", (("customer_id", "c1"), ("order_no", 7)))?;
//! # Ok(()) }
//! ```

mod convert;
mod error;
mod key;
mod request;
mod value;
mod wire;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::Data;
use crate::aws::auth::AwsCredentialsProvider;
use crate::aws::signed::Signer;
use crate::wit::momento::aws_ddb::aws_ddb as wit;

pub use convert::ItemError;
pub use error::Error;
pub use key::{Key, KeyValue};
pub use request::{Condition, Query, QueryOutput, SortKeyCondition};
pub use value::{AttributeValue, Item};

/// A DynamoDB client for one provider's credentials and region. Cheap to create in each invocation: the
/// host keeps its authenticated client.
#[derive(Debug)]
pub struct DynamoDBClient {
    client: wit::Client,
    signer: Signer,
}

fn decode(data: wit::Item) -> Result<Item, Error> {
    let wit::Item::Json(data) = data;
    let bytes = Data::from_wit(data)
        .try_into_bytes()
        .map_err(|e| Error::Other(format!("reading the item from the host failed: {e}")))?;
    wire::decode_item(&bytes).map_err(Error::Other)
}

impl DynamoDBClient {
    /// A client using `provider`'s credentials and region. The provider may be dropped afterwards.
    pub fn new(provider: &AwsCredentialsProvider) -> Self {
        DynamoDBClient {
            client: wit::Client::new(&provider.inner),
            signer: Signer::new(provider),
        }
    }

    /// The item of `table` with `key`, or `None`.
    ///
    /// # Errors
    /// See [`Error`]: e.g. `NotFound` for a missing table, `Malformed` for a key that does not match the
    /// table's key schema.
    pub fn get_item_raw(&self, table: &str, key: impl Into<Key>) -> Result<Option<Item>, Error> {
        let request = wit::GetItemRequest {
            table_name: table.to_owned(),
            key: key.into().into_wit(),
            consistent_read: false,
            return_consumed_capacity: wit::ReturnConsumedCapacity::None,
            projection_expression: None,
            expression_attribute_names: None,
        };
        match self.client.get_item(&request)?.item {
            Some(item) => decode(item).map(Some),
            None => Ok(None),
        }
    }

    /// The item of `table` with `key` converted into `T`, or `None`.
    ///
    /// # Errors
    /// As [`get_item_raw`](Self::get_item_raw), and [`Error::Deserialize`] (naming the attribute) when the
    /// item does not fit `T`.
    pub fn get_item<T: DeserializeOwned>(
        &self,
        table: &str,
        key: impl Into<Key>,
    ) -> Result<Option<T>, Error> {
        self.get_item_raw(table, key)?
            .map(|item| item.into_deserialize().map_err(Error::Deserialize))
            .transpose()
    }

    /// Store `item` in `table`, replacing any item with the same key.
    ///
    /// # Errors
    /// See [`Error`]: e.g. `Malformed` when the item lacks a key attribute or has one of the wrong type.
    pub fn put_item_raw(&self, table: &str, item: impl Into<Item>) -> Result<(), Error> {
        self.put(table, item.into(), None)
    }

    /// Store `item` in `table` if `condition` holds.
    ///
    /// # Errors
    /// [`Error::ConditionFailed`] when it does not; otherwise as [`put_item_raw`](Self::put_item_raw).
    pub fn put_item_raw_if(
        &self,
        table: &str,
        item: impl Into<Item>,
        condition: Condition,
    ) -> Result<(), Error> {
        self.put(table, item.into(), Some(condition))
    }

    /// Store `value` (a struct or map, see [`Item::from_serialize`]) in `table`, replacing any item with
    /// the same key.
    ///
    /// # Errors
    /// [`Error::Serialize`] when `value` is not a struct or map; otherwise as
    /// [`put_item_raw`](Self::put_item_raw).
    pub fn put_item<T: Serialize + ?Sized>(&self, table: &str, value: &T) -> Result<(), Error> {
        let item = Item::from_serialize(value).map_err(Error::Serialize)?;
        self.put(table, item, None)
    }

    /// Store `value` in `table` if `condition` holds.
    ///
    /// # Errors
    /// [`Error::ConditionFailed`] when it does not; otherwise as [`put_item`](Self::put_item).
    pub fn put_item_if<T: Serialize + ?Sized>(
        &self,
        table: &str,
        value: &T,
        condition: Condition,
    ) -> Result<(), Error> {
        let item = Item::from_serialize(value).map_err(Error::Serialize)?;
        self.put(table, item, Some(condition))
    }

    fn put(&self, table: &str, item: Item, condition: Option<Condition>) -> Result<(), Error> {
        let request = wit::PutItemRequest {
            table_name: table.to_owned(),
            item: wit::Item::Json(Data::from(wire::encode_item(item)).into_wit()),
            return_values: wit::ReturnValues::None,
            return_consumed_capacity: wit::ReturnConsumedCapacity::None,
            condition: condition.map(Condition::into_wit),
        };
        self.client.put_item(request)?;
        Ok(())
    }

    /// Remove the item of `table` with `key`. Removing a missing item succeeds.
    ///
    /// Sent to DynamoDB's HTTP API (see the [module docs](self)).
    ///
    /// # Errors
    /// See [`Error`].
    pub fn delete_item(&self, table: &str, key: impl Into<Key>) -> Result<(), Error> {
        self.delete(table, key.into(), None)
    }

    /// Remove the item of `table` with `key` if `condition` holds.
    ///
    /// Sent to DynamoDB's HTTP API (see the [module docs](self)).
    ///
    /// # Errors
    /// [`Error::ConditionFailed`] when it does not; otherwise as [`delete_item`](Self::delete_item).
    pub fn delete_item_if(
        &self,
        table: &str,
        key: impl Into<Key>,
        condition: Condition,
    ) -> Result<(), Error> {
        self.delete(table, key.into(), Some(condition))
    }

    fn delete(&self, table: &str, key: Key, condition: Option<Condition>) -> Result<(), Error> {
        let mut request = Map::new();
        request.insert("TableName".into(), Value::String(table.to_owned()));
        request.insert("Key".into(), wire::item_to_json(key.into_item()));
        if let Some(condition) = condition {
            condition.add_to(&mut request);
        }
        self.call("DeleteItem", Value::Object(request))?;
        Ok(())
    }

    /// One page of the items of a partition, as raw items.
    ///
    /// Sent to DynamoDB's HTTP API (see the [module docs](self)).
    ///
    /// # Errors
    /// See [`Error`]: e.g. `Malformed` when the partition key or the sort-key condition do not match the
    /// table's key schema.
    pub fn query_raw(&self, query: Query) -> Result<QueryOutput<Item>, Error> {
        let partition = query.partition_name().to_owned();
        let mut output = self.call("Query", query.into_json())?;
        let items = match output.get_mut("Items").map(Value::take) {
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| wire::item_from_json(item).map_err(Error::Other))
                .collect::<Result<_, _>>()?,
            None | Some(Value::Null) => Vec::new(),
            Some(other) => {
                return Err(Error::Other(format!(
                    "DynamoDB answered Query with Items that are not a list: {other}"
                )));
            }
        };
        let last_evaluated_key = match output.get_mut("LastEvaluatedKey").map(Value::take) {
            None | Some(Value::Null) => None,
            Some(key) => {
                let item = wire::item_from_json(key).map_err(Error::Other)?;
                Some(Key::from_item(item, &partition).ok_or_else(|| {
                    Error::Other(format!(
                        "DynamoDB answered Query with a LastEvaluatedKey without `{partition}`"
                    ))
                })?)
            }
        };
        Ok(QueryOutput {
            items,
            last_evaluated_key,
        })
    }

    /// One page of the items of a partition, converted into `T`.
    ///
    /// # Errors
    /// As [`query_raw`](Self::query_raw), and [`Error::Deserialize`] when an item does not fit `T`.
    pub fn query<T: DeserializeOwned>(&self, query: Query) -> Result<QueryOutput<T>, Error> {
        let output = self.query_raw(query)?;
        let items = output
            .items
            .into_iter()
            .map(|item| item.into_deserialize().map_err(Error::Deserialize))
            .collect::<Result<_, _>>()?;
        Ok(QueryOutput {
            items,
            last_evaluated_key: output.last_evaluated_key,
        })
    }

    /// Call `operation` of DynamoDB's HTTP API with `request`; its JSON answer.
    fn call(&self, operation: &str, request: Value) -> Result<Value, Error> {
        let (url, headers) = http_request(self.signer.region(), operation);
        let response = self
            .signer
            .send(
                "dynamodb",
                "POST",
                url,
                headers,
                request.to_string().into_bytes(),
            )
            .map_err(|e| Error::Other(format!("{operation} could not reach DynamoDB: {e}")))?;
        if !(200..300).contains(&response.status) {
            return Err(error::from_http(response.status, &response.body));
        }
        if response.body.is_empty() {
            return Ok(Value::Object(Map::new()));
        }
        serde_json::from_slice(&response.body).map_err(|e| {
            Error::Other(format!(
                "DynamoDB answered {operation} with invalid JSON: {e}"
            ))
        })
    }
}

/// URL and headers of a call to `operation` of DynamoDB's HTTP API in `region`.
fn http_request(region: &str, operation: &str) -> (String, Vec<(String, String)>) {
    (
        format!("https://dynamodb.{region}.amazonaws.com/"),
        vec![
            (
                "content-type".to_owned(),
                "application/x-amz-json-1.0".to_owned(),
            ),
            (
                "x-amz-target".to_owned(),
                format!("DynamoDB_20120810.{operation}"),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_calls_go_to_the_regional_endpoint_with_the_json_protocol() {
        let (url, headers) = http_request("eu-central-1", "Query");
        assert_eq!(url, "https://dynamodb.eu-central-1.amazonaws.com/");
        assert_eq!(
            headers,
            [
                (
                    "content-type".to_owned(),
                    "application/x-amz-json-1.0".to_owned()
                ),
                (
                    "x-amz-target".to_owned(),
                    "DynamoDB_20120810.Query".to_owned()
                ),
            ]
        );
    }
}
