//! Amazon DynamoDB: get, put (optionally conditional), delete and query items, as raw [`Item`]s or your
//! own serde types.
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

use crate::aws::auth::AwsCredentialsProvider;
use crate::wit::momento::functions::aws_ddb as wit;

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
}

fn decode(text: &str) -> Result<Item, Error> {
    wire::decode_item(text).map_err(Error::Other)
}

impl DynamoDBClient {
    /// A client using `provider`'s credentials and region. The provider may be dropped afterwards.
    pub fn new(provider: &AwsCredentialsProvider) -> Self {
        DynamoDBClient {
            client: wit::Client::new(&provider.inner),
        }
    }

    /// The item of `table` with `key`, or `None`.
    ///
    /// # Errors
    /// See [`Error`]: e.g. `NotFound` for a missing table, `Malformed` for a key that does not match the
    /// table's key schema.
    pub fn get_item_raw(&self, table: &str, key: impl Into<Key>) -> Result<Option<Item>, Error> {
        match self.client.get_item(table, &key.into().into_wit())? {
            Some(text) => decode(&text).map(Some),
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
        let condition = condition.map(Condition::into_wit);
        self.client
            .put_item(table, &wire::encode_item(item), condition.as_ref())?;
        Ok(())
    }

    /// Remove the item of `table` with `key`. Removing a missing item succeeds.
    ///
    /// # Errors
    /// See [`Error`].
    pub fn delete_item(&self, table: &str, key: impl Into<Key>) -> Result<(), Error> {
        self.client
            .delete_item(table, &key.into().into_wit(), None)?;
        Ok(())
    }

    /// Remove the item of `table` with `key` if `condition` holds.
    ///
    /// # Errors
    /// [`Error::ConditionFailed`] when it does not; otherwise as [`delete_item`](Self::delete_item).
    pub fn delete_item_if(
        &self,
        table: &str,
        key: impl Into<Key>,
        condition: Condition,
    ) -> Result<(), Error> {
        let condition = condition.into_wit();
        self.client
            .delete_item(table, &key.into().into_wit(), Some(&condition))?;
        Ok(())
    }

    /// One page of the items of a partition, as raw items.
    ///
    /// # Errors
    /// See [`Error`]: e.g. `Malformed` when the partition key or the sort-key condition do not match the
    /// table's key schema.
    pub fn query_raw(&self, query: Query) -> Result<QueryOutput<Item>, Error> {
        let output = self.client.query(&query.into_wit())?;
        let items = output
            .items
            .iter()
            .map(|text| decode(text))
            .collect::<Result<_, _>>()?;
        Ok(QueryOutput {
            items,
            last_evaluated_key: output.last_evaluated_key.and_then(Key::from_wit),
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
}
