//! Request bodies read as the provider reads them: under a size cap (the provider's 413 beyond
//! it), JSON decoded after a lossy UTF-8 pass, and JSON types named as z-schema names them.

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::header;
use axum::http::request::Parts;
use serde_json::Value;

/// "All endpoints accept a maximum payload size of 1 megabyte." (facts §2.1, doc)
pub const MAX_BODY_BYTES: usize = 1_048_576;

/// Reads the body under the cap; oversized bodies get the provider's 413.
pub(crate) async fn read_capped(req: Request, limit: usize) -> Result<(Parts, Bytes), usize> {
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(limit);
    }
    // Any read failure past this point is the cap (or a client that went away mid-body).
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| limit)?;
    Ok((parts, bytes))
}

/// A body that does not parse as JSON, and whether it looks like a form (the usual reason): each
/// envelope words it its own way.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NotJson {
    pub(crate) looks_form_encoded: bool,
}

/// Parses bytes as the provider does: UTF-8 decoded with replacement characters, then JSON.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Value, NotJson> {
    if bytes.is_empty() {
        // inf (facts §2.4): an empty payload is `null`, which then fails the object schema.
        return Ok(Value::Null);
    }
    let text = String::from_utf8_lossy(bytes);
    serde_json::from_str(&text).map_err(|_| NotJson {
        looks_form_encoded: looks_form_encoded(&text),
    })
}

/// `a=b&c=d` shaped text: the usual reason a JSON body fails to parse.
fn looks_form_encoded(text: &str) -> bool {
    let text = text.trim();
    !text.starts_with(['{', '[', '"']) && text.split('&').all(|pair| pair.contains('=')) && !text.is_empty()
}

/// z-schema's type names: integers are `integer`, other numbers `number`.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_text_is_recognised_for_the_hint() {
        assert!(looks_form_encoded("client_id=abc&email=a%40b.c"));
        assert!(!looks_form_encoded("{\"a\":1"));
        assert!(!looks_form_encoded("garbage"));
    }
}
