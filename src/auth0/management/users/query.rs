//! The user-search `q` language: the Lucene subset Auth0's search engine v3 documents
//! (facts `auth0-users.md` §2, DOC-search), parsed by hand into a [`Query`] tree.
//!
//! ```text
//! query   := or EOF
//! or      := and ( ("OR" | "||" | <juxtaposition>) and )*
//! and     := unary ( ("AND" | "&&") unary )*
//! unary   := ("NOT" | "!" | "-") unary | primary
//! primary := "(" or ")" | FIELD ":" value | value
//! value   := WORD | "PHRASE" | ("[" | "{") BOUND "TO" BOUND ("]" | "}")
//! ```
//!
//! Operators are upper case only (`and` is a plain word). Two terms side by side are joined with
//! OR, Lucene's default operator (inf: DOC-search does not say; Elasticsearch's `query_string`
//! defaults to OR). A word may carry `*` and `?` wildcards; `\` escapes the next character.
//! This module only parses; matching users is `search.rs`'s business.

use std::fmt;

/// A parsed search query.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::auth0::management) enum Query {
    /// Any of the parts.
    Or(Vec<Query>),
    /// All of the parts.
    And(Vec<Query>),
    Not(Box<Query>),
    /// `field:value`, or a bare value when `field` is `None`.
    Term {
        field: Option<String>,
        value: Value,
    },
    /// `_exists_:field`.
    Exists(String),
}

/// The right-hand side of a term.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::auth0::management) enum Value {
    /// A word without wildcards.
    Exact(String),
    /// A quoted phrase (matched whole).
    Phrase(String),
    /// A word with `*` / `?`; `*` alone means "has any value".
    Wildcard(String),
    Range {
        lower: Bound,
        upper: Bound,
    },
}

/// One end of a range.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::auth0::management) enum Bound {
    /// `*`.
    Open,
    Inclusive(String),
    Exclusive(String),
}

/// Why a query does not parse; `at` is a character offset into the query.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::auth0::management) struct ParseError {
    pub reason: String,
    pub at: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {}", self.reason, self.at)
    }
}

/// Deepest nesting of parentheses and NOTs accepted; deeper input is refused, not recursed into.
pub(in crate::auth0::management) const MAX_DEPTH: usize = 64;

/// Parses `text`. An empty or blank query is `Ok(None)`: no filter.
pub(in crate::auth0::management) fn parse(text: &str) -> Result<Option<Query>, ParseError> {
    let tokens = lex(text)?;
    if tokens.is_empty() {
        return Ok(None);
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
        end: text.chars().count(),
    };
    let query = parser.or()?;
    match parser.peek() {
        None => Ok(Some(query)),
        Some(token) => Err(ParseError {
            reason: format!("unexpected {}", token.kind.describe()),
            at: token.at,
        }),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Open,
    Close,
    Colon,
    /// `[` (true) or `{` (false).
    RangeOpen(bool),
    /// `]` (true) or `}` (false).
    RangeClose(bool),
    /// A word; `wild` is set when it holds an unescaped `*` or `?`.
    Word {
        text: String,
        wild: bool,
    },
    Phrase(String),
    And,
    Or,
    Not,
}

impl Kind {
    fn describe(&self) -> String {
        match self {
            Kind::Open => "`(`".into(),
            Kind::Close => "`)`".into(),
            Kind::Colon => "`:`".into(),
            Kind::RangeOpen(_) => "range start".into(),
            Kind::RangeClose(_) => "range end".into(),
            Kind::Word { text, .. } => format!("`{text}`"),
            Kind::Phrase(text) => format!("\"{text}\""),
            Kind::And => "AND".into(),
            Kind::Or => "OR".into(),
            Kind::Not => "NOT".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    at: usize,
}

/// Characters that end a word.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"' | ':' | '[' | ']' | '{' | '}')
}

fn lex(text: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i;
        let simple = match c {
            _ if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => Some(Kind::Open),
            ')' => Some(Kind::Close),
            ':' => Some(Kind::Colon),
            '[' => Some(Kind::RangeOpen(true)),
            '{' => Some(Kind::RangeOpen(false)),
            ']' => Some(Kind::RangeClose(true)),
            '}' => Some(Kind::RangeClose(false)),
            _ => None,
        };
        if let Some(kind) = simple {
            tokens.push(Token { kind, at });
            i += 1;
            continue;
        }
        if c == '"' {
            let mut phrase = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        return Err(ParseError {
                            reason: "unterminated phrase".into(),
                            at,
                        });
                    }
                    Some('"') => break,
                    Some('\\') if i + 1 < chars.len() => {
                        phrase.push(chars[i + 1]);
                        i += 2;
                    }
                    Some(&other) => {
                        phrase.push(other);
                        i += 1;
                    }
                }
            }
            i += 1;
            tokens.push(Token {
                kind: Kind::Phrase(phrase),
                at,
            });
            continue;
        }
        let mut word = String::new();
        let mut wild = false;
        while let Some(&ch) = chars.get(i) {
            if is_delimiter(ch) {
                break;
            }
            if ch == '\\' {
                match chars.get(i + 1) {
                    Some(&escaped) => {
                        // An escaped wildcard is a literal character: keep it escaped so the
                        // matcher can tell it from a real wildcard.
                        if matches!(escaped, '*' | '?' | '\\') {
                            word.push('\\');
                        }
                        word.push(escaped);
                        i += 2;
                        continue;
                    }
                    None => {
                        return Err(ParseError {
                            reason: "dangling escape character".into(),
                            at: i,
                        });
                    }
                }
            }
            if matches!(ch, '*' | '?') {
                wild = true;
            }
            word.push(ch);
            i += 1;
        }
        let kind = match word.as_str() {
            "AND" | "&&" => Kind::And,
            "OR" | "||" => Kind::Or,
            "NOT" | "!" => Kind::Not,
            _ => Kind::Word { text: word, wild },
        };
        tokens.push(Token { kind, at });
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        token
    }

    fn error(&self, reason: impl Into<String>) -> ParseError {
        ParseError {
            reason: reason.into(),
            at: self.peek().map_or(self.end, |t| t.at),
        }
    }

    fn descend(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("query nested too deeply"));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Query, ParseError> {
        let mut parts = vec![self.and()?];
        loop {
            match self.peek().map(|t| &t.kind) {
                Some(Kind::Or) => {
                    self.pos += 1;
                    parts.push(self.and()?);
                }
                Some(Kind::Word { .. } | Kind::Phrase(_) | Kind::Open | Kind::Not) => parts.push(self.and()?),
                _ => break,
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Query, ParseError> {
        let mut parts = vec![self.unary()?];
        while matches!(self.peek().map(|t| &t.kind), Some(Kind::And)) {
            self.pos += 1;
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Query, ParseError> {
        if matches!(self.peek().map(|t| &t.kind), Some(Kind::Not)) {
            self.pos += 1;
            self.descend()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Query::Not(Box::new(inner)));
        }
        // `-field:value` (Lucene's prohibit operator) and `!field:value` negate like NOT here.
        if let Some(Token {
            kind: Kind::Word { text, wild },
            at,
        }) = self.peek().cloned()
            && let Some(rest) = text.strip_prefix(['-', '!'])
        {
            if rest.is_empty() {
                return Err(self.error("`-` needs a term after it"));
            }
            self.tokens[self.pos] = Token {
                kind: Kind::Word {
                    text: rest.to_owned(),
                    wild,
                },
                at: at + 1,
            };
            self.descend()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Query::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Query, ParseError> {
        let Some(token) = self.next() else {
            return Err(self.error("the query ends where a term was expected"));
        };
        match token.kind {
            Kind::Open => {
                self.descend()?;
                let inner = self.or()?;
                self.depth -= 1;
                match self.next() {
                    Some(Token { kind: Kind::Close, .. }) => Ok(inner),
                    _ => Err(ParseError {
                        reason: "unbalanced `(`".into(),
                        at: token.at,
                    }),
                }
            }
            Kind::Word { text, wild } => {
                if matches!(self.peek().map(|t| &t.kind), Some(Kind::Colon)) {
                    self.pos += 1;
                    if wild || !is_field_name(&text) {
                        return Err(ParseError {
                            reason: format!("`{text}` is not a field name"),
                            at: token.at,
                        });
                    }
                    return self.field_value(text);
                }
                Ok(Query::Term {
                    field: None,
                    value: word_value(text, wild),
                })
            }
            Kind::Phrase(text) => Ok(Query::Term {
                field: None,
                value: Value::Phrase(text),
            }),
            other => Err(ParseError {
                reason: format!("unexpected {}", other.describe()),
                at: token.at,
            }),
        }
    }

    fn field_value(&mut self, field: String) -> Result<Query, ParseError> {
        let Some(token) = self.next() else {
            return Err(self.error(format!("`{field}:` has no value")));
        };
        let value = match token.kind {
            Kind::Word { text, wild } => word_value(text, wild),
            Kind::Phrase(text) => Value::Phrase(text),
            Kind::RangeOpen(inclusive) => self.range(inclusive)?,
            other => {
                return Err(ParseError {
                    reason: format!("`{field}:` is followed by {}", other.describe()),
                    at: token.at,
                });
            }
        };
        if field == "_exists_" {
            return match value {
                Value::Exact(name) | Value::Phrase(name) if is_field_name(&name) => Ok(Query::Exists(name)),
                _ => Err(ParseError {
                    reason: "`_exists_:` needs a field name".into(),
                    at: token.at,
                }),
            };
        }
        Ok(Query::Term {
            field: Some(field),
            value,
        })
    }

    fn range(&mut self, lower_inclusive: bool) -> Result<Value, ParseError> {
        let lower = self.bound(lower_inclusive)?;
        match self.peek().map(|t| &t.kind) {
            Some(Kind::Word { text, .. }) if text == "TO" => self.pos += 1,
            _ => return Err(self.error("a range needs `TO` between its bounds")),
        }
        let upper = self.bound(true)?;
        let upper_inclusive = match self.peek().map(|t| &t.kind) {
            Some(Kind::RangeClose(inclusive)) => *inclusive,
            _ => return Err(self.error("a range must end with `]` or `}`")),
        };
        self.pos += 1;
        let upper = match upper {
            Bound::Inclusive(text) if !upper_inclusive => Bound::Exclusive(text),
            other => other,
        };
        Ok(Value::Range { lower, upper })
    }

    fn bound(&mut self, inclusive: bool) -> Result<Bound, ParseError> {
        let bound = match self.peek().map(|t| &t.kind) {
            Some(Kind::Word { text, .. }) if text == "*" => Bound::Open,
            Some(Kind::Word { text, .. } | Kind::Phrase(text)) if text != "TO" => {
                if inclusive {
                    Bound::Inclusive(unescape(text))
                } else {
                    Bound::Exclusive(unescape(text))
                }
            }
            _ => return Err(self.error("a range bound is missing")),
        };
        self.pos += 1;
        Ok(bound)
    }
}

/// A field path: letters, digits, `_` and dots between non-empty segments.
fn is_field_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .split('.')
            .all(|segment| !segment.is_empty() && segment.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

fn word_value(text: String, wild: bool) -> Value {
    if wild {
        Value::Wildcard(text)
    } else {
        Value::Exact(unescape(&text))
    }
}

/// Drops the escapes kept for wildcard characters.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One element of a compiled wildcard pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Piece {
    Lit(char),
    One,
    Any,
}

/// A wildcard pattern (`*` any run, `?` one character, `\x` a literal `x`), compiled once per
/// query in both spellings a field may need: as written, and lower-cased for the fields that
/// fold case. Matching never allocates, and is the classic single-backtrack-point walk: a `*`
/// remembers where it stood and a mismatch resumes one character further from there, so a
/// pattern of `p` pieces over a value of `t` characters costs at most `p × t` steps, whatever
/// the pattern (no exponential blow-up from nested or repeated `*`), and no recursion.
#[derive(Debug, Clone)]
pub(in crate::auth0::management) struct Wildcard {
    exact: Vec<Piece>,
    folded: Vec<Piece>,
    /// The literal text before a single trailing `*`, when that is the whole pattern: the
    /// common `email:user12*`, answered by a prefix comparison.
    prefix: Option<String>,
}

impl Wildcard {
    pub fn new(pattern: &str) -> Self {
        let compile = |fold: bool| {
            let mut pieces = Vec::new();
            let mut chars = pattern.chars();
            while let Some(c) = chars.next() {
                pieces.push(match c {
                    '\\' => Piece::Lit(norm(chars.next().unwrap_or('\\'), fold)),
                    '*' => Piece::Any,
                    '?' => Piece::One,
                    other => Piece::Lit(norm(other, fold)),
                });
            }
            pieces
        };
        let prefix = pattern
            .strip_suffix('*')
            .filter(|head| !head.contains(['*', '?', '\\']) && head.is_ascii())
            .map(str::to_owned);
        Self {
            exact: compile(false),
            folded: compile(true),
            prefix,
        }
    }

    /// The literal text of a pattern that is ASCII text and one trailing `*`: every value
    /// that matches starts with it (compared as [`Wildcard::normalized`] says when folding).
    pub fn ascii_prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }

    /// A value as `matches` compares it, character by character: lower-cased when `fold`.
    pub fn normalized(text: &str, fold: bool) -> std::borrow::Cow<'_, str> {
        if fold && text.chars().any(|c| norm(c, true) != c) {
            text.chars().map(|c| norm(c, true)).collect::<String>().into()
        } else {
            text.into()
        }
    }

    /// Whether `text` matches; `fold` compares case-insensitively.
    pub fn matches(&self, text: &str, fold: bool) -> bool {
        if let Some(prefix) = &self.prefix
            && text.is_ascii()
        {
            return text.get(..prefix.len()).is_some_and(|head| {
                if fold {
                    head.eq_ignore_ascii_case(prefix)
                } else {
                    head == prefix
                }
            });
        }
        let pat = if fold { &self.folded } else { &self.exact };
        // Positions in `text` are byte offsets on character boundaries.
        let next = |at: usize| at + text[at..].chars().next().map_or(1, char::len_utf8);
        let (mut p, mut t) = (0, 0);
        let mut backtrack: Option<(usize, usize)> = None;
        while t < text.len() {
            let c = text[t..].chars().next().map(|c| norm(c, fold));
            match pat.get(p) {
                Some(Piece::Any) => {
                    backtrack = Some((p, t));
                    p += 1;
                }
                Some(Piece::One) => {
                    p += 1;
                    t = next(t);
                }
                Some(Piece::Lit(l)) if Some(*l) == c => {
                    p += 1;
                    t = next(t);
                }
                _ => match backtrack {
                    Some((bp, bt)) => {
                        let resume = next(bt);
                        p = bp + 1;
                        t = resume;
                        backtrack = Some((bp, resume));
                    }
                    None => return false,
                },
            }
        }
        pat[p..].iter().all(|x| *x == Piece::Any)
    }
}

/// A character as a case-insensitive comparison sees it when `fold`.
fn norm(c: char, fold: bool) -> char {
    if fold { c.to_lowercase().next().unwrap_or(c) } else { c }
}

/// Literal characters before the first wildcard of a pattern.
pub(in crate::auth0::management) fn literal_prefix_len(pattern: &str) -> usize {
    let mut count = 0;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' | '?' => break,
            '\\' => {
                chars.next();
                count += 1;
            }
            _ => count += 1,
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(field: &str, value: Value) -> Query {
        Query::Term {
            field: Some(field.into()),
            value,
        }
    }

    fn exact(text: &str) -> Value {
        Value::Exact(text.into())
    }

    fn parsed(text: &str) -> Query {
        parse(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .expect("not empty")
    }

    #[test]
    fn field_terms_phrases_and_wildcards() {
        assert_eq!(
            parsed(r#"email:"chuck904@example.com""#),
            term("email", Value::Phrase("chuck904@example.com".into()))
        );
        assert_eq!(
            parsed("identities.provider:auth0"),
            term("identities.provider", exact("auth0"))
        );
        assert_eq!(
            parsed("email:*example*"),
            term("email", Value::Wildcard("*example*".into()))
        );
        assert_eq!(
            parsed("app_metadata.plan:gold"),
            term("app_metadata.plan", exact("gold"))
        );
        assert_eq!(parsed(r"user_id:auth0\|abc"), term("user_id", exact("auth0|abc")));
    }

    #[test]
    fn operators_bind_not_then_and_then_or() {
        let q = parsed("a:1 OR b:2 AND NOT c:3");
        assert_eq!(
            q,
            Query::Or(vec![
                term("a", exact("1")),
                Query::And(vec![term("b", exact("2")), Query::Not(Box::new(term("c", exact("3"))))])
            ])
        );
        assert_eq!(
            parsed("(a:1 OR b:2) AND c:3"),
            Query::And(vec![
                Query::Or(vec![term("a", exact("1")), term("b", exact("2"))]),
                term("c", exact("3"))
            ])
        );
        assert_eq!(
            parsed("a:1 && !b:2"),
            Query::And(vec![term("a", exact("1")), Query::Not(Box::new(term("b", exact("2"))))])
        );
        assert_eq!(parsed("-a:1"), Query::Not(Box::new(term("a", exact("1")))));
    }

    #[test]
    fn juxtaposed_terms_are_alternatives_and_lower_case_words_are_terms() {
        assert_eq!(
            parsed("a:1 b:2"),
            Query::Or(vec![term("a", exact("1")), term("b", exact("2"))])
        );
        assert_eq!(
            parsed("name:x and"),
            Query::Or(vec![
                term("name", exact("x")),
                Query::Term {
                    field: None,
                    value: exact("and")
                }
            ])
        );
    }

    #[test]
    fn ranges_and_exists() {
        assert_eq!(
            parsed("created_at:[2020 TO *]"),
            term(
                "created_at",
                Value::Range {
                    lower: Bound::Inclusive("2020".into()),
                    upper: Bound::Open
                }
            )
        );
        assert_eq!(
            parsed("logins_count:{1 TO 5]"),
            term(
                "logins_count",
                Value::Range {
                    lower: Bound::Exclusive("1".into()),
                    upper: Bound::Inclusive("5".into())
                }
            )
        );
        assert_eq!(
            parsed("logins_count:[1 TO 5}"),
            term(
                "logins_count",
                Value::Range {
                    lower: Bound::Inclusive("1".into()),
                    upper: Bound::Exclusive("5".into())
                }
            )
        );
        assert_eq!(parsed("_exists_:given_name"), Query::Exists("given_name".into()));
    }

    #[test]
    fn empty_queries_filter_nothing() {
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("   "), Ok(None));
    }

    #[test]
    fn malformed_queries_are_refused_with_a_position() {
        for (text, at) in [
            ("email:", 6),
            ("(email:a", 0),
            ("email:a)", 7),
            ("\"open", 0),
            ("a:1 AND", 7),
            ("created_at:[2020 *]", 17),
            ("created_at:[2020 TO", 19),
            ("OR a:1", 0),
            ("em*il:x", 0),
            ("_exists_:*", 9),
            ("a:b\\", 3),
            ("a:(b)", 2),
            (":x", 0),
        ] {
            let err = parse(text).expect_err(text);
            assert_eq!(err.at, at, "{text}: {err}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("{}a:1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&deep).unwrap_err().reason.contains("deeply"));
        let nots = format!("{}a:1", "NOT ".repeat(10_000));
        assert!(parse(&nots).is_err());
        let ok = format!("{}a:1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    fn wildcard_matches(pattern: &str, text: &str, fold: bool) -> bool {
        Wildcard::new(pattern).matches(text, fold)
    }

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        assert!(wildcard_matches("*example*", "chuck@example.com", false));
        assert!(wildcard_matches("auth0*", "auth0|abc", false));
        assert!(!wildcard_matches("auth0*", "google|abc", false));
        assert!(wildcard_matches("j?hn", "john", false));
        assert!(!wildcard_matches("j?hn", "joohn", false));
        assert!(wildcard_matches("JO*", "john", true));
        assert!(!wildcard_matches("JO*", "john", false));
        assert!(wildcard_matches(r"a\*b", "a*b", false));
        assert!(!wildcard_matches(r"a\*b", "axb", false));
        assert!(wildcard_matches("*", "", false));
        assert!(wildcard_matches("user12*", "User123@example.com", true));
        assert!(!wildcard_matches("user12*", "User123@example.com", false));
        assert!(!wildcard_matches("user12*", "user1", true));
        assert!(wildcard_matches("user12*", "user12", false));
        assert!(
            wildcard_matches("ÉMI*", "émile@example.com", true),
            "non-ASCII takes the general loop"
        );
        assert!(wildcard_matches(&"*a".repeat(50), &"a".repeat(60), false));
        assert!(!wildcard_matches(&"*a".repeat(50), &"a".repeat(40), false));
        assert!(
            wildcard_matches("é?ile*", "ÉMILE@x", true),
            "`?` takes one character, not one byte"
        );
        assert!(!wildcard_matches("é?ile*", "ÉMILE@x", false));
    }

    /// The hostile shapes of a backtracking matcher (many `*` that each almost match): an
    /// exponential matcher would not finish this test; this one walks at most pattern × text.
    #[test]
    fn inner_wildcards_cost_at_most_pattern_times_text() {
        let pattern = format!("{}b", "*a".repeat(200));
        let text = "a".repeat(2_000);
        assert!(!wildcard_matches(&pattern, &text, false));
        assert!(!wildcard_matches("abc*x*y*z17", &"abcxyz1".repeat(300), true));
        assert!(wildcard_matches("abc*x*y*z17", "abc-x-y-z17", true));
    }

    #[test]
    fn literal_prefixes_are_counted_before_the_first_wildcard() {
        assert_eq!(literal_prefix_len("*abc"), 0);
        assert_eq!(literal_prefix_len("abc*"), 3);
        assert_eq!(literal_prefix_len(r"a\*b*"), 3);
    }
}
