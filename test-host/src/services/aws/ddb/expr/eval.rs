//! Evaluating resolved expressions against an item: conditions, and projections.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::super::model::{Attr, Attrs, Decimal};
use super::{Call, Cmp, Cond, Elem, Operand, Path, Val};

/// The value at `path` in `item`, if there is one.
pub(crate) fn lookup<'a>(item: &'a Attrs, path: &[Elem]) -> Option<&'a Attr> {
    let (Elem::Name(first), rest) = path.split_first()? else {
        return None;
    };
    let mut at = item.get(first)?;
    for elem in rest {
        at = match (elem, at) {
            (Elem::Name(name), Attr::M(map)) => map.get(name)?,
            (Elem::Index(i), Attr::L(list)) => list.get(*i)?,
            _ => return None,
        };
    }
    Some(at)
}

/// Equality as DynamoDB has it: numbers by value, sets regardless of order.
pub(crate) fn attr_eq(a: &Attr, b: &Attr) -> bool {
    fn same_members<T: PartialEq>(a: &[T], b: &[T]) -> bool {
        a.len() == b.len() && a.iter().all(|x| b.contains(x))
    }
    match (a, b) {
        (Attr::Ss(x), Attr::Ss(y)) => same_members(x, y),
        (Attr::Ns(x), Attr::Ns(y)) => same_members(x, y),
        (Attr::Bs(x), Attr::Bs(y)) => same_members(x, y),
        (Attr::L(x), Attr::L(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| attr_eq(a, b))
        }
        (Attr::M(x), Attr::M(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| attr_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Order of two scalars of one type (strings and binary by bytes, numbers by value).
pub(super) fn compare(a: &Attr, b: &Attr) -> Option<Ordering> {
    match (a, b) {
        (Attr::S(x), Attr::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Attr::N(x), Attr::N(y)) => Some(x.cmp(y)),
        (Attr::B(x), Attr::B(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// `size()`: string and binary length in bytes, element counts of sets, lists and maps.
fn size_of(attr: &Attr) -> Option<usize> {
    Some(match attr {
        Attr::S(s) => s.len(),
        Attr::B(b) => b.len(),
        Attr::Ss(s) => s.len(),
        Attr::Ns(s) => s.len(),
        Attr::Bs(s) => s.len(),
        Attr::L(l) => l.len(),
        Attr::M(m) => m.len(),
        Attr::N(_) | Attr::Bool(_) | Attr::Null => return None,
    })
}

/// An operand's value against `item` (`None`: a missing attribute).
fn value<'a>(operand: &'a Operand, item: Option<&'a Attrs>) -> Option<Cow<'a, Attr>> {
    match operand {
        Operand::Path(path) => item.and_then(|i| lookup(i, path)).map(Cow::Borrowed),
        Operand::Value(Val::Attr(attr)) => Some(Cow::Borrowed(attr)),
        Operand::Call(call) if call.name == "size" => {
            let target = value(call.args.first()?, item)?;
            let size = size_of(&target)?;
            Some(Cow::Owned(Attr::N(Decimal::from_count(size))))
        }
        _ => None,
    }
}

impl Cond {
    /// Does the condition hold for `item` (`None`: there is no item)?
    pub(crate) fn holds(&self, item: Option<&Attrs>) -> bool {
        match self {
            Cond::Cmp(cmp, a, b) => {
                let (a, b) = (value(a, item), value(b, item));
                let (Some(a), Some(b)) = (a, b) else {
                    return *cmp == Cmp::Ne;
                };
                match cmp {
                    Cmp::Eq => attr_eq(&a, &b),
                    Cmp::Ne => !attr_eq(&a, &b),
                    Cmp::Lt => compare(&a, &b) == Some(Ordering::Less),
                    Cmp::Le => matches!(compare(&a, &b), Some(Ordering::Less | Ordering::Equal)),
                    Cmp::Gt => compare(&a, &b) == Some(Ordering::Greater),
                    Cmp::Ge => {
                        matches!(compare(&a, &b), Some(Ordering::Greater | Ordering::Equal))
                    }
                }
            }
            Cond::Between(v, low, high) => {
                let (Some(v), Some(low), Some(high)) =
                    (value(v, item), value(low, item), value(high, item))
                else {
                    return false;
                };
                matches!(compare(&low, &v), Some(Ordering::Less | Ordering::Equal))
                    && matches!(compare(&v, &high), Some(Ordering::Less | Ordering::Equal))
            }
            Cond::In(v, list) => value(v, item).is_some_and(|v| {
                list.iter()
                    .any(|candidate| value(candidate, item).is_some_and(|c| attr_eq(&v, &c)))
            }),
            Cond::Call(call) => call_holds(call, item),
            Cond::Not(inner) => !inner.holds(item),
            Cond::And(a, b) => a.holds(item) && b.holds(item),
            Cond::Or(a, b) => a.holds(item) || b.holds(item),
        }
    }
}

fn call_holds(call: &Call, item: Option<&Attrs>) -> bool {
    let arg = |i: usize| call.args.get(i).and_then(|a| value(a, item));
    match call.name.as_str() {
        "attribute_exists" => arg(0).is_some(),
        "attribute_not_exists" => arg(0).is_none(),
        "attribute_type" => match (arg(0), arg(1)) {
            (Some(v), Some(t)) => matches!(&*t, Attr::S(t) if t == v.type_name()),
            _ => false,
        },
        "begins_with" => match (arg(0), arg(1)) {
            (Some(v), Some(p)) => match (&*v, &*p) {
                (Attr::S(s), Attr::S(p)) => s.starts_with(p.as_str()),
                (Attr::B(b), Attr::B(p)) => b.starts_with(p),
                _ => false,
            },
            _ => false,
        },
        "contains" => match (arg(0), arg(1)) {
            (Some(v), Some(x)) => contains(&v, &x),
            _ => false,
        },
        _ => false,
    }
}

/// `contains(a, x)`: a substring of a string, a subsequence of binary, a member of a set or list.
fn contains(haystack: &Attr, needle: &Attr) -> bool {
    match (haystack, needle) {
        (Attr::S(s), Attr::S(x)) => s.contains(x.as_str()),
        (Attr::B(b), Attr::B(x)) => x.is_empty() || b.windows(x.len()).any(|w| w == x.as_slice()),
        (Attr::Ss(set), Attr::S(x)) => set.contains(x),
        (Attr::Ns(set), Attr::N(x)) => set.contains(x),
        (Attr::Bs(set), Attr::B(x)) => set.contains(x),
        (Attr::L(list), x) => list.iter().any(|e| attr_eq(e, x)),
        _ => false,
    }
}

/// The attributes of `item` that `paths` name, nested as in the item (list elements keep their order,
/// without gaps).
pub(crate) fn project(item: &Attrs, paths: &[Path]) -> Attrs {
    /// A partial copy of a value.
    enum Part {
        Whole(Attr),
        Map(BTreeMap<String, Part>),
        List(BTreeMap<usize, Part>),
    }
    fn insert(part: &mut Part, rest: &[Elem], leaf: &Attr) {
        let Some((first, rest)) = rest.split_first() else {
            *part = Part::Whole(leaf.clone());
            return;
        };
        match (first, &mut *part) {
            (Elem::Name(n), Part::Map(map)) => {
                let child = map.entry(n.clone()).or_insert_with(|| empty_for(rest));
                insert(child, rest, leaf);
            }
            (Elem::Index(i), Part::List(list)) => {
                let child = list.entry(*i).or_insert_with(|| empty_for(rest));
                insert(child, rest, leaf);
            }
            _ => {}
        }
    }
    fn empty_for(rest: &[Elem]) -> Part {
        match rest.first() {
            Some(Elem::Index(_)) => Part::List(BTreeMap::new()),
            _ => Part::Map(BTreeMap::new()),
        }
    }
    fn build(part: Part) -> Attr {
        match part {
            Part::Whole(attr) => attr,
            Part::Map(map) => Attr::M(map.into_iter().map(|(k, v)| (k, build(v))).collect()),
            Part::List(list) => Attr::L(list.into_values().map(build).collect()),
        }
    }
    let mut root: BTreeMap<String, Part> = BTreeMap::new();
    for path in paths {
        let (Some(leaf), Some((Elem::Name(first), rest))) =
            (lookup(item, path), path.split_first())
        else {
            continue;
        };
        let part = root.entry(first.clone()).or_insert_with(|| empty_for(rest));
        insert(part, rest, leaf);
    }
    root.into_iter().map(|(k, v)| (k, build(v))).collect()
}
