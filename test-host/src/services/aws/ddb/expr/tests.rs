//! The expression language: evaluation, syntax and semantic errors, placeholders, projections and
//! update expressions.

use super::super::model::Attrs;
use super::*;
use serde_json::json;

fn env(names: Value, values: Value) -> Env {
    let mut request = json!({});
    if !names.is_null() {
        request["ExpressionAttributeNames"] = names;
    }
    if !values.is_null() {
        request["ExpressionAttributeValues"] = values;
    }
    Env::from_request(&request, &[(ExprKind::Condition, true)], true).expect("valid env")
}

fn item(value: Value) -> Attrs {
    super::super::model::attrs_from_wire(&value).expect("valid item")
}

fn sample() -> Attrs {
    item(json!({
        "id": {"S": "u1"},
        "age": {"N": "36"},
        "name": {"S": "Ada Lovelace"},
        "tags": {"SS": ["admin", "dev"]},
        "scores": {"NS": ["1", "2.5"]},
        "bin": {"B": "AQID"},
        "ok": {"BOOL": true},
        "nothing": {"NULL": true},
        "lst": {"L": [{"S": "a"}, {"N": "2"}, {"M": {"deep": {"S": "x"}}}]},
        "mp": {"M": {"nest": {"M": {"n": {"N": "5"}}}, "s": {"S": "hello"}}}
    }))
}

/// Evaluate `src` against the sample item with `#n` = `name` and the given values.
fn holds(src: &str, values: Value) -> bool {
    let mut env = env(json!({"#n": "name"}), values);
    let cond = parse_condition(ExprKind::Condition, src, &mut env).expect("valid");
    cond.holds(Some(&sample()))
}

fn error(src: &str, names: Value, values: Value) -> String {
    let mut env = env(names, values);
    parse_condition(ExprKind::Condition, src, &mut env)
        .expect_err("invalid")
        .message
}

#[test]
fn comparisons_by_type() {
    assert!(holds("age = :v", json!({":v": {"N": "36.0"}})));
    assert!(holds("age < :v", json!({":v": {"N": "100"}})));
    assert!(holds("age >= :v", json!({":v": {"N": "36"}})));
    assert!(!holds("age > :v", json!({":v": {"N": "36"}})));
    assert!(holds("id <> :v", json!({":v": {"S": "u2"}})));
    // Different types: never equal, never ordered.
    assert!(!holds("age = :v", json!({":v": {"S": "36"}})));
    assert!(holds("age <> :v", json!({":v": {"S": "36"}})));
    assert!(!holds("age < :v", json!({":v": {"S": "99"}})));
    // A nope attribute is unequal to everything.
    assert!(!holds("nope = :v", json!({":v": {"N": "1"}})));
    assert!(holds("nope <> :v", json!({":v": {"N": "1"}})));
    // Strings by bytes, sets regardless of order, nested paths.
    assert!(holds("#n > :v", json!({":v": {"S": "Ada"}})));
    assert!(holds("tags = :v", json!({":v": {"SS": ["dev", "admin"]}})));
    assert!(holds("mp.nest.n = :v", json!({":v": {"N": "5"}})));
    assert!(holds("lst[2].deep = :v", json!({":v": {"S": "x"}})));
    assert!(!holds("lst[7] = :v", json!({":v": {"S": "x"}})));
    assert!(holds("bin = :v", json!({":v": {"B": "AQID"}})));
}

#[test]
fn logic_precedence_and_grouping() {
    let v = json!({":a": {"N": "36"}, ":b": {"N": "1"}});
    // AND binds tighter than OR: true OR (false AND false).
    assert!(holds("age = :a OR age = :b AND age = :b", v.clone()));
    assert!(!holds("(age = :a OR age = :b) AND age = :b", v.clone()));
    assert!(holds("NOT age = :b", v.clone()));
    assert!(!holds("not (age = :a and attribute_exists(id))", v.clone()));
    assert!(holds(
        "(age) = :a and (size(tags)) = :c",
        json!({":a": {"N": "36"}, ":c": {"N": "2"}})
    ));
}

#[test]
fn between_and_in() {
    assert!(holds(
        "age BETWEEN :lo AND :hi",
        json!({":lo": {"N": "30"}, ":hi": {"N": "36"}})
    ));
    assert!(!holds(
        "age between :lo and :hi",
        json!({":lo": {"N": "37"}, ":hi": {"N": "40"}})
    ));
    assert!(holds(
        "id IN (:a, :b)",
        json!({":a": {"S": "x"}, ":b": {"S": "u1"}})
    ));
    assert!(!holds("id IN (:a)", json!({":a": {"S": "x"}})));
    assert!(!holds("nope IN (:a)", json!({":a": {"S": "x"}})));
}

#[test]
fn functions() {
    let none = json!({":unused_guard": {"S": "x"}});
    let _ = none;
    assert!(holds(
        "attribute_exists(id) AND attribute_not_exists(nope)",
        Value::Null
    ));
    assert!(holds("attribute_exists(mp.nest.n)", Value::Null));
    assert!(!holds("attribute_exists(mp.nest.zz)", Value::Null));
    assert!(holds(
        "attribute_type(tags, :t)",
        json!({":t": {"S": "SS"}})
    ));
    assert!(!holds("attribute_type(age, :t)", json!({":t": {"S": "S"}})));
    assert!(holds("begins_with(#n, :p)", json!({":p": {"S": "Ada"}})));
    assert!(!holds("begins_with(age, :p)", json!({":p": {"S": "3"}})));
    assert!(holds("begins_with(bin, :p)", json!({":p": {"B": "AQ=="}})));
    assert!(holds("contains(#n, :p)", json!({":p": {"S": "Love"}})));
    assert!(holds("contains(tags, :p)", json!({":p": {"S": "dev"}})));
    assert!(holds("contains(scores, :p)", json!({":p": {"N": "2.50"}})));
    assert!(holds("contains(lst, :p)", json!({":p": {"N": "2"}})));
    assert!(!holds("contains(tags, :p)", json!({":p": {"S": "ops"}})));
    assert!(holds("size(#n) = :n", json!({":n": {"N": "12"}})));
    assert!(holds(
        "size(lst) = :n AND size(mp) = :m",
        json!({":n": {"N": "3"}, ":m": {"N": "2"}})
    ));
    assert!(holds("size(bin) < :n", json!({":n": {"N": "4"}})));
    // size of a number has no size: the comparison does not hold.
    assert!(!holds("size(age) > :n", json!({":n": {"N": "0"}})));
    // No item at all: only attribute_not_exists holds.
    let mut env = env(Value::Null, Value::Null);
    let cond =
        parse_condition(ExprKind::Condition, "attribute_not_exists(id)", &mut env).expect("valid");
    assert!(cond.holds(None));
}

#[test]
fn syntax_errors_name_the_token_and_its_neighbours() {
    let v = json!({":v": {"N": "1"}});
    assert_eq!(
        error("a = 1", Value::Null, Value::Null),
        "Invalid ConditionExpression: Syntax error; token: \"1\", near: \"= 1\""
    );
    assert_eq!(
        error("attribute_exists(a) AND", Value::Null, Value::Null),
        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\""
    );
    assert_eq!(
        error("attribute_type()", Value::Null, Value::Null),
        "Invalid ConditionExpression: Syntax error; token: \")\", near: \"()\""
    );
    assert_eq!(
        error("l[a] = :v", Value::Null, v.clone()),
        "Invalid ConditionExpression: Syntax error; token: \"a\", near: \"[a]\""
    );
    assert_eq!(
        error("a = :v $", Value::Null, v.clone()),
        "Invalid ConditionExpression: Syntax error; token: \"$\", near: \":v $\""
    );
    assert_eq!(
        error("a = :v)", Value::Null, v.clone()),
        "Invalid ConditionExpression: Syntax error; token: \")\", near: \":v)\""
    );
    assert_eq!(
        error("my-attr = :v", Value::Null, v.clone()),
        "Invalid ConditionExpression: Syntax error; token: \"-\", near: \"my-attr\""
    );
    assert_eq!(
        error("   ", Value::Null, Value::Null),
        "Invalid ConditionExpression: The expression can not be empty;"
    );
    assert!(error("a", Value::Null, Value::Null).contains("token: \"<EOF>\""));
    let long = format!("a = :v{}", " ".repeat(4100));
    assert_eq!(
        error(&long, Value::Null, v.clone()),
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4106"
    );
    let deep = format!("{}a = :v{}", "(".repeat(65), ")".repeat(65));
    assert!(error(&deep, Value::Null, v.clone()).contains("nested too deeply"));
    assert!(error("_a = :v", Value::Null, v).contains("token: \"_a\""));
}

#[test]
fn semantic_errors_like_dynamodb() {
    let v = json!({":v": {"N": "1"}});
    let no = Value::Null;
    assert_eq!(
        error("#x = :v", json!({"#n": "n"}), v.clone()),
        "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"
    );
    assert_eq!(
        error("a = :w", no.clone(), v.clone()),
        "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :w"
    );
    assert_eq!(
        error("status = :v", no.clone(), v.clone()),
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"
    );
    assert_eq!(
        error("a.Name = :v", no.clone(), v.clone()),
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Name"
    );
    assert_eq!(
        error("((a = :v))", no.clone(), v.clone()),
        "Invalid ConditionExpression: The expression has redundant parentheses;"
    );
    assert_eq!(
        error("no_such(a)", no.clone(), no.clone()),
        "Invalid ConditionExpression: Invalid function name; function: no_such"
    );
    assert_eq!(
        error("attribute_exists(a) = :v", no.clone(), v.clone()),
        "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"
    );
    assert_eq!(
        error("size(a)", no.clone(), no.clone()),
        "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"
    );
    assert_eq!(
        error("attribute_exists(a, b)", no.clone(), no.clone()),
        "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"
    );
    assert_eq!(
        error("attribute_exists(:v)", no.clone(), v.clone()),
        "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"
    );
    assert_eq!(
        error("begins_with(a, :v)", no.clone(), v.clone()),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"
    );
    assert_eq!(
        error(
            "attribute_type(a, :t)",
            no.clone(),
            json!({":t": {"S": "STRING"}})
        ),
        "Invalid ConditionExpression: Invalid attribute type name found; type: STRING, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
    );
    assert_eq!(
        error("attribute_type(a, :v)", no.clone(), v.clone()),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"
    );
    assert_eq!(
        error("a.b = a.b", no.clone(), no.clone()),
        "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a, b]"
    );
    assert_eq!(
        error(
            "a BETWEEN :hi AND :lo",
            no.clone(),
            json!({":lo": {"N": "1"}, ":hi": {"N": "5"}})
        ),
        "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"
    );
    assert_eq!(
        error(
            "a BETWEEN :lo AND :s",
            no.clone(),
            json!({":lo": {"N": "1"}, ":s": {"S": "x"}})
        ),
        "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}"
    );
    assert_eq!(
        error("size(:v) > a", no.clone(), v.clone()),
        "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"
    );
    // Ranking: an unknown function is reported before an undefined placeholder.
    assert!(error("#x = :v AND nope(a)", no, v).contains("Invalid function name"));
}

#[test]
fn placeholders_are_validated_and_must_all_be_used() {
    let request =
        |body: Value| Env::from_request(&body, &[(ExprKind::Condition, true)], true).map(|_| ());
    let message = |body: Value| request(body).expect_err("invalid").message;
    assert_eq!(
        message(json!({"ExpressionAttributeNames": {}})),
        "ExpressionAttributeNames must not be empty"
    );
    assert_eq!(
        message(json!({"ExpressionAttributeNames": {"n": "x"}})),
        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"n\""
    );
    assert_eq!(
        message(json!({"ExpressionAttributeValues": {"v": {"S": "x"}}})),
        "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\""
    );
    assert_eq!(
        message(json!({"ExpressionAttributeValues": {":v": {"N": "x"}}})),
        "ExpressionAttributeValues contains invalid value: A value provided cannot be converted into a number for key :v"
    );
    assert_eq!(
        request(json!({"ExpressionAttributeNames": 3}))
            .expect_err("type")
            .code,
        "SerializationException"
    );
    let without = |body: Value, kinds: &[(ExprKind, bool)]| {
        Env::from_request(&body, kinds, true)
            .expect_err("no expression")
            .message
    };
    assert_eq!(
        without(
            json!({"ExpressionAttributeNames": {"#a": "a"}}),
            &[(ExprKind::Condition, false)]
        ),
        "ExpressionAttributeNames can only be specified when using expressions"
    );
    assert_eq!(
        without(
            json!({"ExpressionAttributeValues": {":a": {"S": "a"}}}),
            &[(ExprKind::Update, false), (ExprKind::Condition, false)]
        ),
        "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"
    );

    let mut env = env(
        json!({"#a": "a", "#b": "b"}),
        json!({":x": {"N": "1"}, ":y": {"N": "2"}}),
    );
    parse_condition(ExprKind::Condition, "#a = :x", &mut env).expect("valid");
    assert_eq!(
        env.finish().expect_err("unused").message,
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"
    );
    parse_condition(ExprKind::Condition, "#b = :x", &mut env).expect("valid");
    assert_eq!(
        env.finish().expect_err("unused").message,
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:y}"
    );
    parse_condition(ExprKind::Condition, "#b = :y", &mut env).expect("valid");
    assert!(env.finish().is_ok());
}

#[test]
fn projections_keep_only_the_named_paths() {
    let mut env = env(json!({"#n": "name"}), Value::Null);
    let paths =
        parse_projection("id, #n, mp.nest, lst[2].deep, lst[0], nope", &mut env).expect("valid");
    let projected = project(&sample(), &paths);
    assert_eq!(
        Value::Object(super::super::model::attrs_to_wire(&projected)),
        json!({
            "id": {"S": "u1"},
            "name": {"S": "Ada Lovelace"},
            "mp": {"M": {"nest": {"M": {"n": {"N": "5"}}}}},
            "lst": {"L": [{"S": "a"}, {"M": {"deep": {"S": "x"}}}]}
        })
    );
    let invalid = |src: &str| {
        let mut env = Env::default();
        parse_projection(src, &mut env)
            .expect_err("invalid")
            .message
    };
    assert_eq!(
        invalid("a, a.b"),
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
    );
    assert_eq!(
        invalid("a[0], a.b"),
        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]"
    );
    assert_eq!(
        invalid("a, data"),
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: data"
    );
    assert!(invalid("a,").contains("Syntax error; token: \"<EOF>\""));
}

#[test]
fn update_expressions_parse_by_clause() {
    let mut placeholders = env(
        json!({"#c": "count"}),
        json!({":one": {"N": "1"}, ":tags": {"SS": ["x"]}, ":l": {"L": []}, ":s": {"S": "s"}}),
    );
    let update = parse_update(
        "set a = :s, #c = if_not_exists(#c, :one) + :one, l = list_append(l, :l) remove b, c[1] ADD n :one DELETE tags :tags",
        &mut placeholders,
    )
    .expect("valid");
    assert_eq!(update.set.len(), 3);
    assert_eq!(
        update.remove,
        vec![
            vec![Elem::Name("b".into())],
            vec![Elem::Name("c".into()), Elem::Index(1)]
        ]
    );
    assert_eq!(update.add.len(), 1);
    assert_eq!(update.delete.len(), 1);
    assert!(placeholders.finish().is_ok());

    let invalid = |src: &str, values: Value| {
        let mut fresh = env(Value::Null, values);
        parse_update(src, &mut fresh).expect_err("invalid").message
    };
    let one = json!({":v": {"N": "1"}});
    assert_eq!(
        invalid("SET a = :v SET b = :v", one.clone()),
        "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;"
    );
    assert_eq!(
        invalid("SET a = :v, a = :v", one.clone()),
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"
    );
    assert_eq!(
        invalid("ADD a :v", json!({":v": {"S": "x"}})),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"
    );
    assert_eq!(
        invalid("DELETE a :v", one.clone()),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"
    );
    assert_eq!(
        invalid(
            "SET a = :v + :s",
            json!({":v": {"N": "1"}, ":s": {"S": "x"}})
        ),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"
    );
    assert_eq!(
        invalid("SET a = list_append(a, :v)", one.clone()),
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: N"
    );
    assert_eq!(
        invalid("SET a = if_not_exists(:v, :v)", one.clone()),
        "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"
    );
    assert_eq!(
        invalid("SET a = size(b)", Value::Null),
        "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"
    );
    assert_eq!(
        invalid("SET a :v", one.clone()),
        "Invalid UpdateExpression: Syntax error; token: \":v\", near: \"a :v\""
    );
    assert_eq!(
        invalid("SET", Value::Null),
        "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"SET\""
    );
    assert_eq!(
        invalid("UPSERT a = :v", one),
        "Invalid UpdateExpression: Syntax error; token: \"UPSERT\", near: \"UPSERT a\""
    );
}
