//! The checks of a parsed expression (DynamoDB's semantic errors, ranked as it reports them) and the
//! resolution of its placeholders; the entry points that parse, check and resolve each kind.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::super::model::Attr;
use super::super::reserved::is_reserved;
use super::AwsError;
use super::eval::compare;
use super::parse::Parser;
use super::{Call, Cond, Elem, Env, ExprKind, Operand, Path, SetValue, Update, Val, path_text};

/// The kinds of semantic error, in the order DynamoDB ranks them (the first one present is reported).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Parentheses,
    UnknownFunction,
    MisusedFunction,
    Reserved,
    Operands,
}

/// Walks a tree: checks it, resolves its placeholders, keeps the first error of each rank.
struct Checker<'e> {
    kind: ExprKind,
    env: &'e mut Env,
    errors: BTreeMap<Rank, String>,
}

/// The functions of conditions, with their operand counts.
const CONDITION_FUNCTIONS: [(&str, usize); 6] = [
    ("attribute_exists", 1),
    ("attribute_not_exists", 1),
    ("attribute_type", 2),
    ("begins_with", 2),
    ("contains", 2),
    ("size", 1),
];

/// The functions of `SET` values, with their operand counts.
const UPDATE_FUNCTIONS: [(&str, usize); 2] = [("if_not_exists", 2), ("list_append", 2)];

/// The types `attribute_type` accepts, in DynamoDB's order for its message.
const TYPE_NAMES: [&str; 10] = ["B", "NULL", "SS", "BOOL", "L", "BS", "N", "NS", "S", "M"];

/// A scalar value as DynamoDB shows operands: `{N:5}`, `{S:abc}`.
fn show_value(attr: &Attr) -> String {
    match attr {
        Attr::S(s) => format!("{{S:{s}}}"),
        Attr::N(n) => format!("{{N:{n}}}"),
        other => format!("{{{}:{}}}", other.type_name(), other.to_plain()),
    }
}

impl Checker<'_> {
    fn note(&mut self, rank: Rank, message: String) {
        self.errors.entry(rank).or_insert(message);
    }

    fn finish(self) -> Result<(), AwsError> {
        match self.errors.into_values().next() {
            Some(message) => Err(self.kind.invalid(message)),
            None => Ok(()),
        }
    }

    fn path(&mut self, path: &mut Path) {
        for elem in path.iter_mut() {
            match elem {
                Elem::Name(name) if is_reserved(name) => self.note(
                    Rank::Reserved,
                    format!("Attribute name is a reserved keyword; reserved keyword: {name}"),
                ),
                Elem::Placeholder(key) => match self.env.name(key) {
                    Some(name) => *elem = Elem::Name(name),
                    None => self.note(
                        Rank::Operands,
                        format!(
                            "An expression attribute name used in the document path is not defined; attribute name: {key}"
                        ),
                    ),
                },
                _ => {}
            }
        }
    }

    /// Check and resolve an operand; `allowed` are the functions an operand may call here.
    fn operand(&mut self, operand: &mut Operand, allowed: &[(&str, usize)]) {
        match operand {
            Operand::Path(path) => self.path(path),
            Operand::Value(value) => {
                if let Val::Placeholder(key) = value {
                    match self.env.value(key) {
                        Some(attr) => *value = Val::Attr(attr),
                        None => {
                            let message = format!(
                                "An expression attribute value used in expression is not defined; attribute value: {key}"
                            );
                            self.note(Rank::Operands, message);
                        }
                    }
                }
            }
            Operand::Call(call) => {
                let name = call.name.clone();
                if !allowed.iter().any(|(f, _)| *f == name) {
                    self.misused_or_unknown(&name);
                }
                self.call(call);
            }
        }
    }

    /// A function where it may not be: unknown names are ranked above misuse.
    fn misused_or_unknown(&mut self, name: &str) {
        let known = CONDITION_FUNCTIONS
            .iter()
            .chain(&UPDATE_FUNCTIONS)
            .any(|(f, _)| *f == name);
        if known && self.kind != ExprKind::Update {
            self.note(
                Rank::MisusedFunction,
                format!(
                    "The function is not allowed to be used this way in an expression; function: {name}"
                ),
            );
        } else if known {
            self.note(
                Rank::MisusedFunction,
                format!("The function is not allowed in an update expression; function: {name}"),
            );
        } else {
            self.note(
                Rank::UnknownFunction,
                format!("Invalid function name; function: {name}"),
            );
        }
    }

    /// Check and resolve a function call's operands, then its operand count and types.
    fn call(&mut self, call: &mut Call) {
        let nested: &[(&str, usize)] = if call.name == "if_not_exists" || call.name == "list_append"
        {
            &UPDATE_FUNCTIONS
        } else {
            &[("size", 1)]
        };
        for arg in &mut call.args {
            self.operand(arg, nested);
        }
        let Some((_, count)) = CONDITION_FUNCTIONS
            .iter()
            .chain(&UPDATE_FUNCTIONS)
            .find(|(f, _)| *f == call.name)
        else {
            return;
        };
        let name = call.name.as_str();
        if call.args.len() != *count {
            self.note(
                Rank::Operands,
                format!(
                    "Incorrect number of operands for operator or function; operator or function: {name}, number of operands: {}",
                    call.args.len()
                ),
            );
            return;
        }
        self.distinct(name, &call.args);
        let bad_operand = |t: &str| {
            format!(
                "Incorrect operand type for operator or function; operator or function: {name}, operand type: {t}"
            )
        };
        let needs_path = |op: &Operand| !matches!(op, Operand::Path(_));
        match name {
            "attribute_exists" | "attribute_not_exists" | "if_not_exists"
                if needs_path(&call.args[0]) =>
            {
                self.note(
                    Rank::Operands,
                    format!(
                        "Operator or function requires a document path; operator or function: {name}"
                    ),
                );
            }
            "begins_with" => {
                if let Some(t) = call
                    .args
                    .iter()
                    .filter_map(static_type)
                    .find(|t| *t != "S" && *t != "B")
                {
                    self.note(Rank::Operands, bad_operand(t));
                }
            }
            "attribute_type" => match &call.args[1] {
                Operand::Value(Val::Attr(Attr::S(t))) if !TYPE_NAMES.contains(&t.as_str()) => {
                    self.note(
                        Rank::Operands,
                        format!(
                            "Invalid attribute type name found; type: {t}, valid types: {{{}}}",
                            TYPE_NAMES.join(",")
                        ),
                    );
                }
                Operand::Value(Val::Attr(Attr::S(_))) => {}
                other => {
                    let t = static_type(other).unwrap_or("{NS,SS,L,BS,N,M,B,BOOL,NULL,S}");
                    self.note(Rank::Operands, bad_operand(t));
                }
            },
            "size" => {
                if let Some(t) =
                    static_type(&call.args[0]).filter(|t| ["N", "BOOL", "NULL"].contains(t))
                {
                    self.note(Rank::Operands, bad_operand(t));
                }
            }
            "list_append" => {
                if let Some(t) = call.args.iter().filter_map(static_type).find(|t| *t != "L") {
                    self.note(Rank::Operands, bad_operand(t));
                }
            }
            _ => {}
        }
    }

    /// `a = a`, `begins_with(a, a)`: the first operand must differ from the others.
    fn distinct(&mut self, operator: &str, operands: &[Operand]) {
        if let [Operand::Path(first), Operand::Path(second)] = operands
            && first == second
        {
            let message = format!(
                "The first operand must be distinct from the remaining operands for this operator or function; operator: {operator}, first operand: {}",
                path_text(first)
            );
            self.note(Rank::Operands, message);
        }
    }

    fn condition(&mut self, cond: &mut Cond) {
        let only_size: &[(&str, usize)] = &[("size", 1)];
        match cond {
            Cond::Cmp(cmp, left, right) => {
                self.operand(left, only_size);
                self.operand(right, only_size);
                self.distinct(cmp.symbol(), &[left.clone(), right.clone()]);
            }
            Cond::Between(value, low, high) => {
                for op in [&mut *value, &mut *low, &mut *high] {
                    self.operand(op, only_size);
                }
                if let (Operand::Value(Val::Attr(low)), Operand::Value(Val::Attr(high))) =
                    (low, high)
                {
                    let bounds = format!(
                        "lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
                        show_value(low),
                        show_value(high)
                    );
                    if low.type_name() != high.type_name() {
                        self.note(
                            Rank::Operands,
                            format!(
                                "The BETWEEN operator requires same data type for lower and upper bounds; {bounds}"
                            ),
                        );
                    } else if compare(low, high) == Some(Ordering::Greater) {
                        self.note(
                            Rank::Operands,
                            format!(
                                "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; {bounds}"
                            ),
                        );
                    }
                }
            }
            Cond::In(value, list) => {
                self.operand(value, only_size);
                for op in list {
                    self.operand(op, only_size);
                }
            }
            Cond::Call(call) => {
                if call.name == "size" {
                    self.misused_or_unknown("size");
                } else if !CONDITION_FUNCTIONS.iter().any(|(f, _)| *f == call.name) {
                    let name = call.name.clone();
                    self.misused_or_unknown(&name);
                }
                self.call(call);
            }
            Cond::Not(inner) => self.condition(inner),
            Cond::And(a, b) | Cond::Or(a, b) => {
                self.condition(a);
                self.condition(b);
            }
        }
    }
}

/// The type an operand has before evaluation: a value's type, `N` for `size`.
fn static_type(operand: &Operand) -> Option<&'static str> {
    match operand {
        Operand::Value(Val::Attr(attr)) => Some(attr.type_name()),
        Operand::Call(call) if call.name == "size" => Some("N"),
        _ => None,
    }
}

/// Overlapping paths (`a` and `a.b`, or the same path twice) and conflicting ones (`a[0]` and `a.b`)
/// may not be used together in a projection or an update.
fn check_paths(kind: ExprKind, paths: &[&Path]) -> Result<(), AwsError> {
    for (i, one) in paths.iter().enumerate() {
        for two in &paths[i + 1..] {
            let differing = one.iter().zip(two.iter()).find(|(a, b)| a != b);
            let relation = match differing {
                None => "overlap",
                Some((Elem::Index(_), Elem::Index(_))) => continue,
                Some((Elem::Index(_), _) | (_, Elem::Index(_))) => "conflict",
                Some(_) => continue,
            };
            return Err(kind.invalid(format!(
                "Two document paths {relation} with each other; must remove or rewrite one of these paths; path one: {}, path two: {}",
                path_text(one),
                path_text(two)
            )));
        }
    }
    Ok(())
}

/// Parse, check and resolve a condition (`ConditionExpression`, `FilterExpression`,
/// `KeyConditionExpression`).
pub(crate) fn parse_condition(kind: ExprKind, src: &str, env: &mut Env) -> Result<Cond, AwsError> {
    let mut parser = Parser::new(kind, src)?;
    let mut cond = parser.complete(Parser::or)?;
    let mut checker = Checker {
        kind,
        env,
        errors: BTreeMap::new(),
    };
    if parser.has_redundant_parentheses() {
        checker.note(
            Rank::Parentheses,
            "The expression has redundant parentheses;".into(),
        );
    }
    checker.condition(&mut cond);
    checker.finish()?;
    Ok(cond)
}

/// Parse, check and resolve a `ProjectionExpression`.
pub(crate) fn parse_projection(src: &str, env: &mut Env) -> Result<Vec<Path>, AwsError> {
    let kind = ExprKind::Projection;
    let mut parser = Parser::new(kind, src)?;
    let mut paths = parser.complete(Parser::projection)?;
    let mut checker = Checker {
        kind,
        env,
        errors: BTreeMap::new(),
    };
    for path in &mut paths {
        checker.path(path);
    }
    checker.finish()?;
    check_paths(kind, &paths.iter().collect::<Vec<_>>())?;
    Ok(paths)
}

/// Parse, check and resolve an `UpdateExpression`.
pub(crate) fn parse_update(src: &str, env: &mut Env) -> Result<Update, AwsError> {
    let kind = ExprKind::Update;
    let mut parser = Parser::new(kind, src)?;
    let (mut update, repeated) = parser.complete(Parser::update)?;
    if let Some(clause) = repeated {
        return Err(kind.invalid(format!(
            "The \"{clause}\" section can only be used once in an update expression;"
        )));
    }
    let mut checker = Checker {
        kind,
        env,
        errors: BTreeMap::new(),
    };
    for (path, value) in &mut update.set {
        checker.path(path);
        let symbol = if matches!(value, SetValue::Plus(..)) {
            "+"
        } else {
            "-"
        };
        match value {
            SetValue::Operand(op) => checker.operand(op, &UPDATE_FUNCTIONS),
            SetValue::Plus(a, b) | SetValue::Minus(a, b) => {
                checker.operand(a, &UPDATE_FUNCTIONS);
                checker.operand(b, &UPDATE_FUNCTIONS);
                if let Some(t) = [&*a, &*b]
                    .into_iter()
                    .filter_map(|op| static_type(op))
                    .find(|t| *t != "N")
                {
                    checker.note(
                        Rank::Operands,
                        format!(
                            "Incorrect operand type for operator or function; operator or function: {symbol}, operand type: {t}"
                        ),
                    );
                }
            }
        }
    }
    for path in &mut update.remove {
        checker.path(path);
    }
    for (clause, actions, allowed) in [
        ("ADD", &mut update.add, &["N", "SS", "NS", "BS"][..]),
        ("DELETE", &mut update.delete, &["SS", "NS", "BS"][..]),
    ] {
        for (path, value) in actions.iter_mut() {
            checker.path(path);
            checker.operand(value, &[]);
            if let Some(t) = static_type(value).filter(|t| !allowed.contains(t)) {
                checker.note(
                    Rank::Operands,
                    format!(
                        "Incorrect operand type for operator or function; operator: {clause}, operand type: {}, typeSet: ALLOWED_FOR_{clause}_OPERAND",
                        long_type_name(t)
                    ),
                );
            }
        }
    }
    checker.finish()?;
    check_paths(kind, &update.paths())?;
    Ok(update)
}

/// The type names of update-expression messages.
fn long_type_name(t: &str) -> &'static str {
    match t {
        "S" => "STRING",
        "N" => "NUMBER",
        "B" => "BINARY",
        "BOOL" => "BOOLEAN",
        "NULL" => "NULL",
        "L" => "LIST",
        "M" => "MAP",
        "SS" => "STRING SET",
        "NS" => "NUMBER SET",
        _ => "BINARY SET",
    }
}
