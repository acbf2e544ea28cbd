//! The `filter` argument of `entity.find` and `entity.count`: a lexer, a recursive-descent
//! parser and an evaluator over records.
//!
//! ```text
//! or      := and ( "or" and )*
//! and     := unary ( "and" unary )*
//! unary   := ( "not" | "!" ) unary | "(" or ")" | test
//! test    := path ( "is" ["not"] "null" | op literal )
//! op      := "=" | "!=" | ">" | ">=" | "<" | "<="
//! literal := 'single quoted' | number | true | false | null
//! path    := name ( "." name )*
//! ```
//!
//! Facts (`shared/providers/janrain-entity.md` §1.4): the operators and their precedence
//! (`is [not] null` postfix, `not`/`!` prefix, comparisons, `and`, `or`), strings in single
//! quotes, integers with or without quotes, `contains` removed (485), unknown attributes
//! answered with the documented text. Parentheses and escaping `'` are NOT FOUND: authmock
//! accepts parentheses and a backslash escape (`\'`, `\\`) inside a literal (inf: harmless for
//! every documented filter). Keywords are case-insensitive (inf). Depends on `schema` only.

use std::cmp::Ordering;

use serde_json::Value;

use crate::janrain::tenant::schema::{AttributeType, EntityType};

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Or(Vec<Filter>),
    And(Vec<Filter>),
    Not(Box<Filter>),
    /// `path is null` (`negated`: `is not null`).
    IsNull {
        path: String,
        negated: bool,
    },
    Compare {
        path: String,
        op: Op,
        literal: Literal,
    },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A literal on the right of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A single-quoted string.
    Text(String),
    /// An unquoted number, kept as written.
    Number(f64),
    Bool(bool),
    Null,
}

/// Why a filter was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterError {
    /// Not in the grammar; the reason names what was expected and where.
    Syntax(String),
    /// A path the entity type does not declare.
    UnknownAttribute(String),
    /// The removed `contains` operator (485, facts §1.4).
    Contains,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Text(String),
    Number(f64),
    Op(Op),
    Bang,
    Open,
    Close,
}

/// The longest filter authmock parses (inf: no documented limit; bounds the parser's work).
pub const MAX_LEN: usize = 8192;
/// The deepest nesting of `not` and parentheses (keeps recursion bounded on hostile input).
const MAX_DEPTH: usize = 64;

fn lex(text: &str) -> Result<Vec<(usize, Token)>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => {
                tokens.push((start, Token::Open));
                i += 1;
            }
            ')' => {
                tokens.push((start, Token::Close));
                i += 1;
            }
            '=' => {
                tokens.push((start, Token::Op(Op::Eq)));
                i += 1;
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                tokens.push((start, Token::Op(Op::Ne)));
                i += 2;
            }
            '!' => {
                tokens.push((start, Token::Bang));
                i += 1;
            }
            '<' | '>' => {
                let eq = chars.get(i + 1) == Some(&'=');
                let op = match (c, eq) {
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    _ => Op::Ge,
                };
                tokens.push((start, Token::Op(op)));
                i += if eq { 2 } else { 1 };
            }
            '\'' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(FilterError::Syntax(format!("unterminated string at {start}"))),
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some('\\') if matches!(chars.get(i + 1), Some('\'' | '\\')) => {
                            text.push(chars[i + 1]);
                            i += 2;
                        }
                        Some(ch) => {
                            text.push(*ch);
                            i += 1;
                        }
                    }
                }
                tokens.push((start, Token::Text(text)));
            }
            c if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) => {
                i += 1;
                while chars.get(i).is_some_and(|ch| ch.is_ascii_digit() || *ch == '.') {
                    i += 1;
                }
                let raw: String = chars[start..i].iter().collect();
                let number = raw
                    .parse::<f64>()
                    .map_err(|_| FilterError::Syntax(format!("bad number {raw:?} at {start}")))?;
                tokens.push((start, Token::Number(number)));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                while chars
                    .get(i)
                    .is_some_and(|ch| ch.is_ascii_alphanumeric() || *ch == '_' || *ch == '.')
                {
                    i += 1;
                }
                tokens.push((start, Token::Name(chars[start..i].iter().collect())));
            }
            other => return Err(FilterError::Syntax(format!("unexpected {other:?} at {start}"))),
        }
    }
    Ok(tokens)
}

struct Parser<'s> {
    tokens: Vec<(usize, Token)>,
    at: usize,
    schema: &'s EntityType,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }

    fn position(&self) -> String {
        match self.tokens.get(self.at) {
            Some((pos, _)) => format!("at {pos}"),
            None => "at the end".into(),
        }
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Name(n)) if n.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Filter, FilterError> {
        let mut parts = vec![self.and()?];
        while self.keyword("or") {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Filter, FilterError> {
        let mut parts = vec![self.unary()?];
        while self.keyword("and") {
            self.at += 1;
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Filter::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Filter, FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FilterError::Syntax(format!("nested deeper than {MAX_DEPTH}")));
        }
        let result = if self.keyword("not") || self.peek() == Some(&Token::Bang) {
            self.at += 1;
            self.unary().map(|f| Filter::Not(Box::new(f)))
        } else if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or()?;
            if self.peek() != Some(&Token::Close) {
                return Err(FilterError::Syntax(format!("expected ) {}", self.position())));
            }
            self.at += 1;
            Ok(inner)
        } else {
            self.test()
        };
        self.depth -= 1;
        result
    }

    fn test(&mut self) -> Result<Filter, FilterError> {
        let path = match self.peek() {
            Some(Token::Name(name)) if !is_keyword(name) => name.clone(),
            _ => {
                return Err(FilterError::Syntax(format!(
                    "expected an attribute {}",
                    self.position()
                )));
            }
        };
        self.at += 1;
        if self.schema.lookup(&path).is_none() {
            return Err(FilterError::UnknownAttribute(path));
        }
        if self.keyword("contains") {
            return Err(FilterError::Contains);
        }
        if self.keyword("is") {
            self.at += 1;
            let negated = self.keyword("not");
            if negated {
                self.at += 1;
            }
            if !self.keyword("null") {
                return Err(FilterError::Syntax(format!("expected null {}", self.position())));
            }
            self.at += 1;
            return Ok(Filter::IsNull { path, negated });
        }
        let op = match self.peek() {
            Some(Token::Op(op)) => *op,
            _ => {
                return Err(FilterError::Syntax(format!(
                    "expected an operator after {path} {}",
                    self.position()
                )));
            }
        };
        self.at += 1;
        let literal = match self.peek() {
            Some(Token::Text(text)) => Literal::Text(text.clone()),
            Some(Token::Number(n)) => Literal::Number(*n),
            Some(Token::Name(n)) if n.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Some(Token::Name(n)) if n.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Some(Token::Name(n)) if n.eq_ignore_ascii_case("null") => Literal::Null,
            _ => return Err(FilterError::Syntax(format!("expected a value {}", self.position()))),
        };
        self.at += 1;
        Ok(Filter::Compare { path, op, literal })
    }
}

fn is_keyword(word: &str) -> bool {
    ["and", "or", "not", "is", "null", "true", "false", "contains"]
        .iter()
        .any(|k| word.eq_ignore_ascii_case(k))
}

impl Filter {
    /// Parses `text` and checks every path against `schema`.
    pub fn parse(text: &str, schema: &EntityType) -> Result<Self, FilterError> {
        if text.len() > MAX_LEN {
            return Err(FilterError::Syntax(format!("longer than {MAX_LEN} characters")));
        }
        let tokens = lex(text)?;
        // `contains` anywhere is the removed operator, whatever else is wrong.
        if tokens
            .iter()
            .any(|(_, t)| matches!(t, Token::Name(n) if n.eq_ignore_ascii_case("contains")))
        {
            return Err(FilterError::Contains);
        }
        if tokens.is_empty() {
            return Err(FilterError::Syntax("the filter is empty".into()));
        }
        let mut parser = Parser {
            tokens,
            at: 0,
            schema,
            depth: 0,
        };
        let filter = parser.or()?;
        if parser.at != parser.tokens.len() {
            return Err(FilterError::Syntax(format!("unexpected text {}", parser.position())));
        }
        Ok(filter)
    }

    /// What testing one record costs, in budget units: one per test.
    pub fn weight(&self) -> u64 {
        match self {
            Self::Or(parts) | Self::And(parts) => parts.iter().map(Filter::weight).sum(),
            Self::Not(inner) => inner.weight(),
            Self::IsNull { .. } | Self::Compare { .. } => 1,
        }
    }

    /// Whether a record matches; `get` returns an attribute's value by dotted path (`Null`
    /// when unset), `schema` gives its type.
    pub fn matches(&self, schema: &EntityType, get: &impl Fn(&str) -> Value) -> bool {
        match self {
            Self::Or(parts) => parts.iter().any(|p| p.matches(schema, get)),
            Self::And(parts) => parts.iter().all(|p| p.matches(schema, get)),
            Self::Not(inner) => !inner.matches(schema, get),
            Self::IsNull { path, negated } => get(path).is_null() != *negated,
            Self::Compare { path, op, literal } => {
                let kind = schema.lookup(path).map(|d| d.kind);
                compare(&get(path), kind, literal).is_some_and(|ord| op.holds(ord))
            }
        }
    }
}

impl Op {
    fn holds(self, ord: Ordering) -> bool {
        match self {
            Self::Eq => ord == Ordering::Equal,
            Self::Ne => ord != Ordering::Equal,
            Self::Gt => ord == Ordering::Greater,
            Self::Ge => ord != Ordering::Less,
            Self::Lt => ord == Ordering::Less,
            Self::Le => ord != Ordering::Greater,
        }
    }
}

/// How a stored value orders against a literal; `None` when they cannot be compared (a null
/// value compares with nothing, as in SQL; inf).
fn compare(value: &Value, kind: Option<AttributeType>, literal: &Literal) -> Option<Ordering> {
    match (value, literal) {
        (Value::Null, _) | (_, Literal::Null) => None,
        (Value::Number(n), Literal::Number(l)) => n.as_f64()?.partial_cmp(l),
        // "Integers work with or without quotes" (facts §1.4).
        (Value::Number(n), Literal::Text(t)) => n.as_f64()?.partial_cmp(&t.trim().parse::<f64>().ok()?),
        (Value::Bool(b), Literal::Bool(l)) => Some(b.cmp(l)),
        (Value::Bool(b), Literal::Text(t)) => Some(b.cmp(&t.parse::<bool>().ok()?)),
        // Dates compare as Capture-format strings (facts §1.4).
        (Value::String(s), Literal::Text(t)) => Some(s.as_str().cmp(t.as_str())),
        (Value::String(s), Literal::Number(l)) if kind != Some(AttributeType::DateTime) => {
            s.trim().parse::<f64>().ok()?.partial_cmp(l)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::janrain::tenant::schema::AttributeDef;

    fn schema() -> EntityType {
        let mut schema = EntityType::default_user();
        let def = |name: &str, kind| AttributeDef {
            name: name.into(),
            kind,
            unique: false,
            required: false,
            attributes: vec![],
        };
        schema.attributes.push(def("gender", AttributeType::String));
        schema.attributes.push(def("age", AttributeType::Integer));
        schema.attributes.push(def("birthday", AttributeType::DateTime));
        schema.attributes.push(def("optIn", AttributeType::Boolean));
        let mut address = def("primaryAddress", AttributeType::Object);
        address.attributes = vec![
            def("company", AttributeType::String),
            def("country", AttributeType::String),
        ];
        schema.attributes.push(address);
        schema
    }

    fn parse(text: &str) -> Result<Filter, FilterError> {
        Filter::parse(text, &schema())
    }

    fn record() -> Value {
        json!({
            "id": 7, "email": "ian@example.com", "gender": "female", "age": 30,
            "birthday": "2012-06-14 01:00:00.000000 +0000", "optIn": true,
            "lastUpdated": "2026-01-05 10:00:00.000000 +0000",
            "primaryAddress": {"company": "Akamai", "country": "US"}
        })
    }

    fn matches(text: &str) -> bool {
        let record = record();
        let get = |path: &str| {
            path.split('.')
                .try_fold(&record, |v, part| v.get(part))
                .cloned()
                .unwrap_or(Value::Null)
        };
        parse(text).expect(text).matches(&schema(), &get)
    }

    #[test]
    fn documented_filters_parse_and_match() {
        let cases = [
            ("gender='female' and birthday>'2012-06-13 18:02:56.012122 +0000'", true),
            ("birthday is not null", true),
            ("birthday is null", false),
            ("age > 25 and age < 50 and gender='female'", true),
            ("age > 25 and age < 50 and gender='male'", false),
            ("primaryAddress.company='Akamai' and primaryAddress.country='US'", true),
            ("id > 0", true),
            ("id > '6'", true),
            ("id >= 8", false),
            ("lastUpdated > '2000-01-01'", true),
            ("email = 'ian@example.com'", true),
            ("email = 'example.com'", false),
            ("familyName is null", true),
            ("familyName = 'x'", false),
            ("familyName != 'x'", false),
            ("optIn = true", true),
        ];
        for (text, want) in cases {
            assert_eq!(matches(text), want, "{text}");
        }
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        assert_eq!(
            parse("not age = 1 or age = 2 and age = 3").expect("parses"),
            Filter::Or(vec![
                Filter::Not(Box::new(Filter::Compare {
                    path: "age".into(),
                    op: Op::Eq,
                    literal: Literal::Number(1.0)
                })),
                Filter::And(vec![
                    Filter::Compare {
                        path: "age".into(),
                        op: Op::Eq,
                        literal: Literal::Number(2.0)
                    },
                    Filter::Compare {
                        path: "age".into(),
                        op: Op::Eq,
                        literal: Literal::Number(3.0)
                    },
                ]),
            ])
        );
        assert!(matches("! gender = 'male'"));
        assert!(matches("NOT (gender = 'male' OR age < 3)"));
        assert!(!matches("gender = 'male' or age < 3 and id = 7"));
    }

    #[test]
    fn escaped_quotes_stay_inside_the_literal() {
        assert_eq!(
            parse(r"familyName = 'O\'Brien'").expect("parses"),
            Filter::Compare {
                path: "familyName".into(),
                op: Op::Eq,
                literal: Literal::Text("O'Brien".into())
            }
        );
    }

    #[test]
    fn malformed_filters_are_refused_with_a_reason() {
        let cases = [
            ("", "empty"),
            ("age >", "expected a value"),
            ("age 3", "expected an operator"),
            ("= 3", "expected an attribute"),
            ("age = 'open", "unterminated"),
            ("(age = 3", "expected )"),
            ("age = 3)", "unexpected text"),
            ("age = 3 and", "expected an attribute"),
            ("age is maybe", "expected null"),
            ("age = 3 # 4", "unexpected '#'"),
            ("age = 1.2.3", "bad number"),
        ];
        for (text, reason) in cases {
            match parse(text) {
                Err(FilterError::Syntax(why)) => assert!(why.contains(reason), "{text:?}: {why}"),
                other => panic!("{text:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_attributes_and_contains_have_their_own_errors() {
        assert_eq!(
            parse("shoeSize = 3"),
            Err(FilterError::UnknownAttribute("shoeSize".into()))
        );
        assert_eq!(
            parse("primaryAddress.zip = '1'"),
            Err(FilterError::UnknownAttribute("primaryAddress.zip".into()))
        );
        assert_eq!(parse("email contains 'example'"), Err(FilterError::Contains));
        assert_eq!(parse("email = 'a' and ( CONTAINS"), Err(FilterError::Contains));
    }

    #[test]
    fn hostile_input_is_bounded() {
        let deep = format!("{}age = 1{}", "(".repeat(3000), ")".repeat(3000));
        assert!(matches!(parse(&deep), Err(FilterError::Syntax(_))));
        let nots = format!("{} age = 1", "not ".repeat(1000));
        assert!(matches!(parse(&nots), Err(FilterError::Syntax(_))));
        let long = "age = 1 or ".repeat(2000);
        assert!(matches!(parse(&long), Err(FilterError::Syntax(_))));
        assert!(parse("age = '\u{0}\u{7f}é'").is_ok());
    }
}
