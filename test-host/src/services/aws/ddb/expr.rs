//! DynamoDB's expression language: condition, filter, key condition, projection and update expressions.
//!
//! An expression goes through four steps, each with DynamoDB's messages:
//! 1. the tokenizer and a recursive-descent parser build a tree (`Syntax error; token: "…", near: "…"`);
//! 2. a check walks it: redundant parentheses, unknown or misused functions, reserved words, undefined
//!    `#name`/`:value` placeholders, operand counts and types (the first error of the highest-ranked
//!    kind wins, as DynamoDB reports one error);
//! 3. placeholders are replaced by their names and values (and marked used, so that the request can
//!    report unused ones);
//! 4. the resolved tree is evaluated against an item.
//!
//! Precedence, from loosest: `OR`, `AND`, `NOT`, then comparisons, `BETWEEN`, `IN` and functions;
//! parentheses group.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::model::Attr;
use super::request::{Expected, wrong_type};
use super::{AwsError, validation};

mod check;
mod eval;
mod parse;

pub(crate) use check::{parse_condition, parse_projection, parse_update};
pub(crate) use eval::{lookup, project};

/// Which expression parameter an expression is: it names the parameter in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExprKind {
    Condition,
    KeyCondition,
    Filter,
    Projection,
    Update,
}

impl ExprKind {
    /// The request parameter: `ConditionExpression`, …
    pub(crate) fn parameter(self) -> &'static str {
        match self {
            ExprKind::Condition => "ConditionExpression",
            ExprKind::KeyCondition => "KeyConditionExpression",
            ExprKind::Filter => "FilterExpression",
            ExprKind::Projection => "ProjectionExpression",
            ExprKind::Update => "UpdateExpression",
        }
    }

    /// `Invalid ConditionExpression: <message>`.
    pub(crate) fn invalid(self, message: impl std::fmt::Display) -> AwsError {
        validation(format!("Invalid {}: {message}", self.parameter()))
    }
}

// ---------------------------------------------------------------------------------------------------
// Placeholders
// ---------------------------------------------------------------------------------------------------

/// A request's `ExpressionAttributeNames` and `ExpressionAttributeValues`, and which of them the request's
/// expressions used.
#[derive(Debug, Default)]
pub(crate) struct Env {
    names: Option<BTreeMap<String, String>>,
    values: Option<BTreeMap<String, Attr>>,
    used_names: BTreeSet<String>,
    used_values: BTreeSet<String>,
}

/// Is `key` a placeholder: `sigil` then one or more of `A-Z a-z 0-9 _`?
fn is_placeholder(key: &str, sigil: char) -> bool {
    key.strip_prefix(sigil).is_some_and(|rest| {
        !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

impl Env {
    /// Read the placeholders of `request`. `expressions` are the expression parameters the operation
    /// has (with whether the request sets them); `with_values` says whether it has
    /// `ExpressionAttributeValues` at all (GetItem does not).
    pub(crate) fn from_request(
        request: &Value,
        expressions: &[(ExprKind, bool)],
        with_values: bool,
    ) -> Result<Env, AwsError> {
        let mut env = Env::default();
        let names = member_map(request, "ExpressionAttributeNames")?;
        let values = if with_values {
            member_map(request, "ExpressionAttributeValues")?
        } else {
            None
        };
        if !expressions.iter().any(|(_, present)| *present) {
            if names.is_some() {
                return Err(validation(
                    "ExpressionAttributeNames can only be specified when using expressions",
                ));
            }
            if values.is_some() {
                let null: Vec<&str> = expressions.iter().map(|(k, _)| k.parameter()).collect();
                let verb = if null.len() > 1 { "are" } else { "is" };
                return Err(validation(format!(
                    "ExpressionAttributeValues can only be specified when using expressions: {} {verb} null",
                    null.join(" and ")
                )));
            }
        }
        if let Some(names) = names {
            if names.is_empty() {
                return Err(validation("ExpressionAttributeNames must not be empty"));
            }
            let mut map = BTreeMap::new();
            for (key, name) in names {
                if !is_placeholder(key, '#') {
                    return Err(validation(format!(
                        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"{key}\""
                    )));
                }
                let Value::String(name) = name else {
                    return Err(wrong_type(Expected::Str, name));
                };
                map.insert(key.clone(), name.clone());
            }
            env.names = Some(map);
        }
        if let Some(values) = values {
            if values.is_empty() {
                return Err(validation("ExpressionAttributeValues must not be empty"));
            }
            let mut map = BTreeMap::new();
            for (key, value) in values {
                if !is_placeholder(key, ':') {
                    return Err(validation(format!(
                        "ExpressionAttributeValues contains invalid key: Syntax error; key: \"{key}\""
                    )));
                }
                let value = Attr::from_wire(value).map_err(|message| {
                    validation(format!(
                        "ExpressionAttributeValues contains invalid value: {message} for key {key}"
                    ))
                })?;
                map.insert(key.clone(), value);
            }
            env.values = Some(map);
        }
        Ok(env)
    }

    /// After every expression of the request is parsed: placeholders no expression used are an error.
    pub(crate) fn finish(&self) -> Result<(), AwsError> {
        let unused = |defined: Option<Vec<&String>>, used: &BTreeSet<String>| -> Vec<String> {
            defined
                .unwrap_or_default()
                .into_iter()
                .filter(|k| !used.contains(*k))
                .cloned()
                .collect()
        };
        let names = unused(
            self.names.as_ref().map(|m| m.keys().collect()),
            &self.used_names,
        );
        if !names.is_empty() {
            return Err(validation(format!(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{}}}",
                names.join(", ")
            )));
        }
        let values = unused(
            self.values.as_ref().map(|m| m.keys().collect()),
            &self.used_values,
        );
        if !values.is_empty() {
            return Err(validation(format!(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{}}}",
                values.join(", ")
            )));
        }
        Ok(())
    }

    pub(super) fn name(&mut self, key: &str) -> Option<String> {
        let name = self.names.as_ref()?.get(key)?.clone();
        self.used_names.insert(key.to_owned());
        Some(name)
    }

    pub(super) fn value(&mut self, key: &str) -> Option<Attr> {
        let value = self.values.as_ref()?.get(key)?.clone();
        self.used_values.insert(key.to_owned());
        Some(value)
    }
}

/// An optional JSON object member of the request.
fn member_map<'a>(
    request: &'a Value,
    member: &str,
) -> Result<Option<&'a serde_json::Map<String, Value>>, AwsError> {
    match request.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(other) => Err(wrong_type(Expected::Map, other)),
    }
}

// ---------------------------------------------------------------------------------------------------
// Trees
// ---------------------------------------------------------------------------------------------------

/// One step of a document path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Elem {
    /// An attribute or map key.
    Name(String),
    /// `#name`, until resolved.
    Placeholder(String),
    /// `[n]`.
    Index(usize),
}

/// A document path: `a.b[2].c`.
pub(crate) type Path = Vec<Elem>;

/// DynamoDB's rendering of a path in messages: `[a, b, [2], c]`.
pub(crate) fn path_text(path: &[Elem]) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|e| match e {
            Elem::Name(n) | Elem::Placeholder(n) => n.clone(),
            Elem::Index(i) => format!("[{i}]"),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// A value operand: a `:value` placeholder until resolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Placeholder(String),
    Attr(Attr),
}

/// An operand: a path, a value, or a function call (`size(a)`, `if_not_exists(a, :v)`, …).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Path(Path),
    Value(Val),
    Call(Call),
}

/// A function call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Call {
    pub(crate) name: String,
    pub(crate) args: Vec<Operand>,
}

/// A comparator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::Ne => "<>",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
}

/// A condition (condition, filter and key condition expressions).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Cmp(Cmp, Operand, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    Call(Call),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

/// The right-hand side of a `SET` action.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SetValue {
    Operand(Operand),
    Plus(Operand, Operand),
    Minus(Operand, Operand),
}

/// An update expression's actions, by clause.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Update {
    pub(crate) set: Vec<(Path, SetValue)>,
    pub(crate) remove: Vec<Path>,
    pub(crate) add: Vec<(Path, Operand)>,
    pub(crate) delete: Vec<(Path, Operand)>,
}

impl Update {
    /// Every path the update writes, in clause order.
    pub(crate) fn paths(&self) -> Vec<&Path> {
        self.set
            .iter()
            .map(|(p, _)| p)
            .chain(&self.remove)
            .chain(self.add.iter().map(|(p, _)| p))
            .chain(self.delete.iter().map(|(p, _)| p))
            .collect()
    }
}

#[cfg(test)]
mod tests;
