//! `JsonBody<T>`: the only JSON body extractor handlers use.
//!
//! Wrong content type → 415, unparseable JSON → 400 `malformed_request`, missing/unknown/
//! mistyped fields → 422 naming the JSON path, and — whatever the operation — a string holding
//! NUL or another control character (line breaks and tabs aside) → 422 naming its path. The
//! value rules of each operation live in its command (`helium_domain::<d>::commands`), which
//! REST and gRPC build alike.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use helium_domain::ErrorCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::problem::{ApiError, ProblemField};

pub struct JsonBody<T>(pub T);

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(&req) {
            return Err(ApiError::new(ErrorCode::UnsupportedMediaType, "expected Content-Type: application/json"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorCode::PayloadTooLarge, "the request body is larger than allowed")
            } else {
                ApiError::new(ErrorCode::MalformedRequest, "the request body could not be read")
            }
        })?;
        let value = parse_body::<T>(&bytes)?;
        control_characters(&bytes)?;
        Ok(JsonBody(value))
    }
}

/// Refuses a body whose strings hold control characters other than line breaks and tabs.
/// Raw control characters are not valid JSON, so only escapes can carry them: bodies without a
/// suspicious escape are accepted without a second parse.
fn control_characters(bytes: &[u8]) -> Result<(), ApiError> {
    let suspicious = bytes.windows(2).any(|w| w[0] == b'\\' && matches!(w[1], b'u' | b'b' | b'f'));
    if !suspicious {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else { return Ok(()) };
    match first_control(&value, String::new()) {
        None => Ok(()),
        Some(path) => Err(ApiError::validation(vec![ProblemField {
            field: path,
            code: "invalid_format".to_owned(),
            message: "must not contain control characters".to_owned(),
        }])),
    }
}

fn bad_char(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// The JSON path of the first string (or object key) holding a forbidden control character.
fn first_control(v: &Value, path: String) -> Option<String> {
    match v {
        Value::String(s) if s.chars().any(bad_char) => Some(path),
        Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| first_control(item, format!("{path}[{i}]")))
        }
        Value::Object(map) => map.iter().find_map(|(k, item)| {
            let here = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            if k.chars().any(bad_char) { Some(here) } else { first_control(item, here) }
        }),
        _ => None,
    }
}

/// Deserializes with the path of the first offending field.
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::new(ErrorCode::MalformedRequest, format!("the body is not valid JSON: {inner}"))
            }
            Category::Data => {
                let msg = inner.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
                let (code, field) = if let Some(name) = backticked(&msg, "missing field `") {
                    ("required", join_path(&path, &name))
                } else if let Some(name) = backticked(&msg, "unknown field `") {
                    // The reported path already ends with the unknown key.
                    let field = if path.is_empty() || path == "." { name } else { path.clone() };
                    ("unknown_field", field)
                } else if msg.starts_with("invalid type") {
                    ("invalid_type", path.clone())
                } else if msg.starts_with("unknown variant") {
                    ("invalid_enum", path.clone())
                } else {
                    ("invalid_format", path.clone())
                };
                ApiError::validation(vec![ProblemField {
                    field: clean_root(field),
                    code: code.to_owned(),
                    message: msg,
                }])
            }
        }
    })
}

fn backticked(msg: &str, prefix: &str) -> Option<String> {
    let rest = msg.strip_prefix(prefix)?;
    Some(rest.split('`').next()?.to_owned())
}

/// serde_path_to_error reports "." for the root; a missing field at the root is then `name`.
fn join_path(path: &str, name: &str) -> String {
    if path.is_empty() || path == "." { name.to_owned() } else { format!("{path}.{name}") }
}

fn clean_root(p: String) -> String {
    if p == "." { String::new() } else { p }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialised")]
    struct Inner {
        amount: i64,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialised")]
    struct Body {
        name: String,
        items: Vec<Inner>,
    }

    fn field_of(e: &ApiError) -> (&str, &str) {
        (e.errors[0].field.as_str(), e.errors[0].code.as_str())
    }

    #[test]
    fn syntax_is_400() {
        let e = parse_body::<Body>(b"{nope").unwrap_err();
        assert_eq!(e.code, ErrorCode::MalformedRequest);
    }

    #[test]
    fn missing_unknown_and_type_fields_are_named() {
        let e = parse_body::<Body>(br#"{"items": []}"#).unwrap_err();
        assert_eq!(field_of(&e), ("name", "required"));
        let e = parse_body::<Body>(br#"{"name":"abc","items":[{"amount":1,"evil":true}]}"#).unwrap_err();
        assert_eq!(field_of(&e), ("items[0].evil", "unknown_field"));
        let e = parse_body::<Body>(br#"{"name":"abc","items":[{"amount":"x"}]}"#).unwrap_err();
        assert_eq!(field_of(&e), ("items[0].amount", "invalid_type"));
    }

    #[test]
    fn top_level_unknown_field_is_named_once() {
        let e = parse_body::<Body>(br#"{"role":"admin","name":"x","items":[]}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "role");
    }

    #[test]
    fn control_characters_are_named_wherever_they_are() {
        assert!(control_characters(br#"{"a":"line\nbreak\ttab"}"#).is_ok());
        let e = control_characters(br#"{"a":{"b":["ok","x\u0000y"]}}"#).unwrap_err();
        assert_eq!(field_of(&e), ("a.b[1]", "invalid_format"));
        let e = control_characters(br#"{"name":"bell\u0007"}"#).unwrap_err();
        assert_eq!(field_of(&e), ("name", "invalid_format"));
        assert!(control_characters(br#"{"name":"caf\u00e9"}"#).is_ok());
    }
}
