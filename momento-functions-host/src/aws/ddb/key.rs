//! [`Key`] and [`KeyValue`]: the primary key of an item.

use crate::wit::momento::aws_ddb::aws_ddb as wit;

use super::value::{AttributeValue, Item, base64_encode};

/// The value of a key attribute: DynamoDB keys are strings, numbers or binary.
///
/// Converts from strings, integers and bytes:
///
/// ```
/// use momento_functions_host::aws::ddb::KeyValue;
///
/// assert_eq!(KeyValue::from("u1"), KeyValue::S("u1".into()));
/// assert_eq!(KeyValue::from(7_u32), KeyValue::N("7".into()));
/// assert_eq!(KeyValue::from(vec![1_u8]), KeyValue::B(vec![1]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyValue {
    /// A string (`S`).
    S(String),
    /// A number as decimal text (`N`).
    N(String),
    /// Binary (`B`).
    B(Vec<u8>),
}

impl KeyValue {
    /// A number key from anything that prints as a decimal.
    pub fn number(value: impl std::fmt::Display) -> Self {
        KeyValue::N(value.to_string())
    }

    /// The key value for the host; binary goes as base64 text.
    pub(crate) fn into_wit(self) -> wit::KeyValue {
        match self {
            KeyValue::S(s) => wit::KeyValue::S(s),
            KeyValue::N(n) => wit::KeyValue::N(n),
            KeyValue::B(b) => wit::KeyValue::B(base64_encode(&b)),
        }
    }

    /// A key value from an attribute value, if it is of a key type.
    fn from_attribute(value: AttributeValue) -> Option<Self> {
        match value {
            AttributeValue::S(s) => Some(KeyValue::S(s)),
            AttributeValue::N(n) => Some(KeyValue::N(n)),
            AttributeValue::B(b) => Some(KeyValue::B(b)),
            _ => None,
        }
    }
}

impl From<KeyValue> for AttributeValue {
    fn from(value: KeyValue) -> Self {
        match value {
            KeyValue::S(s) => AttributeValue::S(s),
            KeyValue::N(n) => AttributeValue::N(n),
            KeyValue::B(b) => AttributeValue::B(b),
        }
    }
}

impl From<String> for KeyValue {
    fn from(value: String) -> Self {
        KeyValue::S(value)
    }
}

impl From<&str> for KeyValue {
    fn from(value: &str) -> Self {
        KeyValue::S(value.to_owned())
    }
}

impl From<&String> for KeyValue {
    fn from(value: &String) -> Self {
        KeyValue::S(value.clone())
    }
}

impl From<Vec<u8>> for KeyValue {
    fn from(value: Vec<u8>) -> Self {
        KeyValue::B(value)
    }
}

impl From<&[u8]> for KeyValue {
    fn from(value: &[u8]) -> Self {
        KeyValue::B(value.to_vec())
    }
}

macro_rules! number_key {
    ($($t:ty),*) => {$(
        impl From<$t> for KeyValue {
            fn from(value: $t) -> Self {
                KeyValue::N(value.to_string())
            }
        }
    )*};
}
number_key!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

/// The primary key of an item: the partition key, and the sort key when the table has one.
///
/// Write it as a `(name, value)` tuple, a pair of tuples, or with the builder:
///
/// ```
/// use momento_functions_host::aws::ddb::{Key, KeyValue};
///
/// let user = Key::from(("user_id", "u1"));
/// let order = Key::from((("customer_id", "c1"), ("order_no", 17)));
/// assert_eq!(order, Key::new("customer_id", "c1").with_sort("order_no", 17));
/// assert_eq!(order.sort(), Some(("order_no", &KeyValue::N("17".into()))));
/// assert_eq!(user.partition(), ("user_id", &KeyValue::S("u1".into())));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    partition: (String, KeyValue),
    sort: Option<(String, KeyValue)>,
}

impl Key {
    /// A key with only a partition key.
    pub fn new(name: impl Into<String>, value: impl Into<KeyValue>) -> Self {
        Key {
            partition: (name.into(), value.into()),
            sort: None,
        }
    }

    /// Add (or replace) the sort key.
    pub fn with_sort(mut self, name: impl Into<String>, value: impl Into<KeyValue>) -> Self {
        self.sort = Some((name.into(), value.into()));
        self
    }

    /// The partition key's name and value.
    pub fn partition(&self) -> (&str, &KeyValue) {
        (&self.partition.0, &self.partition.1)
    }

    /// The sort key's name and value, if any.
    pub fn sort(&self) -> Option<(&str, &KeyValue)> {
        self.sort.as_ref().map(|(n, v)| (n.as_str(), v))
    }

    pub(crate) fn into_wit(self) -> Vec<wit::KeyAttribute> {
        let mut attributes = Vec::with_capacity(2);
        attributes.push(attribute(self.partition.0, self.partition.1));
        if let Some((name, value)) = self.sort {
            attributes.push(attribute(name, value));
        }
        attributes
    }

    /// The key as an item (for DynamoDB's JSON).
    pub(crate) fn into_item(self) -> Item {
        let mut item = Item::new().with(self.partition.0, self.partition.1);
        if let Some((name, value)) = self.sort {
            item.insert(name, value);
        }
        item
    }

    /// A key DynamoDB returned (`LastEvaluatedKey`) of a table whose partition key is `partition`: that
    /// attribute, and the other one (if any) as the sort key.
    pub(crate) fn from_item(item: Item, partition: &str) -> Option<Self> {
        let mut attributes: Vec<(String, AttributeValue)> = item.into_iter().collect();
        let index = attributes.iter().position(|(name, _)| name == partition)?;
        let (name, value) = attributes.remove(index);
        let mut key = Key::new(name, KeyValue::from_attribute(value)?);
        if attributes.len() == 1
            && let Some((name, value)) = attributes.pop()
        {
            key = key.with_sort(name, KeyValue::from_attribute(value)?);
        }
        Some(key)
    }
}

fn attribute(name: String, value: KeyValue) -> wit::KeyAttribute {
    wit::KeyAttribute {
        name,
        value: value.into_wit(),
    }
}

impl<V: Into<KeyValue>> From<(&str, V)> for Key {
    fn from((name, value): (&str, V)) -> Self {
        Key::new(name, value)
    }
}

impl<V: Into<KeyValue>> From<(String, V)> for Key {
    fn from((name, value): (String, V)) -> Self {
        Key::new(name, value)
    }
}

impl<V1: Into<KeyValue>, V2: Into<KeyValue>> From<((&str, V1), (&str, V2))> for Key {
    fn from(((p, pv), (s, sv)): ((&str, V1), (&str, V2))) -> Self {
        Key::new(p, pv).with_sort(s, sv)
    }
}

impl<V1: Into<KeyValue>, V2: Into<KeyValue>> From<((String, V1), (String, V2))> for Key {
    fn from(((p, pv), (s, sv)): ((String, V1), (String, V2))) -> Self {
        Key::new(p, pv).with_sort(s, sv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cross_the_boundary_partition_first() {
        let key = Key::from((("pk", "a"), ("sk", vec![1u8])));
        let wit = key.clone().into_wit();
        assert_eq!(wit.len(), 2);
        assert_eq!(wit[0].name, "pk");
        assert!(matches!(&wit[1].value, wit::KeyValue::B(b) if b == "AQ=="));
        let only = Key::from((String::from("id"), 5_i64));
        assert_eq!(only.sort(), None);
        assert_eq!(
            AttributeValue::from(KeyValue::number(1.5)),
            AttributeValue::N("1.5".into())
        );
    }

    #[test]
    fn returned_keys_put_the_partition_first() {
        let item = Item::new().with("a_sort", 3).with("z_part", "p");
        let key = Key::from_item(item.clone(), "z_part").expect("a key");
        assert_eq!(key, Key::new("z_part", "p").with_sort("a_sort", 3));
        assert_eq!(key.into_item(), item);
        assert_eq!(Key::from_item(Item::new().with("x", 1), "y"), None);
        assert_eq!(
            Key::from_item(Item::new().with("p", true), "p"),
            None,
            "a boolean is no key"
        );
        assert_eq!(
            Key::from_item(Item::new().with("p", 1), "p"),
            Some(Key::new("p", 1))
        );
    }
}
