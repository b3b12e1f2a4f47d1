//! The tokenizer and the recursive-descent parser of expressions, with DynamoDB's syntax errors.

use std::collections::BTreeMap;

use super::AwsError;
use super::{Call, Cmp, Cond, Elem, ExprKind, Operand, Path, SetValue, Update, Val};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// An identifier or keyword: a letter or `_`, then letters, digits and `_`.
    Word,
    /// `#name`.
    Name,
    /// `:value`.
    Value,
    /// A list index.
    Digits,
    /// Punctuation and operators.
    Punct(&'static str),
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

const PUNCTUATION: [&str; 14] = [
    "<>", "<=", ">=", "(", ")", "[", "]", ",", ".", "=", "<", ">", "+", "-",
];

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Split `src` into tokens; an unknown character is a syntax error at that character.
fn tokenize(kind: ExprKind, src: &str) -> Result<Vec<Token>, AwsError> {
    let bytes = src.as_bytes();
    let mut tokens: Vec<Token> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        let start = at;
        let run = |from: usize| {
            from + bytes[from..]
                .iter()
                .take_while(|b| is_word_byte(**b))
                .count()
        };
        let tok = if b.is_ascii_alphabetic() || b == b'_' {
            at = run(at);
            Tok::Word
        } else if b.is_ascii_digit() {
            at += bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            Tok::Digits
        } else if (b == b'#' || b == b':') && run(at + 1) > at + 1 {
            at = run(at + 1);
            if b == b'#' { Tok::Name } else { Tok::Value }
        } else if let Some(p) = PUNCTUATION.iter().find(|p| src[at..].starts_with(**p)) {
            at += p.len();
            Tok::Punct(p)
        } else {
            let width = src[at..].chars().next().map_or(1, char::len_utf8);
            let bad = &src[at..at + width];
            let near_start = tokens.last().map_or(at, |t| t.start);
            return Err(kind.invalid(format!(
                "Syntax error; token: \"{bad}\", near: \"{}\"",
                &src[near_start..at + width]
            )));
        };
        tokens.push(Token {
            tok,
            start,
            end: at,
        });
    }
    tokens.push(Token {
        tok: Tok::Eof,
        start: src.len(),
        end: src.len(),
    });
    Ok(tokens)
}

/// A parse failure: the index of the offending token.
/// Longest expression DynamoDB takes, in bytes.
const MAX_EXPRESSION_BYTES: usize = 4096;
/// Deepest nesting of parentheses the parser follows (it recurses once per level).
const MAX_NESTING: usize = 64;

pub(super) type Parse<T> = Result<T, usize>;

pub(super) struct Parser<'s> {
    kind: ExprKind,
    src: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    /// The furthest failure, which is the one reported after backtracking.
    furthest: usize,
}

const KEYWORDS: [&str; 5] = ["AND", "OR", "NOT", "BETWEEN", "IN"];

impl<'s> Parser<'s> {
    pub(super) fn new(kind: ExprKind, src: &'s str) -> Result<Parser<'s>, AwsError> {
        if src.trim().is_empty() {
            return Err(kind.invalid("The expression can not be empty;"));
        }
        if src.len() > MAX_EXPRESSION_BYTES {
            return Err(kind.invalid(format!(
                "Expression size has exceeded the maximum allowed size; expression size: {}",
                src.len()
            )));
        }
        let tokens = tokenize(kind, src)?;
        let mut depth = 0usize;
        for token in &tokens {
            match token.tok {
                Tok::Punct("(") => depth += 1,
                Tok::Punct(")") => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth > MAX_NESTING {
                return Err(kind.invalid(format!(
                    "The expression is nested too deeply: the test host allows {MAX_NESTING} levels of parentheses"
                )));
            }
        }
        Ok(Parser {
            kind,
            src,
            tokens,
            pos: 0,
            furthest: 0,
        })
    }

    fn text(&self, index: usize) -> &'s str {
        let t = &self.tokens[index];
        &self.src[t.start..t.end]
    }

    fn peek(&self) -> &Tok {
        &self.tokens[self.pos].tok
    }

    fn fail<T>(&mut self, at: usize) -> Parse<T> {
        self.furthest = self.furthest.max(at);
        Err(at)
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    fn is_keyword(&self, keyword: &str) -> bool {
        *self.peek() == Tok::Word && self.text(self.pos).eq_ignore_ascii_case(keyword)
    }

    fn is_any_keyword(&self) -> bool {
        KEYWORDS.iter().any(|k| self.is_keyword(k))
    }

    fn expect_punct(&mut self, p: &str) -> Parse<()> {
        if self.is_punct(p) {
            self.pos += 1;
            Ok(())
        } else {
            self.fail(self.pos)
        }
    }

    fn expect_keyword(&mut self, keyword: &str) -> Parse<()> {
        if self.is_keyword(keyword) {
            self.pos += 1;
            Ok(())
        } else {
            self.fail(self.pos)
        }
    }

    fn expect_end(&mut self) -> Parse<()> {
        if *self.peek() == Tok::Eof {
            Ok(())
        } else {
            self.fail(self.pos)
        }
    }

    /// DynamoDB's syntax error for the token at `index`: the token, and the text from the token before
    /// it to the token after it.
    fn syntax_error(&self, index: usize) -> AwsError {
        let token = &self.tokens[index];
        let before = index.checked_sub(1).map(|i| &self.tokens[i]);
        let (shown, start, end) = if token.tok == Tok::Eof {
            let start = before.map_or(token.start, |t| t.start);
            let end = before.map_or(token.end, |t| t.end);
            ("<EOF>", start, end)
        } else {
            let after = self.tokens.get(index + 1).filter(|t| t.tok != Tok::Eof);
            (
                self.text(index),
                before.map_or(token.start, |t| t.start),
                after.map_or(token.end, |t| t.end),
            )
        };
        self.kind.invalid(format!(
            "Syntax error; token: \"{shown}\", near: \"{}\"",
            &self.src[start..end]
        ))
    }

    /// Run a parse to the end of the input, turning a failure into DynamoDB's syntax error.
    pub(super) fn complete<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Parse<T>,
    ) -> Result<T, AwsError> {
        match parse(self).and_then(|t| self.expect_end().map(|()| t)) {
            Ok(t) => Ok(t),
            Err(at) => Err(self.syntax_error(at.max(self.furthest))),
        }
    }

    pub(super) fn or(&mut self) -> Parse<Cond> {
        let mut left = self.and()?;
        while self.is_keyword("OR") {
            self.pos += 1;
            let right = self.and()?;
            left = Cond::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Parse<Cond> {
        let mut left = self.not()?;
        while self.is_keyword("AND") {
            self.pos += 1;
            let right = self.not()?;
            left = Cond::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Parse<Cond> {
        if self.is_keyword("NOT") {
            self.pos += 1;
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    /// A parenthesized condition, or a predicate (whose first operand may itself be parenthesized: the
    /// parser tries the condition first and backtracks).
    fn primary(&mut self) -> Parse<Cond> {
        if self.is_punct("(") {
            let start = self.pos;
            let grouped: Parse<Cond> = (|| {
                self.pos += 1;
                let inner = self.or()?;
                self.expect_punct(")")?;
                Ok(inner)
            })();
            let continues = self.is_comparator().is_some()
                || self.is_keyword("BETWEEN")
                || self.is_keyword("IN");
            match grouped {
                Ok(inner) if !continues => return Ok(inner),
                _ => self.pos = start,
            }
        }
        self.predicate()
    }

    fn is_comparator(&self) -> Option<Cmp> {
        let Tok::Punct(p) = self.peek() else {
            return None;
        };
        Some(match *p {
            "=" => Cmp::Eq,
            "<>" => Cmp::Ne,
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            ">" => Cmp::Gt,
            ">=" => Cmp::Ge,
            _ => return None,
        })
    }

    fn predicate(&mut self) -> Parse<Cond> {
        let left = self.operand()?;
        if let Some(cmp) = self.is_comparator() {
            self.pos += 1;
            let right = self.operand()?;
            return Ok(Cond::Cmp(cmp, left, right));
        }
        if self.is_keyword("BETWEEN") {
            self.pos += 1;
            let low = self.operand()?;
            self.expect_keyword("AND")?;
            let high = self.operand()?;
            return Ok(Cond::Between(left, low, high));
        }
        if self.is_keyword("IN") {
            self.pos += 1;
            self.expect_punct("(")?;
            let list = self.operand_list()?;
            self.expect_punct(")")?;
            return Ok(Cond::In(left, list));
        }
        match left {
            Operand::Call(call) => Ok(Cond::Call(call)),
            _ => self.fail(self.pos),
        }
    }

    fn operand_list(&mut self) -> Parse<Vec<Operand>> {
        let mut list = vec![self.operand()?];
        while self.is_punct(",") {
            self.pos += 1;
            list.push(self.operand()?);
        }
        Ok(list)
    }

    /// A path, a value, a function call, or one of them in parentheses.
    fn operand(&mut self) -> Parse<Operand> {
        if self.is_punct("(") {
            self.pos += 1;
            let inner = self.operand()?;
            self.expect_punct(")")?;
            return Ok(inner);
        }
        match self.peek() {
            Tok::Value => {
                let key = self.text(self.pos).to_owned();
                self.pos += 1;
                Ok(Operand::Value(Val::Placeholder(key)))
            }
            Tok::Word
                if !self.is_any_keyword()
                    && matches!(self.tokens[self.pos + 1].tok, Tok::Punct("(")) =>
            {
                let name = self.text(self.pos).to_owned();
                self.pos += 2;
                let args = self.operand_list()?;
                self.expect_punct(")")?;
                Ok(Operand::Call(Call { name, args }))
            }
            _ => Ok(Operand::Path(self.path()?)),
        }
    }

    /// `a.b[2].#c`: names start with a letter; keywords are not names.
    fn path(&mut self) -> Parse<Path> {
        let mut path = vec![self.path_name()?];
        loop {
            if self.is_punct(".") {
                self.pos += 1;
                path.push(self.path_name()?);
            } else if self.is_punct("[") {
                self.pos += 1;
                if *self.peek() != Tok::Digits {
                    return self.fail(self.pos);
                }
                let Ok(index) = self.text(self.pos).parse::<usize>() else {
                    return self.fail(self.pos);
                };
                self.pos += 1;
                self.expect_punct("]")?;
                path.push(Elem::Index(index));
            } else {
                return Ok(path);
            }
        }
    }

    fn path_name(&mut self) -> Parse<Elem> {
        let text = self.text(self.pos);
        let elem = match self.peek() {
            Tok::Word if !self.is_any_keyword() && text.as_bytes()[0].is_ascii_alphabetic() => {
                Elem::Name(text.to_owned())
            }
            Tok::Name => Elem::Placeholder(text.to_owned()),
            _ => return self.fail(self.pos),
        };
        self.pos += 1;
        Ok(elem)
    }

    /// `SET …`, `REMOVE …`, `ADD …`, `DELETE …`, each clause at most once, in any order.
    pub(super) fn update(&mut self) -> Parse<(Update, Option<String>)> {
        let mut update = Update::default();
        let mut seen: Vec<String> = Vec::new();
        let mut repeated = None;
        loop {
            let clause = self.text(self.pos).to_ascii_uppercase();
            if *self.peek() != Tok::Word
                || !["SET", "REMOVE", "ADD", "DELETE"].contains(&clause.as_str())
            {
                return self.fail(self.pos);
            }
            if seen.contains(&clause) && repeated.is_none() {
                repeated = Some(clause.clone());
            }
            seen.push(clause.clone());
            self.pos += 1;
            loop {
                match clause.as_str() {
                    "SET" => {
                        let path = self.path()?;
                        self.expect_punct("=")?;
                        let value = self.set_value()?;
                        update.set.push((path, value));
                    }
                    "REMOVE" => update.remove.push(self.path()?),
                    _ => {
                        let path = self.path()?;
                        if *self.peek() != Tok::Value {
                            return self.fail(self.pos);
                        }
                        let value =
                            Operand::Value(Val::Placeholder(self.text(self.pos).to_owned()));
                        self.pos += 1;
                        if clause == "ADD" {
                            update.add.push((path, value));
                        } else {
                            update.delete.push((path, value));
                        }
                    }
                }
                if !self.is_punct(",") {
                    break;
                }
                self.pos += 1;
            }
            if *self.peek() == Tok::Eof {
                return Ok((update, repeated));
            }
        }
    }

    fn set_value(&mut self) -> Parse<SetValue> {
        let left = self.operand()?;
        if self.is_punct("+") {
            self.pos += 1;
            return Ok(SetValue::Plus(left, self.operand()?));
        }
        if self.is_punct("-") {
            self.pos += 1;
            return Ok(SetValue::Minus(left, self.operand()?));
        }
        Ok(SetValue::Operand(left))
    }

    pub(super) fn projection(&mut self) -> Parse<Vec<Path>> {
        let mut paths = vec![self.path()?];
        while self.is_punct(",") {
            self.pos += 1;
            paths.push(self.path()?);
        }
        Ok(paths)
    }

    /// `((…))`: a group whose only content is another group (function-call and `IN` parentheses are not
    /// groups).
    pub(super) fn has_redundant_parentheses(&self) -> bool {
        let mut open: Vec<usize> = Vec::new();
        let mut pairs: BTreeMap<usize, usize> = BTreeMap::new();
        for (i, t) in self.tokens.iter().enumerate() {
            match t.tok {
                Tok::Punct("(") => open.push(i),
                Tok::Punct(")") => {
                    if let Some(o) = open.pop() {
                        pairs.insert(o, i);
                    }
                }
                _ => {}
            }
        }
        let is_group = |o: usize| {
            o == 0 || !matches!(self.tokens[o - 1].tok, Tok::Word) || {
                let before = self.text(o - 1);
                ["AND", "OR", "NOT", "BETWEEN"]
                    .iter()
                    .any(|k| before.eq_ignore_ascii_case(k))
            }
        };
        pairs
            .iter()
            .any(|(&o, &c)| is_group(o) && pairs.get(&(o + 1)) == Some(&(c - 1)) && is_group(o + 1))
    }
}
