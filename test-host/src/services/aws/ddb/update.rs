//! Applying a parsed `UpdateExpression` to an item, with DynamoDB's runtime errors.
//!
//! `SET` values are computed from the item as it was before the update; then `SET` assigns, `REMOVE`
//! removes (list elements by their original positions), `ADD` adds to numbers and sets (or creates them),
//! `DELETE` takes elements out of sets (an emptied set is removed).

use std::cmp::Reverse;

use super::expr::{self, Elem, Operand, Path, SetValue, Update, Val};
use super::model::{Attr, Attrs};
use super::{AwsError, validation};

fn missing_attribute() -> AwsError {
    validation("The provided expression refers to an attribute that does not exist in the item")
}

fn wrong_type() -> AwsError {
    validation("An operand in the update expression has an incorrect data type")
}

fn invalid_path() -> AwsError {
    validation("The document path provided in the update expression is invalid for update")
}

/// The item after `update`, starting from `item` (the stored item, or just its key for a new one).
pub(super) fn apply(update: &Update, item: Attrs) -> Result<Attrs, AwsError> {
    let values: Vec<Attr> = update
        .set
        .iter()
        .map(|(_, value)| set_value(value, &item))
        .collect::<Result<_, _>>()?;
    let mut new = item;
    for ((path, _), value) in update.set.iter().zip(values) {
        assign(&mut new, path, value)?;
    }
    let mut removals: Vec<&Path> = update.remove.iter().collect();
    // Later list positions first, so that earlier removals do not shift them.
    removals.sort_by_key(|path| {
        path.iter()
            .map(|e| match e {
                Elem::Index(i) => (0, Reverse(*i), String::new()),
                Elem::Name(n) | Elem::Placeholder(n) => (1, Reverse(0), n.clone()),
            })
            .collect::<Vec<_>>()
    });
    for path in removals {
        remove(&mut new, path)?;
    }
    for (path, value) in &update.add {
        let value = operand(value, &new)?;
        let sum = match expr::lookup(&new, path) {
            None => value,
            Some(existing) => add(existing, &value)?,
        };
        assign(&mut new, path, sum)?;
    }
    for (path, value) in &update.delete {
        let value = operand(value, &new)?;
        let Some(existing) = expr::lookup(&new, path) else {
            continue;
        };
        match difference(existing, &value)? {
            Some(rest) => assign(&mut new, path, rest)?,
            None => remove(&mut new, path)?,
        }
    }
    Ok(new)
}

/// An operand's value: a path must exist in the item.
fn operand(op: &Operand, item: &Attrs) -> Result<Attr, AwsError> {
    match op {
        Operand::Path(path) => expr::lookup(item, path)
            .cloned()
            .ok_or_else(missing_attribute),
        Operand::Value(Val::Attr(attr)) => Ok(attr.clone()),
        Operand::Value(Val::Placeholder(key)) => Err(validation(format!(
            "An expression attribute value used in expression is not defined; attribute value: {key}"
        ))),
        Operand::Call(call) => {
            let arg = |i: usize| call.args.get(i).ok_or_else(missing_attribute);
            match call.name.as_str() {
                "if_not_exists" => match arg(0)? {
                    Operand::Path(path) if expr::lookup(item, path).is_some() => {
                        operand(arg(0)?, item)
                    }
                    _ => operand(arg(1)?, item),
                },
                "list_append" => match (operand(arg(0)?, item)?, operand(arg(1)?, item)?) {
                    (Attr::L(mut a), Attr::L(b)) => {
                        a.extend(b);
                        Ok(Attr::L(a))
                    }
                    _ => Err(wrong_type()),
                },
                _ => Err(wrong_type()),
            }
        }
    }
}

fn set_value(value: &SetValue, item: &Attrs) -> Result<Attr, AwsError> {
    let numbers = |a: &Operand, b: &Operand| match (operand(a, item)?, operand(b, item)?) {
        (Attr::N(a), Attr::N(b)) => Ok((a, b)),
        _ => Err(wrong_type()),
    };
    match value {
        SetValue::Operand(op) => operand(op, item),
        SetValue::Plus(a, b) => {
            let (a, b) = numbers(a, b)?;
            a.add(&b).map(Attr::N).map_err(validation)
        }
        SetValue::Minus(a, b) => {
            let (a, b) = numbers(a, b)?;
            a.sub(&b).map(Attr::N).map_err(validation)
        }
    }
}

/// `ADD`: a number's sum, a set's union.
fn add(existing: &Attr, value: &Attr) -> Result<Attr, AwsError> {
    fn union<T: PartialEq + Clone>(a: &[T], b: &[T]) -> Vec<T> {
        let mut out = a.to_vec();
        out.extend(b.iter().filter(|x| !a.contains(x)).cloned());
        out
    }
    Ok(match (existing, value) {
        (Attr::N(a), Attr::N(b)) => Attr::N(a.add(b).map_err(validation)?),
        (Attr::Ss(a), Attr::Ss(b)) => Attr::Ss(union(a, b)),
        (Attr::Ns(a), Attr::Ns(b)) => Attr::Ns(union(a, b)),
        (Attr::Bs(a), Attr::Bs(b)) => Attr::Bs(union(a, b)),
        _ => return Err(wrong_type()),
    })
}

/// `DELETE`: the set without `value`'s elements (`None` when nothing is left).
fn difference(existing: &Attr, value: &Attr) -> Result<Option<Attr>, AwsError> {
    fn minus<T: PartialEq + Clone>(a: &[T], b: &[T]) -> Vec<T> {
        a.iter().filter(|x| !b.contains(x)).cloned().collect()
    }
    let rest = match (existing, value) {
        (Attr::Ss(a), Attr::Ss(b)) => Attr::Ss(minus(a, b)),
        (Attr::Ns(a), Attr::Ns(b)) => Attr::Ns(minus(a, b)),
        (Attr::Bs(a), Attr::Bs(b)) => Attr::Bs(minus(a, b)),
        _ => return Err(wrong_type()),
    };
    let empty = matches!(&rest, Attr::Ss(s) if s.is_empty())
        || matches!(&rest, Attr::Ns(s) if s.is_empty())
        || matches!(&rest, Attr::Bs(s) if s.is_empty());
    Ok((!empty).then_some(rest))
}

/// The value at `path`, for changing it.
fn lookup_mut<'a>(item: &'a mut Attrs, path: &[Elem]) -> Option<&'a mut Attr> {
    let (Elem::Name(first), rest) = path.split_first()? else {
        return None;
    };
    let mut at = item.get_mut(first)?;
    for elem in rest {
        at = match (elem, at) {
            (Elem::Name(name), Attr::M(map)) => map.get_mut(name)?,
            (Elem::Index(i), Attr::L(list)) => list.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(at)
}

/// Set `path` to `value`: its parent must exist; an index past a list's end appends.
fn assign(item: &mut Attrs, path: &[Elem], value: Attr) -> Result<(), AwsError> {
    let Some((last, parent)) = path.split_last() else {
        return Err(invalid_path());
    };
    if parent.is_empty() {
        let Elem::Name(name) = last else {
            return Err(invalid_path());
        };
        item.insert(name.clone(), value);
        return Ok(());
    }
    match (last, lookup_mut(item, parent)) {
        (Elem::Name(name), Some(Attr::M(map))) => {
            map.insert(name.clone(), value);
        }
        (Elem::Index(i), Some(Attr::L(list))) => match list.get_mut(*i) {
            Some(slot) => *slot = value,
            None => list.push(value),
        },
        _ => return Err(invalid_path()),
    }
    Ok(())
}

/// Remove `path` (nothing to do when it is not there).
fn remove(item: &mut Attrs, path: &[Elem]) -> Result<(), AwsError> {
    let Some((last, parent)) = path.split_last() else {
        return Err(invalid_path());
    };
    if parent.is_empty() {
        if let Elem::Name(name) = last {
            item.remove(name);
        }
        return Ok(());
    }
    match (last, lookup_mut(item, parent)) {
        (Elem::Name(name), Some(Attr::M(map))) => {
            map.remove(name);
        }
        (Elem::Index(i), Some(Attr::L(list))) => {
            if *i < list.len() {
                list.remove(*i);
            }
        }
        (_, None) => {}
        _ => return Err(invalid_path()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::expr::{Env, ExprKind, parse_update};
    use super::super::model::{attrs_from_wire, attrs_to_wire};
    use super::*;
    use serde_json::{Value, json};

    fn run(src: &str, values: Value, item: Value) -> Result<Value, AwsError> {
        let mut request = json!({});
        if !values.is_null() {
            request["ExpressionAttributeValues"] = values;
        }
        let mut env = Env::from_request(&request, &[(ExprKind::Update, true)], true)?;
        let update = parse_update(src, &mut env)?;
        let item = attrs_from_wire(&item).expect("valid item");
        apply(&update, item).map(|new| Value::Object(attrs_to_wire(&new)))
    }

    #[test]
    fn set_computes_from_the_old_item() {
        let item =
            json!({"id": {"S": "a"}, "n": {"N": "5"}, "m": {"N": "1"}, "l": {"L": [{"S": "x"}]}});
        let new = run(
            "SET n = m, m = n + :one, l = list_append(l, :more), c = if_not_exists(c, :zero) - :one, f = if_not_exists(n, :zero)",
            json!({":one": {"N": "1"}, ":zero": {"N": "0"}, ":more": {"L": [{"S": "y"}]}}),
            item,
        )
        .expect("applies");
        assert_eq!(
            new,
            json!({"id": {"S": "a"}, "n": {"N": "1"}, "m": {"N": "6"}, "c": {"N": "-1"}, "f": {"N": "5"},
                   "l": {"L": [{"S": "x"}, {"S": "y"}]}})
        );
    }

    #[test]
    fn nested_assignments_and_removals() {
        let item = json!({"id": {"S": "a"}, "m": {"M": {"k": {"S": "v"}}},
                          "l": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}, {"N": "3"}]}});
        let new = run(
            "SET m.k2 = :v, l[1] = :v, l[10] = :v REMOVE m.k, l[0], l[2]",
            json!({":v": {"S": "new"}}),
            item.clone(),
        )
        .expect("applies");
        // Removals use the original positions: 0 and 2 go, 1 (now "new") and 3 stay, then the append.
        assert_eq!(
            new,
            json!({"id": {"S": "a"}, "m": {"M": {"k2": {"S": "new"}}},
                   "l": {"L": [{"S": "new"}, {"N": "3"}, {"S": "new"}]}})
        );
        assert_eq!(
            run("SET nope.k = :v", json!({":v": {"S": "x"}}), item.clone())
                .expect_err("no parent")
                .message,
            "The document path provided in the update expression is invalid for update"
        );
        assert_eq!(
            run("SET a = nope", Value::Null, item.clone())
                .expect_err("no operand")
                .message,
            "The provided expression refers to an attribute that does not exist in the item"
        );
        assert_eq!(
            run("SET a = m + :v", json!({":v": {"N": "1"}}), item.clone())
                .expect_err("map plus number")
                .message,
            "An operand in the update expression has an incorrect data type"
        );
        // Removing what is not there is fine.
        assert!(run("REMOVE nope, m.nope, l[99]", Value::Null, item).is_ok());
    }

    #[test]
    fn add_and_delete_on_numbers_and_sets() {
        let item = json!({"id": {"S": "a"}, "n": {"N": "1.5"}, "tags": {"SS": ["a", "b"]}, "s": {"S": "x"}});
        let new = run(
            "ADD n :two, tags :more, fresh :two, nums :ns",
            json!({":two": {"N": "2"}, ":more": {"SS": ["c", "a"]}, ":ns": {"NS": ["1"]}}),
            item.clone(),
        )
        .expect("applies");
        assert_eq!(
            new,
            json!({"id": {"S": "a"}, "n": {"N": "3.5"}, "tags": {"SS": ["a", "b", "c"]}, "s": {"S": "x"},
                   "fresh": {"N": "2"}, "nums": {"NS": ["1"]}})
        );
        let fewer = run(
            "DELETE tags :gone",
            json!({":gone": {"SS": ["b", "zz"]}}),
            item.clone(),
        )
        .expect("applies");
        assert_eq!(fewer["tags"], json!({"SS": ["a"]}));
        let emptied = run(
            "DELETE tags :all, nope :all",
            json!({":all": {"SS": ["a", "b"]}}),
            item.clone(),
        )
        .expect("applies");
        assert!(emptied.get("tags").is_none());
        assert_eq!(
            run("ADD s :two", json!({":two": {"N": "2"}}), item.clone())
                .expect_err("string plus number")
                .message,
            "An operand in the update expression has an incorrect data type"
        );
        assert_eq!(
            run("DELETE tags :ns", json!({":ns": {"NS": ["1"]}}), item)
                .expect_err("number set from string set")
                .message,
            "An operand in the update expression has an incorrect data type"
        );
    }
}
