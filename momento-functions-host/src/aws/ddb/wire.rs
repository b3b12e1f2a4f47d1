//! DynamoDB's JSON wire format, which items cross the WIT boundary in (and DynamoDB's HTTP API speaks):
//! `{"name":{"S":"v"}}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::value::{AttributeValue, Item, base64_decode, base64_encode};

/// One attribute value as DynamoDB's JSON has it (externally tagged by type).
#[derive(Serialize, Deserialize)]
#[allow(clippy::upper_case_acronyms, reason = "DynamoDB's own type names")]
enum Wire {
    S(String),
    N(String),
    B(String),
    BOOL(bool),
    NULL(bool),
    L(Vec<Wire>),
    M(BTreeMap<String, Wire>),
    SS(Vec<String>),
    NS(Vec<String>),
    BS(Vec<String>),
}

fn to_wire(value: AttributeValue) -> Wire {
    match value {
        AttributeValue::S(s) => Wire::S(s),
        AttributeValue::N(n) => Wire::N(n),
        AttributeValue::B(b) => Wire::B(base64_encode(&b)),
        AttributeValue::Bool(b) => Wire::BOOL(b),
        AttributeValue::Null => Wire::NULL(true),
        AttributeValue::L(l) => Wire::L(l.into_iter().map(to_wire).collect()),
        AttributeValue::M(m) => Wire::M(m.into_iter().map(|(k, v)| (k, to_wire(v))).collect()),
        AttributeValue::Ss(ss) => Wire::SS(ss),
        AttributeValue::Ns(ns) => Wire::NS(ns),
        AttributeValue::Bs(bs) => Wire::BS(bs.iter().map(|b| base64_encode(b)).collect()),
    }
}

fn from_wire(value: Wire) -> Result<AttributeValue, String> {
    let bytes =
        |text: String| base64_decode(&text).map_err(|e| format!("invalid base64 in B: {e}"));
    Ok(match value {
        Wire::S(s) => AttributeValue::S(s),
        Wire::N(n) => AttributeValue::N(n),
        Wire::B(b) => AttributeValue::B(bytes(b)?),
        Wire::BOOL(b) => AttributeValue::Bool(b),
        Wire::NULL(_) => AttributeValue::Null,
        Wire::L(l) => AttributeValue::L(l.into_iter().map(from_wire).collect::<Result<_, _>>()?),
        Wire::M(m) => AttributeValue::M(
            m.into_iter()
                .map(|(k, v)| Ok((k, from_wire(v)?)))
                .collect::<Result<_, String>>()?,
        ),
        Wire::SS(ss) => AttributeValue::Ss(ss),
        Wire::NS(ns) => AttributeValue::Ns(ns),
        Wire::BS(bs) => AttributeValue::Bs(bs.into_iter().map(bytes).collect::<Result<_, _>>()?),
    })
}

/// An item in DynamoDB's JSON.
pub(crate) fn item_to_json(item: Item) -> serde_json::Value {
    let wire: BTreeMap<String, Wire> = item.into_iter().map(|(k, v)| (k, to_wire(v))).collect();
    // Strings, booleans, vectors and string-keyed maps always convert.
    serde_json::to_value(wire).unwrap_or_default()
}

/// One value in DynamoDB's JSON.
#[cfg(test)]
fn value_to_json(value: AttributeValue) -> serde_json::Value {
    serde_json::to_value(to_wire(value)).unwrap_or_default()
}

/// An item from DynamoDB's JSON.
pub(crate) fn item_from_json(json: serde_json::Value) -> Result<Item, String> {
    let wire: BTreeMap<String, Wire> =
        serde_json::from_value(json).map_err(|e| format!("invalid DynamoDB JSON: {e}"))?;
    wire.into_iter()
        .map(|(k, v)| Ok((k, from_wire(v)?)))
        .collect::<Result<BTreeMap<_, _>, String>>()
        .map(Item::from)
}

/// Encode an item as DynamoDB JSON text.
pub(crate) fn encode_item(item: Item) -> String {
    item_to_json(item).to_string()
}

/// Decode an item from DynamoDB JSON bytes.
pub(crate) fn decode_item(bytes: &[u8]) -> Result<Item, String> {
    let json: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("invalid DynamoDB JSON: {e}"))?;
    item_from_json(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips_through_the_wire_format() {
        let item = Item::new()
            .with("s", "x")
            .with("n", 1)
            .with("b", vec![0u8, 255])
            .with("t", true)
            .with("z", AttributeValue::Null)
            .with("l", vec![AttributeValue::from("a")])
            .with("m", Item::new().with("k", 2))
            .with("ss", AttributeValue::Ss(vec!["a".into()]))
            .with("ns", AttributeValue::Ns(vec!["1".into()]))
            .with("bs", AttributeValue::Bs(vec![vec![7]]));
        let text = encode_item(item.clone());
        assert_eq!(
            text,
            r#"{"b":{"B":"AP8="},"bs":{"BS":["Bw=="]},"l":{"L":[{"S":"a"}]},"m":{"M":{"k":{"N":"2"}}},"n":{"N":"1"},"ns":{"NS":["1"]},"s":{"S":"x"},"ss":{"SS":["a"]},"t":{"BOOL":true},"z":{"NULL":true}}"#
        );
        assert_eq!(decode_item(text.as_bytes()), Ok(item));
        assert_eq!(
            value_to_json(AttributeValue::from(3)).to_string(),
            r#"{"N":"3"}"#
        );
    }

    #[test]
    fn bad_wire_json_is_an_error() {
        assert!(decode_item(b"[]").is_err());
        assert!(decode_item(br#"{"a":{"X":1}}"#).is_err());
        assert!(decode_item(b"{").is_err());
        assert!(
            decode_item(br#"{"a":{"B":"***"}}"#)
                .expect_err("must fail")
                .contains("base64")
        );
    }
}
