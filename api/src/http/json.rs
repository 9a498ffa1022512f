//! `ValidatedJson<T>`: the only JSON body extractor handlers use.
//!
//! Wrong content type → 415, unparseable JSON → 400 `malformed_request`, missing/unknown/
//! mistyped fields → 422 naming the JSON path, `validator` rules → 422 naming each field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use helium_domain::ErrorCode;
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use super::problem::{ApiError, ProblemField};

pub struct ValidatedJson<T>(pub T);

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

impl<S, T> FromRequest<S> for ValidatedJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Validate,
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
        value.validate().map_err(|e| ApiError::validation(flatten(&e, "")))?;
        Ok(ValidatedJson(value))
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

/// `validator` errors → one entry per field, with nested paths (`a.b`, `items[0].x`).
pub fn flatten(errors: &ValidationErrors, prefix: &str) -> Vec<ProblemField> {
    let mut out = Vec::new();
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(errs) => {
                for e in errs {
                    out.push(ProblemField {
                        field: path.clone(),
                        code: e.code.to_string(),
                        message: e
                            .message
                            .as_ref()
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| format!("{path} is invalid ({})", e.code)),
                    });
                }
            }
            ValidationErrorsKind::Struct(inner) => out.extend(flatten(inner, &path)),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    out.extend(flatten(inner, &format!("{path}[{i}]")));
                }
            }
        }
    }
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        #[validate(range(min = 1, code = "out_of_range"))]
        amount: i64,
    }

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Body {
        #[validate(length(min = 3, code = "too_short"))]
        name: String,
        #[validate(nested)]
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
    fn validator_rules_are_flattened_with_paths() {
        let b: Body = parse_body(br#"{"name":"ab","items":[{"amount":0}]}"#).unwrap();
        let fields = flatten(&b.validate().unwrap_err(), "");
        let got: Vec<_> = fields.iter().map(|f| (f.field.as_str(), f.code.as_str())).collect();
        assert_eq!(got, vec![("items[0].amount", "out_of_range"), ("name", "too_short")]);
    }
}

#[cfg(test)]
mod unknown_field_paths {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Flat {
        a: Option<String>,
    }

    #[test]
    fn top_level_unknown_field_is_named_once() {
        let e = parse_body::<Flat>(br#"{"role":"admin"}"#).unwrap_err();
        assert_eq!(e.errors[0].field, "role");
    }
}
