//! [`AttributeValue`] and [`Item`]: DynamoDB's data model, serialized to plain JSON.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::convert::ItemError;

/// One DynamoDB attribute value: the ten types of DynamoDB's data model.
///
/// Numbers are kept as DynamoDB sends them, as decimal text (up to 38 digits, more than `f64` holds).
/// As plain JSON ([`Serialize`]) a value is what you would expect: `S` a string, `N` a number, `B` a base64
/// string, `Bool` a boolean, `Null` null, `L` and the sets arrays, `M` an object.
///
/// ```
/// use momento_functions_host::aws::ddb::AttributeValue;
///
/// let age = AttributeValue::from(42);
/// assert_eq!(age, AttributeValue::N("42".into()));
/// assert_eq!(age.as_i64(), Some(42));
/// assert_eq!(serde_json::to_string(&age).unwrap(), "42");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttributeValue {
    /// A string (`S`).
    S(String),
    /// A number as decimal text (`N`).
    N(String),
    /// Binary (`B`).
    B(Vec<u8>),
    /// A boolean (`BOOL`).
    Bool(bool),
    /// Null (`NULL`).
    Null,
    /// A list of values of any types (`L`).
    L(Vec<AttributeValue>),
    /// A map of names to values (`M`).
    M(BTreeMap<String, AttributeValue>),
    /// A set of strings (`SS`).
    Ss(Vec<String>),
    /// A set of numbers as decimal text (`NS`).
    Ns(Vec<String>),
    /// A set of binary values (`BS`).
    Bs(Vec<Vec<u8>>),
}

impl AttributeValue {
    /// A number from anything that prints as a decimal, e.g. `AttributeValue::number(2.5)`.
    pub fn number(value: impl fmt::Display) -> Self {
        AttributeValue::N(value.to_string())
    }

    /// DynamoDB's name of the value's type: `S`, `N`, `B`, `BOOL`, `NULL`, `L`, `M`, `SS`, `NS` or `BS`.
    pub fn type_name(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "S",
            AttributeValue::N(_) => "N",
            AttributeValue::B(_) => "B",
            AttributeValue::Bool(_) => "BOOL",
            AttributeValue::Null => "NULL",
            AttributeValue::L(_) => "L",
            AttributeValue::M(_) => "M",
            AttributeValue::Ss(_) => "SS",
            AttributeValue::Ns(_) => "NS",
            AttributeValue::Bs(_) => "BS",
        }
    }

    /// The string of an `S`.
    pub fn as_s(&self) -> Option<&str> {
        match self {
            AttributeValue::S(s) => Some(s),
            _ => None,
        }
    }

    /// The decimal text of an `N`.
    pub fn as_n(&self) -> Option<&str> {
        match self {
            AttributeValue::N(n) => Some(n),
            _ => None,
        }
    }

    /// An `N` that is an integer fitting `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_n().and_then(|n| n.parse().ok())
    }

    /// An `N` as the nearest `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_n()
            .and_then(|n| n.parse::<f64>().ok())
            .filter(|f| f.is_finite())
    }

    /// The bytes of a `B`.
    pub fn as_b(&self) -> Option<&[u8]> {
        match self {
            AttributeValue::B(b) => Some(b),
            _ => None,
        }
    }

    /// The boolean of a `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            AttributeValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Is it `Null`?
    pub fn is_null(&self) -> bool {
        matches!(self, AttributeValue::Null)
    }

    /// The values of an `L`.
    pub fn as_l(&self) -> Option<&[AttributeValue]> {
        match self {
            AttributeValue::L(l) => Some(l),
            _ => None,
        }
    }

    /// The entries of an `M`.
    pub fn as_m(&self) -> Option<&BTreeMap<String, AttributeValue>> {
        match self {
            AttributeValue::M(m) => Some(m),
            _ => None,
        }
    }
}

impl From<String> for AttributeValue {
    fn from(value: String) -> Self {
        AttributeValue::S(value)
    }
}

impl From<&str> for AttributeValue {
    fn from(value: &str) -> Self {
        AttributeValue::S(value.to_owned())
    }
}

impl From<&String> for AttributeValue {
    fn from(value: &String) -> Self {
        AttributeValue::S(value.clone())
    }
}

macro_rules! number_from {
    ($($t:ty),*) => {$(
        impl From<$t> for AttributeValue {
            fn from(value: $t) -> Self {
                AttributeValue::N(value.to_string())
            }
        }
    )*};
}
number_from!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

impl From<bool> for AttributeValue {
    fn from(value: bool) -> Self {
        AttributeValue::Bool(value)
    }
}

impl From<Vec<u8>> for AttributeValue {
    fn from(value: Vec<u8>) -> Self {
        AttributeValue::B(value)
    }
}

impl From<&[u8]> for AttributeValue {
    fn from(value: &[u8]) -> Self {
        AttributeValue::B(value.to_vec())
    }
}

impl From<Vec<AttributeValue>> for AttributeValue {
    fn from(value: Vec<AttributeValue>) -> Self {
        AttributeValue::L(value)
    }
}

impl From<BTreeMap<String, AttributeValue>> for AttributeValue {
    fn from(value: BTreeMap<String, AttributeValue>) -> Self {
        AttributeValue::M(value)
    }
}

impl From<Item> for AttributeValue {
    fn from(value: Item) -> Self {
        AttributeValue::M(value.attributes)
    }
}

impl<T: Into<AttributeValue>> From<Option<T>> for AttributeValue {
    fn from(value: Option<T>) -> Self {
        value.map_or(AttributeValue::Null, Into::into)
    }
}

/// Serialize a number's decimal text as a JSON number when `f64` or an integer type holds it exactly
/// enough, else as a string (so that 38-digit numbers survive).
fn serialize_number<S: Serializer>(n: &str, serializer: S) -> Result<S::Ok, S::Error> {
    if let Ok(i) = n.parse::<i64>() {
        return serializer.serialize_i64(i);
    }
    if let Ok(u) = n.parse::<u64>() {
        return serializer.serialize_u64(u);
    }
    match n.parse::<f64>() {
        // Keep the number a number when printing the f64 gives the same value back.
        Ok(f) if f.is_finite() && (f.to_string() == n || significant_digits(n) <= 15) => {
            serializer.serialize_f64(f)
        }
        _ => serializer.serialize_str(n),
    }
}

fn significant_digits(n: &str) -> usize {
    let mantissa = n.split(['e', 'E']).next().unwrap_or(n);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').trim_end_matches('0').len()
}

pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn base64_decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    base64::engine::general_purpose::STANDARD.decode(text)
}

/// A number's decimal text, serialized as a JSON number where possible.
struct Number<'a>(&'a str);

impl Serialize for Number<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_number(self.0, serializer)
    }
}

/// Bytes serialized as a base64 string.
struct Base64<'a>(&'a [u8]);

impl Serialize for Base64<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64_encode(self.0))
    }
}

fn serialize_seq<S, T, I>(serializer: S, items: I) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    T: Serialize,
    I: ExactSizeIterator<Item = T>,
{
    let mut seq = serializer.serialize_seq(Some(items.len()))?;
    for item in items {
        seq.serialize_element(&item)?;
    }
    seq.end()
}

/// Plain JSON: `S` a string, `N` a number (a string when it has more digits than a JSON number keeps
/// exactly), `B` base64, `Bool`, `Null`, `L` and sets arrays, `M` an object.
impl Serialize for AttributeValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            AttributeValue::S(s) => serializer.serialize_str(s),
            AttributeValue::N(n) => serialize_number(n, serializer),
            AttributeValue::B(b) => Base64(b).serialize(serializer),
            AttributeValue::Bool(b) => serializer.serialize_bool(*b),
            AttributeValue::Null => serializer.serialize_unit(),
            AttributeValue::L(l) => serialize_seq(serializer, l.iter()),
            AttributeValue::M(m) => serialize_map(serializer, m),
            AttributeValue::Ss(ss) => serialize_seq(serializer, ss.iter()),
            AttributeValue::Ns(ns) => serialize_seq(serializer, ns.iter().map(|n| Number(n))),
            AttributeValue::Bs(bs) => serialize_seq(serializer, bs.iter().map(|b| Base64(b))),
        }
    }
}

fn serialize_map<S: Serializer>(
    serializer: S,
    map: &BTreeMap<String, AttributeValue>,
) -> Result<S::Ok, S::Error> {
    let mut out = serializer.serialize_map(Some(map.len()))?;
    for (name, value) in map {
        out.serialize_entry(name, value)?;
    }
    out.end()
}

/// From plain JSON (or any self-describing format): strings become `S`, numbers `N`, booleans `Bool`,
/// null `Null`, arrays `L`, objects `M`, bytes `B`.
impl<'de> Deserialize<'de> for AttributeValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = AttributeValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<AttributeValue, E> {
        Ok(AttributeValue::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<AttributeValue, E> {
        Ok(AttributeValue::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<AttributeValue, E> {
        Ok(AttributeValue::from(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<AttributeValue, E> {
        Ok(AttributeValue::from(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<AttributeValue, E> {
        Ok(AttributeValue::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<AttributeValue, E> {
        if !v.is_finite() {
            return Err(E::custom(format!("{v} is not a number DynamoDB can store")));
        }
        Ok(AttributeValue::N(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<AttributeValue, E> {
        Ok(AttributeValue::S(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<AttributeValue, E> {
        Ok(AttributeValue::S(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<AttributeValue, E> {
        Ok(AttributeValue::B(v.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<AttributeValue, E> {
        Ok(AttributeValue::B(v))
    }

    fn visit_none<E: de::Error>(self) -> Result<AttributeValue, E> {
        Ok(AttributeValue::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<AttributeValue, E> {
        Ok(AttributeValue::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<AttributeValue, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AttributeValue, A::Error> {
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(value) = seq.next_element()? {
            values.push(value);
        }
        Ok(AttributeValue::L(values))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AttributeValue, A::Error> {
        let mut values = BTreeMap::new();
        while let Some((name, value)) = map.next_entry::<String, AttributeValue>()? {
            values.insert(name, value);
        }
        Ok(AttributeValue::M(values))
    }
}

/// A DynamoDB item: attribute names and their values.
///
/// It serializes to plain JSON (`{"user_id":"u1","age":42}`), so a handler can return it as is, and
/// deserializes from plain JSON too. [`Item::from_serialize`] and [`Item::into_deserialize`] convert to and
/// from your own types; the client's typed methods use them.
///
/// ```
/// use momento_functions_host::aws::ddb::{AttributeValue, Item};
///
/// let item = Item::new().with("user_id", "u1").with("age", 42);
/// assert_eq!(item.get("age"), Some(&AttributeValue::N("42".into())));
/// assert_eq!(serde_json::to_string(&item).unwrap(), r#"{"age":42,"user_id":"u1"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    attributes: BTreeMap<String, AttributeValue>,
}

impl Item {
    /// An item without attributes.
    pub fn new() -> Self {
        Item::default()
    }

    /// Add or replace an attribute, builder style.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<AttributeValue>) -> Self {
        self.insert(name, value);
        self
    }

    /// Add or replace an attribute; returns the old value.
    pub fn insert(
        &mut self,
        name: impl Into<String>,
        value: impl Into<AttributeValue>,
    ) -> Option<AttributeValue> {
        self.attributes.insert(name.into(), value.into())
    }

    /// The attribute `name`.
    pub fn get(&self, name: &str) -> Option<&AttributeValue> {
        self.attributes.get(name)
    }

    /// Remove the attribute `name`.
    pub fn remove(&mut self, name: &str) -> Option<AttributeValue> {
        self.attributes.remove(name)
    }

    /// How many attributes it has.
    pub fn len(&self) -> usize {
        self.attributes.len()
    }

    /// Has it no attributes?
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty()
    }

    /// The attributes by name.
    pub fn attributes(&self) -> &BTreeMap<String, AttributeValue> {
        &self.attributes
    }

    /// Iterate over the attributes in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &AttributeValue)> {
        self.attributes.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Convert any serializable value into an item: a struct or map becomes the attributes, strings
    /// `S`, numbers `N`, booleans `Bool`, `None` and `()` `Null`, sequences `L`, nested structs and maps `M`.
    ///
    /// ```
    /// use momento_functions_host::aws::ddb::Item;
    ///
    /// #[derive(serde::Serialize)]
    /// struct User { user_id: String, age: u32, nickname: Option<String> }
    ///
    /// let item = Item::from_serialize(&User { user_id: "u1".into(), age: 42, nickname: None }).unwrap();
    /// assert_eq!(item.get("age").and_then(|a| a.as_i64()), Some(42));
    /// assert!(item.get("nickname").unwrap().is_null());
    /// ```
    ///
    /// # Errors
    /// When the value is not a struct or map, or a map key is not a string.
    pub fn from_serialize<T: Serialize + ?Sized>(value: &T) -> Result<Item, ItemError> {
        super::convert::to_item(value)
    }

    /// Convert the item into your own type, naming the attribute that does not fit when one does not.
    ///
    /// ```
    /// use momento_functions_host::aws::ddb::Item;
    ///
    /// #[derive(Debug, serde::Deserialize)]
    /// struct User { user_id: String, age: u32 }
    ///
    /// let user: User = Item::new().with("user_id", "u1").with("age", 42).into_deserialize().unwrap();
    /// assert_eq!(user.age, 42);
    ///
    /// let error = Item::new().with("user_id", 7).into_deserialize::<User>().unwrap_err();
    /// assert!(error.to_string().starts_with("attribute `user_id`: invalid type"), "{error}");
    /// ```
    ///
    /// # Errors
    /// When an attribute is missing or has another type than the field.
    pub fn into_deserialize<T: serde::de::DeserializeOwned>(self) -> Result<T, ItemError> {
        super::convert::from_item(self)
    }
}

impl From<BTreeMap<String, AttributeValue>> for Item {
    fn from(attributes: BTreeMap<String, AttributeValue>) -> Self {
        Item { attributes }
    }
}

impl From<Item> for BTreeMap<String, AttributeValue> {
    fn from(item: Item) -> Self {
        item.attributes
    }
}

impl<K: Into<String>, V: Into<AttributeValue>> FromIterator<(K, V)> for Item {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Item {
            attributes: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl IntoIterator for Item {
    type Item = (String, AttributeValue);
    type IntoIter = std::collections::btree_map::IntoIter<String, AttributeValue>;

    fn into_iter(self) -> Self::IntoIter {
        self.attributes.into_iter()
    }
}

impl<'a> IntoIterator for &'a Item {
    type Item = (&'a String, &'a AttributeValue);
    type IntoIter = std::collections::btree_map::Iter<'a, String, AttributeValue>;

    fn into_iter(self) -> Self::IntoIter {
        self.attributes.iter()
    }
}

impl Serialize for Item {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_map(serializer, &self.attributes)
    }
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match AttributeValue::deserialize(deserializer)? {
            AttributeValue::M(attributes) => Ok(Item { attributes }),
            other => Err(de::Error::custom(format!(
                "a DynamoDB item is a JSON object, not {}",
                super::convert::describe(&other)
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn every_type() -> Item {
        Item::new()
            .with("s", "text")
            .with("n", 42)
            .with("f", AttributeValue::number(2.5))
            .with("b", vec![0u8, 1, 255])
            .with("bool", true)
            .with("null", AttributeValue::Null)
            .with(
                "l",
                vec![AttributeValue::from(1), AttributeValue::from("x")],
            )
            .with(
                "m",
                Item::new()
                    .with("inner", "v")
                    .with("deep", Item::new().with("x", 1)),
            )
            .with("ss", AttributeValue::Ss(vec!["a".into(), "b".into()]))
            .with("ns", AttributeValue::Ns(vec!["1".into(), "2.5".into()]))
            .with("bs", AttributeValue::Bs(vec![vec![1], vec![2, 3]]))
    }

    #[test]
    fn items_serialize_to_plain_json() {
        assert_eq!(
            serde_json::to_value(every_type()).expect("must succeed"),
            json!({
                "s": "text", "n": 42, "f": 2.5, "b": "AAH/", "bool": true, "null": null,
                "l": [1, "x"], "m": {"inner": "v", "deep": {"x": 1}},
                "ss": ["a", "b"], "ns": [1, 2.5], "bs": ["AQ==", "AgM="]
            })
        );
    }

    #[test]
    fn numbers_too_precise_for_json_stay_text() {
        let big = "12345678901234567890123456789012345678";
        assert_eq!(
            serde_json::to_value(AttributeValue::N(big.into())).expect("must succeed"),
            json!(big)
        );
        assert_eq!(
            serde_json::to_value(AttributeValue::N("18446744073709551615".into()))
                .expect("must succeed"),
            json!(u64::MAX)
        );
        assert_eq!(
            serde_json::to_value(AttributeValue::N("-0.125".into())).expect("must succeed"),
            json!(-0.125)
        );
        assert_eq!(
            serde_json::to_value(AttributeValue::N("1E+3".into())).expect("must succeed"),
            json!(1000.0)
        );
    }

    #[test]
    fn items_deserialize_from_plain_json() {
        let item: Item =
            serde_json::from_value(json!({"id": "a", "n": 7, "f": 1.5, "ok": false, "none": null, "l": [1], "m": {"k": "v"}}))
                .expect("must succeed");
        assert_eq!(
            item,
            Item::new()
                .with("id", "a")
                .with("n", 7)
                .with("f", AttributeValue::N("1.5".into()))
                .with("ok", false)
                .with("none", AttributeValue::Null)
                .with("l", vec![AttributeValue::from(1)])
                .with("m", Item::new().with("k", "v"))
        );
        let error = serde_json::from_value::<Item>(json!([1])).expect_err("must fail");
        assert!(
            error
                .to_string()
                .contains("a DynamoDB item is a JSON object, not a list"),
            "{error}"
        );
    }

    #[test]
    fn accessors_and_conversions() {
        let item = every_type();
        assert_eq!(item.get("s").and_then(AttributeValue::as_s), Some("text"));
        assert_eq!(item.get("n").and_then(AttributeValue::as_i64), Some(42));
        assert_eq!(item.get("f").and_then(AttributeValue::as_f64), Some(2.5));
        assert_eq!(
            item.get("b").and_then(AttributeValue::as_b),
            Some(&[0u8, 1, 255][..])
        );
        assert_eq!(
            item.get("bool").and_then(AttributeValue::as_bool),
            Some(true)
        );
        assert!(item.get("null").is_some_and(AttributeValue::is_null));
        assert_eq!(
            item.get("l").and_then(AttributeValue::as_l).map(<[_]>::len),
            Some(2)
        );
        assert!(item.get("m").and_then(AttributeValue::as_m).is_some());
        let names: Vec<&str> = item
            .iter()
            .map(|(n, v)| {
                let _ = v.type_name();
                n
            })
            .collect();
        assert_eq!(names.len(), 11);
        assert_eq!(AttributeValue::from(None::<String>), AttributeValue::Null);
        assert_eq!(
            AttributeValue::from(Some("x")),
            AttributeValue::S("x".into())
        );
        let types: Vec<_> = every_type()
            .into_iter()
            .map(|(_, v)| v.type_name())
            .collect();
        assert_eq!(
            types,
            [
                "B", "BOOL", "BS", "N", "L", "M", "N", "NS", "NULL", "S", "SS"
            ]
        );
    }
}
