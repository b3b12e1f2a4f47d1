//! DynamoDB's data model as the mock stores it: normalized numbers, attribute values parsed and validated
//! like the service does, and the JSON forms (DynamoDB's wire format and plain JSON).

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use serde_json::{Map, Value};

/// Largest item DynamoDB stores, in bytes.
pub(crate) const MAX_ITEM_BYTES: usize = 400 * 1024;

fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// A DynamoDB number: at most 38 significant digits, magnitude 1E-130 to 9.99…E+125. Normalized, so
/// `1.50`, `1.5` and `15E-1` are the same number (and the same key).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Decimal {
    negative: bool,
    /// Significant digits (ASCII), without leading or trailing zeros; empty for zero.
    digits: Vec<u8>,
    /// The value is `0.<digits> × 10^exponent`.
    exponent: i32,
}

impl Decimal {
    /// Parse DynamoDB number text; the error is DynamoDB's message.
    pub(crate) fn parse(text: &str) -> Result<Decimal, String> {
        const NOT_A_NUMBER: &str = "A value provided cannot be converted into a number";
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => {
                let exponent = &rest[at + 1..];
                let digits = exponent.trim_start_matches(['+', '-']);
                if digits.is_empty()
                    || exponent.len() - digits.len() > 1
                    || !digits.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(NOT_A_NUMBER.into());
                }
                // Exponents too large for i64 are far out of range either way; keep their sign.
                let value: i64 = exponent.parse().unwrap_or(if exponent.starts_with('-') {
                    i64::MIN
                } else {
                    i64::MAX
                });
                (&rest[..at], value.clamp(-100_000, 100_000) as i32)
            }
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(NOT_A_NUMBER.into());
        }
        let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
        let mut exponent = exponent + int.len() as i32;
        let leading = digits.iter().take_while(|d| **d == b'0').count();
        digits.drain(..leading);
        exponent -= leading as i32;
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            return Ok(Decimal {
                negative: false,
                digits,
                exponent: 0,
            });
        }
        if digits.len() > 38 {
            return Err("Attempting to store more than 38 significant digits in a Number".into());
        }
        if exponent > 126 {
            return Err(
                "Number overflow. Attempting to store a number with magnitude larger than supported range"
                    .into(),
            );
        }
        if exponent < -129 {
            return Err(
                "Number underflow. Attempting to store a number with magnitude smaller than supported range"
                    .into(),
            );
        }
        Ok(Decimal {
            negative,
            digits,
            exponent,
        })
    }

    fn signum(&self) -> i8 {
        match (self.digits.is_empty(), self.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        }
    }

    /// Significant digits, for item sizes.
    fn significant_digits(&self) -> usize {
        self.digits.len()
    }

    /// `self + other`, or DynamoDB's message when the sum leaves the number range (more than 38
    /// significant digits, overflow, underflow).
    pub(crate) fn add(&self, other: &Decimal) -> Result<Decimal, String> {
        // Both as integers of digits at the scale of the least significant digit of either.
        let scale = (self.exponent - self.digits.len() as i32)
            .min(other.exponent - other.digits.len() as i32);
        let widen = |d: &Decimal| -> Vec<u8> {
            let zeros = (d.exponent - d.digits.len() as i32 - scale).max(0) as usize;
            d.digits
                .iter()
                .map(|b| b - b'0')
                .chain(std::iter::repeat_n(0, zeros))
                .collect()
        };
        let (a, b) = (widen(self), widen(other));
        let (negative, magnitude) = if self.negative == other.negative {
            (self.negative, add_digits(&a, &b))
        } else if compare_digits(&a, &b) == Ordering::Less {
            (other.negative, sub_digits(&b, &a))
        } else {
            (self.negative, sub_digits(&a, &b))
        };
        let text: String = magnitude.iter().map(|d| char::from(b'0' + d)).collect();
        let sign = if negative { "-" } else { "" };
        Decimal::parse(&format!("{sign}{text}E{scale}"))
    }

    /// `self - other` (see [`Decimal::add`]).
    pub(crate) fn sub(&self, other: &Decimal) -> Result<Decimal, String> {
        let mut negated = other.clone();
        negated.negative = !negated.negative && !negated.digits.is_empty();
        self.add(&negated)
    }

    /// A count as a number (sizes, `Count`).
    pub(crate) fn from_count(count: usize) -> Decimal {
        Decimal::parse(&count.to_string()).unwrap_or(Decimal {
            negative: false,
            digits: Vec::new(),
            exponent: 0,
        })
    }
}

/// Digit vectors (most significant first) as magnitudes: compare.
fn compare_digits(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |d: &[u8]| -> Vec<u8> { d.iter().copied().skip_while(|d| *d == 0).collect() };
    let (a, b) = (strip(a), strip(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}

/// `a + b` on digit vectors.
fn add_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let (mut i, mut j, mut carry) = (a.len(), b.len(), 0);
    while i > 0 || j > 0 || carry > 0 {
        let x = if i > 0 { a[i - 1] } else { 0 };
        let y = if j > 0 { b[j - 1] } else { 0 };
        let sum = x + y + carry;
        out.push(sum % 10);
        carry = sum / 10;
        i = i.saturating_sub(1);
        j = j.saturating_sub(1);
    }
    out.reverse();
    out
}

/// `a - b` on digit vectors, for `a >= b`.
fn sub_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let (mut j, mut borrow) = (b.len(), 0i8);
    for i in (0..a.len()).rev() {
        let y = if j > 0 { b[j - 1] as i8 } else { 0 };
        j = j.saturating_sub(1);
        let mut difference = a[i] as i8 - y - borrow;
        borrow = i8::from(difference < 0);
        if difference < 0 {
            difference += 10;
        }
        out.push(difference as u8);
    }
    out.reverse();
    out
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let sign = self.signum().cmp(&other.signum());
        if sign != Ordering::Equal || self.signum() == 0 {
            return sign;
        }
        let magnitude = self
            .exponent
            .cmp(&other.exponent)
            .then_with(|| self.digits.cmp(&other.digits));
        if self.negative {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.digits.is_empty() {
            return f.write_str("0");
        }
        if self.negative {
            f.write_str("-")?;
        }
        let digits = std::str::from_utf8(&self.digits).unwrap_or("0");
        let n = digits.len() as i32;
        let e = self.exponent;
        if (1..=40).contains(&e) {
            if e >= n {
                write!(f, "{digits}{}", "0".repeat((e - n) as usize))
            } else {
                let (int, frac) = digits.split_at(e as usize);
                write!(f, "{int}.{frac}")
            }
        } else if (-40..=0).contains(&e) {
            write!(f, "0.{}{digits}", "0".repeat((-e) as usize))
        } else {
            let (first, rest) = digits.split_at(1);
            let sign = if e > 0 { "+" } else { "" };
            if rest.is_empty() {
                write!(f, "{first}E{sign}{}", e - 1)
            } else {
                write!(f, "{first}.{rest}E{sign}{}", e - 1)
            }
        }
    }
}

/// One attribute value, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Attr {
    S(String),
    N(Decimal),
    B(Vec<u8>),
    Bool(bool),
    Null,
    L(Vec<Attr>),
    M(BTreeMap<String, Attr>),
    Ss(Vec<String>),
    Ns(Vec<Decimal>),
    Bs(Vec<Vec<u8>>),
}

/// The attributes of one item.
pub(crate) type Attrs = BTreeMap<String, Attr>;

impl Attr {
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Attr::S(_) => "S",
            Attr::N(_) => "N",
            Attr::B(_) => "B",
            Attr::Bool(_) => "BOOL",
            Attr::Null => "NULL",
            Attr::L(_) => "L",
            Attr::M(_) => "M",
            Attr::Ss(_) => "SS",
            Attr::Ns(_) => "NS",
            Attr::Bs(_) => "BS",
        }
    }

    /// The size DynamoDB counts for the value (close enough for the 400 KB item limit).
    pub(crate) fn size(&self) -> usize {
        match self {
            Attr::S(s) => s.len(),
            Attr::N(n) => n.significant_digits().div_ceil(2) + 1,
            Attr::B(b) => b.len(),
            Attr::Bool(_) | Attr::Null => 1,
            Attr::L(l) => 3 + l.iter().map(|v| v.size() + 1).sum::<usize>(),
            Attr::M(m) => 3 + m.iter().map(|(k, v)| k.len() + v.size() + 1).sum::<usize>(),
            Attr::Ss(ss) => ss.iter().map(String::len).sum(),
            Attr::Ns(ns) => ns
                .iter()
                .map(|n| n.significant_digits().div_ceil(2) + 1)
                .sum(),
            Attr::Bs(bs) => bs.iter().map(Vec::len).sum(),
        }
    }

    /// DynamoDB's JSON wire format.
    pub(crate) fn to_wire(&self) -> Value {
        let (tag, value) = match self {
            Attr::S(s) => ("S", Value::from(s.as_str())),
            Attr::N(n) => ("N", Value::from(n.to_string())),
            Attr::B(b) => ("B", Value::from(base64_encode(b))),
            Attr::Bool(b) => ("BOOL", Value::from(*b)),
            Attr::Null => ("NULL", Value::from(true)),
            Attr::L(l) => ("L", Value::Array(l.iter().map(Attr::to_wire).collect())),
            Attr::M(m) => ("M", Value::Object(attrs_to_wire(m))),
            Attr::Ss(ss) => ("SS", Value::from(ss.clone())),
            Attr::Ns(ns) => (
                "NS",
                Value::Array(ns.iter().map(|n| Value::from(n.to_string())).collect()),
            ),
            Attr::Bs(bs) => (
                "BS",
                Value::Array(bs.iter().map(|b| Value::from(base64_encode(b))).collect()),
            ),
        };
        let mut object = Map::new();
        object.insert(tag.to_owned(), value);
        Value::Object(object)
    }

    /// Plain JSON, as the guest SDK's `Item` serializes.
    pub(crate) fn to_plain(&self) -> Value {
        match self {
            Attr::S(s) => Value::from(s.as_str()),
            Attr::N(n) => number_to_plain(n),
            Attr::B(b) => Value::from(base64_encode(b)),
            Attr::Bool(b) => Value::from(*b),
            Attr::Null => Value::Null,
            Attr::L(l) => Value::Array(l.iter().map(Attr::to_plain).collect()),
            Attr::M(m) => Value::Object(attrs_to_plain(m)),
            Attr::Ss(ss) => Value::from(ss.clone()),
            Attr::Ns(ns) => Value::Array(ns.iter().map(number_to_plain).collect()),
            Attr::Bs(bs) => {
                Value::Array(bs.iter().map(|b| Value::from(base64_encode(b))).collect())
            }
        }
    }

    /// Parse DynamoDB's wire format, validating like DynamoDB (the error is its message).
    pub(crate) fn from_wire(value: &Value) -> Result<Attr, String> {
        let Value::Object(object) = value else {
            return Err(format!(
                "Supplied AttributeValue is not an object of one datatype: {value}"
            ));
        };
        let mut entries = object.iter();
        let (Some((tag, inner)), None) = (entries.next(), entries.next()) else {
            return Err(if object.is_empty() {
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes".into()
            } else {
                "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes".into()
            });
        };
        let wrong = || format!("The {tag} datatype has a value of the wrong JSON type: {inner}");
        let strings = |what: &str| -> Result<Vec<String>, String> {
            let Value::Array(items) = inner else {
                return Err(wrong());
            };
            if items.is_empty() {
                return Err(format!(
                    "One or more parameter values were invalid: An {what} set may not be empty"
                ));
            }
            items
                .iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or_else(wrong))
                .collect()
        };
        let bytes = |text: &str| {
            base64_decode(text)
                .ok_or_else(|| format!("Invalid base64 in the {tag} datatype: {text}"))
        };
        Ok(match tag.as_str() {
            "S" => Attr::S(inner.as_str().ok_or_else(wrong)?.to_owned()),
            "N" => Attr::N(Decimal::parse(inner.as_str().ok_or_else(wrong)?)?),
            "B" => Attr::B(bytes(inner.as_str().ok_or_else(wrong)?)?),
            "BOOL" => Attr::Bool(inner.as_bool().ok_or_else(wrong)?),
            "NULL" => match inner {
                Value::Bool(true) => Attr::Null,
                _ => {
                    return Err(
                        "One or more parameter values were invalid: Null attribute value types must have the value of true"
                            .into(),
                    );
                }
            },
            "L" => Attr::L(
                inner
                    .as_array()
                    .ok_or_else(wrong)?
                    .iter()
                    .map(Attr::from_wire)
                    .collect::<Result<_, _>>()?,
            ),
            "M" => Attr::M(attrs_from_wire(inner)?),
            "SS" => {
                let set = strings("string")?;
                no_duplicates(&set, |a, b| a == b, |s| s.clone())?;
                Attr::Ss(set)
            }
            "NS" => {
                let set = strings("number")?
                    .iter()
                    .map(|n| Decimal::parse(n))
                    .collect::<Result<Vec<_>, _>>()?;
                no_duplicates(&set, |a, b| a == b, Decimal::to_string)?;
                Attr::Ns(set)
            }
            "BS" => {
                let set = strings("binary")?
                    .iter()
                    .map(|b| bytes(b))
                    .collect::<Result<Vec<_>, _>>()?;
                no_duplicates(&set, |a, b| a == b, |b| base64_encode(b))?;
                Attr::Bs(set)
            }
            other => {
                return Err(format!(
                    "Supplied AttributeValue has an unknown datatype: {other}"
                ));
            }
        })
    }

    /// Parse plain JSON: strings `S`, numbers `N`, booleans `BOOL`, null `NULL`, arrays `L`, objects `M`.
    pub(crate) fn from_plain(value: &Value) -> Result<Attr, String> {
        Ok(match value {
            Value::Null => Attr::Null,
            Value::Bool(b) => Attr::Bool(*b),
            Value::Number(n) => Attr::N(Decimal::parse(&n.to_string())?),
            Value::String(s) => Attr::S(s.clone()),
            Value::Array(values) => Attr::L(
                values
                    .iter()
                    .map(Attr::from_plain)
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => Attr::M(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), Attr::from_plain(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
        })
    }
}

fn no_duplicates<T>(
    set: &[T],
    same: impl Fn(&T, &T) -> bool,
    show: impl Fn(&T) -> String,
) -> Result<(), String> {
    for (i, a) in set.iter().enumerate() {
        if set[..i].iter().any(|b| same(a, b)) {
            let shown: Vec<String> = set.iter().map(show).collect();
            return Err(format!(
                "One or more parameter values were invalid: Input collection [{}] contains duplicates.",
                shown.join(", ")
            ));
        }
    }
    Ok(())
}

fn number_to_plain(n: &Decimal) -> Value {
    let text = n.to_string();
    if let Ok(i) = text.parse::<i64>() {
        return Value::from(i);
    }
    if let Ok(u) = text.parse::<u64>() {
        return Value::from(u);
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() && n.significant_digits() <= 15 => Value::from(f),
        _ => Value::from(text),
    }
}

pub(crate) fn attrs_to_wire(attrs: &Attrs) -> Map<String, Value> {
    attrs
        .iter()
        .map(|(k, v)| (k.clone(), v.to_wire()))
        .collect()
}

pub(crate) fn attrs_to_plain(attrs: &Attrs) -> Map<String, Value> {
    attrs
        .iter()
        .map(|(k, v)| (k.clone(), v.to_plain()))
        .collect()
}

/// Parse an item (or a map) in the wire format.
pub(crate) fn attrs_from_wire(value: &Value) -> Result<Attrs, String> {
    let Value::Object(map) = value else {
        return Err(format!(
            "An item is a JSON object of attributes, not {value}"
        ));
    };
    map.iter()
        .map(|(k, v)| Ok((k.clone(), Attr::from_wire(v)?)))
        .collect()
}

/// Parse an item in plain JSON.
pub(crate) fn attrs_from_plain(value: &Value) -> Result<Attrs, String> {
    match Attr::from_plain(value)? {
        Attr::M(attrs) => Ok(attrs),
        _ => Err(format!(
            "An item is a JSON object of attributes, not {value}"
        )),
    }
}

/// The size DynamoDB counts for an item.
pub(crate) fn item_size(attrs: &Attrs) -> usize {
    attrs.iter().map(|(k, v)| k.len() + v.size()).sum()
}

/// The type of a key attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
pub enum KeyType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
}

impl KeyType {
    /// `S`, `N` or `B`.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::S => "S",
            KeyType::N => "N",
            KeyType::B => "B",
        }
    }
}

/// The value of a key attribute, ordered the way DynamoDB sorts keys (strings and binary by bytes,
/// numbers by value).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum KeyPart {
    S(String),
    N(Decimal),
    B(Vec<u8>),
}

impl KeyPart {
    pub(crate) fn key_type(&self) -> KeyType {
        match self {
            KeyPart::S(_) => KeyType::S,
            KeyPart::N(_) => KeyType::N,
            KeyPart::B(_) => KeyType::B,
        }
    }

    pub(crate) fn to_attr(&self) -> Attr {
        match self {
            KeyPart::S(s) => Attr::S(s.clone()),
            KeyPart::N(n) => Attr::N(n.clone()),
            KeyPart::B(b) => Attr::B(b.clone()),
        }
    }

    pub(crate) fn from_attr(attr: &Attr) -> Option<KeyPart> {
        match attr {
            Attr::S(s) => Some(KeyPart::S(s.clone())),
            Attr::N(n) => Some(KeyPart::N(n.clone())),
            Attr::B(b) => Some(KeyPart::B(b.clone())),
            _ => None,
        }
    }

    /// Bytes counted against the key size limits.
    pub(crate) fn size(&self) -> usize {
        self.to_attr().size()
    }

    pub(crate) fn is_empty(&self) -> bool {
        match self {
            KeyPart::S(s) => s.is_empty(),
            KeyPart::B(b) => b.is_empty(),
            KeyPart::N(_) => false,
        }
    }

    /// `begins_with` for strings and binary.
    pub(crate) fn begins_with(&self, prefix: &KeyPart) -> bool {
        match (self, prefix) {
            (KeyPart::S(s), KeyPart::S(p)) => s.starts_with(p.as_str()),
            (KeyPart::B(b), KeyPart::B(p)) => b.starts_with(p),
            _ => false,
        }
    }
}

impl fmt::Display for KeyPart {
    /// As DynamoDB shows operands: `{S:abc}`, `{N:5}`, `{B:<base64>}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyPart::S(s) => write!(f, "{{S:{s}}}"),
            KeyPart::N(n) => write!(f, "{{N:{n}}}"),
            KeyPart::B(b) => write!(f, "{{B:{}}}", base64_encode(b)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn n(text: &str) -> Decimal {
        Decimal::parse(text).expect("a number")
    }

    #[test]
    fn numbers_are_normalized() {
        assert_eq!(n("1.50"), n("1.5"));
        assert_eq!(n("15E-1"), n("1.5"));
        assert_eq!(n("-0"), n("0"));
        assert_eq!(n("+007.0"), n("7"));
        for (text, shown) in [
            ("1.50", "1.5"),
            ("100", "100"),
            ("0.005", "0.005"),
            ("-42", "-42"),
            ("1E+3", "1000"),
            ("1.5E+100", "1.5E+100"),
            ("1E-100", "1E-100"),
            ("0", "0"),
            (".5", "0.5"),
            ("5.", "5"),
        ] {
            assert_eq!(n(text).to_string(), shown, "{text}");
        }
    }

    #[test]
    fn numbers_add_and_subtract_exactly() {
        let sum = |a: &str, b: &str| n(a).add(&n(b)).expect("in range").to_string();
        let difference = |a: &str, b: &str| n(a).sub(&n(b)).expect("in range").to_string();
        assert_eq!(sum("1", "2"), "3");
        assert_eq!(sum("0.1", "0.2"), "0.3");
        assert_eq!(sum("99", "1"), "100");
        assert_eq!(sum("-5", "3"), "-2");
        assert_eq!(sum("5", "-5"), "0");
        assert_eq!(sum("1E+10", "1E-10"), "10000000000.0000000001");
        assert_eq!(difference("10", "0.5"), "9.5");
        assert_eq!(difference("0", "7"), "-7");
        assert_eq!(difference("-1.5", "-1.5"), "0");
        assert_eq!(difference("3", "0"), "3");
        assert!(
            n("1E+125")
                .add(&n("1E-10"))
                .expect_err("too precise")
                .contains("38 significant digits")
        );
        assert!(
            n("9.9E+125")
                .add(&n("9.9E+125"))
                .expect_err("too large")
                .starts_with("Number overflow")
        );
        assert_eq!(Decimal::from_count(42).to_string(), "42");
    }

    #[test]
    fn numbers_order_by_value() {
        let mut values = [
            n("10"),
            n("-1"),
            n("2"),
            n("0"),
            n("-10"),
            n("1.5"),
            n("0.01"),
        ];
        values.sort();
        let shown: Vec<String> = values.iter().map(Decimal::to_string).collect();
        assert_eq!(shown, ["-10", "-1", "0", "0.01", "1.5", "2", "10"]);
    }

    #[test]
    fn bad_numbers_fail_like_dynamodb() {
        for bad in ["", "-", "abc", "1.2.3", "1e", "1e+-2", "0x10", " 1", "1 "] {
            assert_eq!(
                Decimal::parse(bad),
                Err("A value provided cannot be converted into a number".into()),
                "{bad:?}"
            );
        }
        assert!(
            Decimal::parse(&"1".repeat(39))
                .expect_err("must fail")
                .contains("38 significant digits")
        );
        assert!(
            Decimal::parse("1E+126")
                .expect_err("must fail")
                .starts_with("Number overflow")
        );
        assert!(
            Decimal::parse("1E-131")
                .expect_err("must fail")
                .starts_with("Number underflow")
        );
        assert!(
            Decimal::parse("1E-99999999999999999999")
                .expect_err("tiny")
                .starts_with("Number underflow")
        );
        assert!(
            Decimal::parse("1E+99999999999999999999")
                .expect_err("huge")
                .starts_with("Number overflow")
        );
        assert!(Decimal::parse("9.9E+125").is_ok());
        assert!(Decimal::parse("1E-130").is_ok());
    }

    #[test]
    fn every_type_round_trips_the_wire_format() {
        let wire = json!({
            "s": {"S": "x"}, "n": {"N": "1.50"}, "b": {"B": "AP8="}, "t": {"BOOL": true}, "z": {"NULL": true},
            "l": {"L": [{"S": "a"}, {"N": "2"}]}, "m": {"M": {"k": {"S": "v"}}},
            "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": ["AQ=="]}
        });
        let attrs = attrs_from_wire(&wire).expect("valid");
        assert_eq!(attrs["n"], Attr::N(n("1.5")));
        let mut expected = wire.clone();
        expected["n"] = json!({"N": "1.5"});
        assert_eq!(Value::Object(attrs_to_wire(&attrs)), expected);
        assert_eq!(
            Value::Object(attrs_to_plain(&attrs)),
            json!({"s": "x", "n": 1.5, "b": "AP8=", "t": true, "z": null, "l": ["a", 2], "m": {"k": "v"},
                   "ss": ["a", "b"], "ns": [1, 2.5], "bs": ["AQ=="]})
        );
    }

    #[test]
    fn invalid_wire_values_fail_like_dynamodb() {
        let error = |value: Value| Attr::from_wire(&value).expect_err("invalid");
        assert!(error(json!({})).contains("is empty"));
        assert!(error(json!({"S": "a", "N": "1"})).contains("more than one datatypes"));
        assert!(error(json!({"X": 1})).contains("unknown datatype: X"));
        assert!(error(json!({"S": 1})).contains("wrong JSON type"));
        assert!(error(json!({"NULL": false})).contains("must have the value of true"));
        assert!(error(json!({"SS": []})).contains("An string set may not be empty"));
        assert!(
            error(json!({"SS": ["a", "a"]}))
                .contains("Input collection [a, a] contains duplicates")
        );
        assert!(error(json!({"NS": ["1", "1.0"]})).contains("contains duplicates"));
        assert!(error(json!({"B": "***"})).contains("Invalid base64"));
        assert!(error(json!({"N": "x"})).contains("cannot be converted into a number"));
        assert!(error(json!("S")).contains("not an object"));
        assert!(attrs_from_wire(&json!([])).is_err());
    }

    #[test]
    fn plain_json_becomes_attributes() {
        let attrs = attrs_from_plain(
            &json!({"id": "a", "age": 42, "ok": true, "none": null, "l": [1], "m": {"x": 1.5}}),
        )
        .expect("valid");
        assert_eq!(attrs["age"], Attr::N(n("42")));
        assert_eq!(attrs["l"], Attr::L(vec![Attr::N(n("1"))]));
        assert!(attrs_from_plain(&json!([1])).is_err());
        assert!(
            attrs_from_plain(&json!({"huge": 1e300}))
                .expect_err("too big")
                .starts_with("Number overflow")
        );
    }

    #[test]
    fn keys_order_and_prefix() {
        assert!(KeyPart::S("a".into()) < KeyPart::S("b".into()));
        assert!(KeyPart::N(n("2")) < KeyPart::N(n("10")));
        assert!(KeyPart::B(vec![1]) < KeyPart::B(vec![1, 0]));
        assert!(KeyPart::S("2026-01".into()).begins_with(&KeyPart::S("2026".into())));
        assert!(!KeyPart::N(n("12")).begins_with(&KeyPart::N(n("1"))));
        assert_eq!(KeyPart::N(n("5")).to_string(), "{N:5}");
        for key_type in [KeyType::S, KeyType::N, KeyType::B] {
            let parsed: KeyType =
                serde_json::from_value(serde_json::json!(key_type.name())).expect("a key type");
            assert_eq!(parsed, key_type);
        }
        assert!(serde_json::from_value::<KeyType>(serde_json::json!("SS")).is_err());
        assert!(item_size(&attrs_from_plain(&json!({"ab": "cd"})).expect("valid")) == 4);
    }
}
