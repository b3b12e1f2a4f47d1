//! Converting items to and from your own types with serde.
//!
//! Writing goes through `serde_json::Value` (numbers, strings, booleans, null, arrays and objects map to
//! `N`, `S`, `Bool`, `Null`, `L` and `M`). Reading uses a deserializer over the attribute values, so binary
//! (`B`, `BS`) and sets (`SS`, `NS`) read into `Vec<u8>`, `Vec<String>` and so on, and an error names the
//! attribute that does not fit.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::value::{SeqDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use serde::forward_to_deserialize_any;

use super::value::{AttributeValue, Item};

/// An item that does not fit a type, or a value that is not an item. The message names the attribute
/// (`attribute `address.city`: invalid type: ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    /// Path segments, innermost first.
    path: Vec<String>,
    message: String,
}

impl ItemError {
    fn new(message: impl Into<String>) -> Self {
        ItemError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    fn within(mut self, segment: String) -> Self {
        self.path.push(segment);
        self
    }

    /// The attribute path the error is about (`address.city`, `tags[2]`), empty for the item itself.
    pub fn path(&self) -> String {
        let mut path = String::new();
        for segment in self.path.iter().rev() {
            if !segment.starts_with('[') && !path.is_empty() {
                path.push('.');
            }
            path.push_str(segment);
        }
        path
    }

    /// What went wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "attribute `{}`: {}", self.path(), self.message)
        }
    }
}

impl std::error::Error for ItemError {}

impl de::Error for ItemError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ItemError::new(msg.to_string())
    }
}

/// "a string", "a number", ... for messages.
pub(crate) fn describe(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::S(_) => "a string",
        AttributeValue::N(_) => "a number",
        AttributeValue::B(_) => "binary",
        AttributeValue::Bool(_) => "a boolean",
        AttributeValue::Null => "null",
        AttributeValue::L(_) => "a list",
        AttributeValue::M(_) => "a map",
        AttributeValue::Ss(_) => "a string set",
        AttributeValue::Ns(_) => "a number set",
        AttributeValue::Bs(_) => "a binary set",
    }
}

fn from_json(value: serde_json::Value) -> AttributeValue {
    use serde_json::Value;
    match value {
        Value::Null => AttributeValue::Null,
        Value::Bool(b) => AttributeValue::Bool(b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(s) => AttributeValue::S(s),
        Value::Array(values) => AttributeValue::L(values.into_iter().map(from_json).collect()),
        Value::Object(map) => {
            AttributeValue::M(map.into_iter().map(|(k, v)| (k, from_json(v))).collect())
        }
    }
}

pub(crate) fn to_item<T: serde::Serialize + ?Sized>(value: &T) -> Result<Item, ItemError> {
    let json = serde_json::to_value(value).map_err(|e| ItemError::new(e.to_string()))?;
    match from_json(json) {
        AttributeValue::M(attributes) => Ok(Item::from(attributes)),
        other => Err(ItemError::new(format!(
            "a DynamoDB item must serialize as a struct or map, not {}",
            describe(&other)
        ))),
    }
}

pub(crate) fn from_item<T: de::DeserializeOwned>(item: Item) -> Result<T, ItemError> {
    T::deserialize(AttributeValue::M(item.into()))
}

fn visit_number<'de, V: Visitor<'de>>(n: String, visitor: V) -> Result<V::Value, ItemError> {
    if let Ok(i) = n.parse::<i64>() {
        return visitor.visit_i64(i);
    }
    if let Ok(u) = n.parse::<u64>() {
        return visitor.visit_u64(u);
    }
    if let Ok(i) = n.parse::<i128>() {
        return visitor.visit_i128(i);
    }
    match n.parse::<f64>() {
        Ok(f) if f.is_finite() => visitor.visit_f64(f),
        _ => Err(ItemError::new(format!("`{n}` is not a number"))),
    }
}

/// A sequence whose element errors name their index.
struct Seq<I> {
    items: I,
    index: usize,
}

impl<'de, I: Iterator<Item = AttributeValue>> de::SeqAccess<'de> for Seq<I> {
    type Error = ItemError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, ItemError> {
        let Some(value) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(value)
            .map(Some)
            .map_err(|e| e.within(format!("[{index}]")))
    }

    fn size_hint(&self) -> Option<usize> {
        self.items.size_hint().1
    }
}

fn visit_seq<'de, V, I>(items: I, visitor: V) -> Result<V::Value, ItemError>
where
    V: Visitor<'de>,
    I: Iterator<Item = AttributeValue>,
{
    let mut seq = Seq { items, index: 0 };
    let value = visitor.visit_seq(&mut seq)?;
    if seq.items.next().is_some() {
        return Err(ItemError::new(format!(
            "a list of {} values is longer than expected",
            seq.index + 1 + seq.items.count()
        )));
    }
    Ok(value)
}

/// A map whose value errors name their attribute.
struct Map {
    entries: std::collections::btree_map::IntoIter<String, AttributeValue>,
    value: Option<(String, AttributeValue)>,
}

impl<'de> MapAccess<'de> for Map {
    type Error = ItemError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ItemError> {
        let Some((name, value)) = self.entries.next() else {
            return Ok(None);
        };
        let key =
            seed.deserialize::<StringDeserializer<ItemError>>(name.clone().into_deserializer())?;
        self.value = Some((name, value));
        Ok(Some(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, ItemError> {
        let (name, value) = self
            .value
            .take()
            .ok_or_else(|| ItemError::new("a map value was read before its key"))?;
        seed.deserialize(value).map_err(|e| e.within(name))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

fn map(entries: BTreeMap<String, AttributeValue>) -> Map {
    Map {
        entries: entries.into_iter(),
        value: None,
    }
}

/// An externally tagged enum variant: `S` for a unit variant, a one-entry `M` for the others.
struct Enum {
    variant: String,
    value: Option<AttributeValue>,
}

impl<'de> de::EnumAccess<'de> for Enum {
    type Error = ItemError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), ItemError> {
        let variant = seed.deserialize::<StringDeserializer<ItemError>>(
            self.variant.clone().into_deserializer(),
        )?;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for Enum {
    type Error = ItemError;

    fn unit_variant(self) -> Result<(), ItemError> {
        match self.value {
            None | Some(AttributeValue::Null) => Ok(()),
            Some(other) => Err(ItemError::new(format!(
                "unit variant `{}` carries {}",
                self.variant,
                describe(&other)
            ))),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, ItemError> {
        let variant = self.variant;
        match self.value {
            Some(value) => seed.deserialize(value).map_err(|e| e.within(variant)),
            None => Err(ItemError::new(format!("variant `{variant}` needs a value"))),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ItemError> {
        let variant = self.variant;
        match self.value {
            Some(value) => {
                de::Deserializer::deserialize_seq(value, visitor).map_err(|e| e.within(variant))
            }
            None => Err(ItemError::new(format!("variant `{variant}` needs a list"))),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ItemError> {
        let variant = self.variant;
        match self.value {
            Some(value) => {
                de::Deserializer::deserialize_map(value, visitor).map_err(|e| e.within(variant))
            }
            None => Err(ItemError::new(format!("variant `{variant}` needs a map"))),
        }
    }
}

impl<'de> IntoDeserializer<'de, ItemError> for AttributeValue {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// Reads attribute values into any `Deserialize` type.
impl<'de> de::Deserializer<'de> for AttributeValue {
    type Error = ItemError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ItemError> {
        match self {
            AttributeValue::S(s) => visitor.visit_string(s),
            AttributeValue::N(n) => visit_number(n, visitor),
            AttributeValue::B(b) => visitor.visit_byte_buf(b),
            AttributeValue::Bool(b) => visitor.visit_bool(b),
            AttributeValue::Null => visitor.visit_unit(),
            AttributeValue::L(l) => visit_seq(l.into_iter(), visitor),
            AttributeValue::M(m) => visitor.visit_map(map(m)),
            AttributeValue::Ss(ss) => visit_seq(ss.into_iter().map(AttributeValue::S), visitor),
            AttributeValue::Ns(ns) => visit_seq(ns.into_iter().map(AttributeValue::N), visitor),
            AttributeValue::Bs(bs) => visit_seq(bs.into_iter().map(AttributeValue::B), visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ItemError> {
        match self {
            AttributeValue::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    /// Binary reads as a sequence of bytes too, so `Vec<u8>` fields read `B` values.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ItemError> {
        match self {
            AttributeValue::B(bytes) => {
                let mut seq = SeqDeserializer::new(bytes.into_iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ItemError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ItemError> {
        match self {
            AttributeValue::S(variant) => visitor.visit_enum(Enum {
                variant,
                value: None,
            }),
            AttributeValue::M(m) if m.len() == 1 => {
                let Some((variant, value)) = m.into_iter().next() else {
                    return Err(ItemError::new("an enum map has one entry"));
                };
                visitor.visit_enum(Enum {
                    variant,
                    value: Some(value),
                })
            }
            other => Err(ItemError::new(format!(
                "an enum is a string or a map with one entry, not {}",
                describe(&other)
            ))),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ItemError> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct tuple tuple_struct map struct identifier
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Role {
        Admin,
        Guest { until: u64 },
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Address {
        city: String,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct User {
        user_id: String,
        age: u8,
        score: f64,
        admin: bool,
        nickname: Option<String>,
        tags: Vec<String>,
        address: Address,
        role: Role,
        other_role: Role,
    }

    fn user() -> User {
        User {
            user_id: "u1".into(),
            age: 42,
            score: 2.5,
            admin: false,
            nickname: None,
            tags: vec!["a".into(), "b".into()],
            address: Address {
                city: "Oslo".into(),
            },
            role: Role::Admin,
            other_role: Role::Guest { until: 9 },
        }
    }

    #[test]
    fn typed_values_round_trip() {
        let item = to_item(&user()).expect("must succeed");
        assert_eq!(item.get("age"), Some(&AttributeValue::N("42".into())));
        assert_eq!(item.get("nickname"), Some(&AttributeValue::Null));
        assert_eq!(item.get("role"), Some(&AttributeValue::S("Admin".into())));
        assert_eq!(from_item::<User>(item).expect("must succeed"), user());
    }

    #[test]
    fn binary_and_sets_read_into_vectors() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Blob {
            data: Vec<u8>,
            names: Vec<String>,
            ids: Vec<u32>,
            chunks: Vec<Vec<u8>>,
            list: Vec<u8>,
        }
        let item = Item::new()
            .with("data", vec![1u8, 2])
            .with("names", AttributeValue::Ss(vec!["x".into()]))
            .with("ids", AttributeValue::Ns(vec!["1".into(), "2".into()]))
            .with("chunks", AttributeValue::Bs(vec![vec![3], vec![4, 5]]))
            .with("list", vec![AttributeValue::from(6)]);
        assert_eq!(
            from_item::<Blob>(item).expect("must succeed"),
            Blob {
                data: vec![1, 2],
                names: vec!["x".into()],
                ids: vec![1, 2],
                chunks: vec![vec![3], vec![4, 5]],
                list: vec![6],
            }
        );
    }

    #[test]
    fn errors_name_the_attribute() {
        let item = to_item(&user())
            .expect("must succeed")
            .into_iter()
            .map(|(k, v)| match k.as_str() {
                "address" => (k, Item::new().with("city", 7).into()),
                _ => (k, v),
            })
            .collect::<Item>();
        let error = from_item::<User>(item).expect_err("must fail");
        assert_eq!(error.path(), "address.city");
        assert!(
            error.to_string().starts_with(
                "attribute `address.city`: invalid type: integer `7`, expected a string"
            ),
            "{error}"
        );

        let item = Item::new().with(
            "tags",
            vec![AttributeValue::from("a"), AttributeValue::from(1)],
        );
        #[derive(Debug, Deserialize)]
        #[allow(dead_code, reason = "only deserialized")]
        struct Tags {
            tags: Vec<String>,
        }
        let error = from_item::<Tags>(item).expect_err("must fail");
        assert_eq!(error.path(), "tags[1]");

        let error = from_item::<User>(Item::new().with("user_id", "u")).expect_err("must fail");
        assert!(error.to_string().contains("missing field `age`"), "{error}");

        let error = from_item::<Address>(Item::new().with("city", AttributeValue::N("x".into())))
            .expect_err("must fail");
        assert!(error.to_string().contains("`x` is not a number"), "{error}");

        #[derive(Debug, Deserialize)]
        #[allow(dead_code, reason = "only deserialized")]
        struct Small {
            n: u8,
        }
        let error = from_item::<Small>(Item::new().with("n", 300)).expect_err("must fail");
        assert!(
            error.to_string().contains("invalid value: integer `300`"),
            "{error}"
        );
    }

    #[test]
    fn non_maps_are_not_items() {
        let error = to_item(&vec![1, 2]).expect_err("must fail");
        assert_eq!(
            error.to_string(),
            "a DynamoDB item must serialize as a struct or map, not a list"
        );
        let error = to_item(&BTreeMap::from([((1, 2), 3)])).expect_err("must fail");
        assert!(
            error.to_string().contains("key must be a string"),
            "{error}"
        );
    }
}
