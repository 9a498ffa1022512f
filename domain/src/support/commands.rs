//! Validated ticket inputs, shared by REST and gRPC.
//!
//! Text rules: a subject is one line of 1–200 characters; a message body is plain text of
//! 1–10 000 characters (Unicode scalar values, not bytes) after CRLF line ends become LF and
//! the ends are trimmed. NUL and every other control character except line feed and tab are
//! refused (422 `invalid_format`), as is a bare carriage return.

use uuid::Uuid;

use super::model::{TicketPriority, TicketStatus};
use crate::error::{DomainError, FieldError};
use crate::text::Fields;

pub const MAX_SUBJECT_CHARS: usize = 200;
pub const MAX_BODY_CHARS: usize = 10_000;
/// The longest `q` of adminListTickets.
pub const MAX_QUERY_CHARS: usize = 100;

/// A message body under the rules above.
fn body(f: &mut Fields, field: &str, raw: &str) -> String {
    let text = raw.replace("\r\n", "\n");
    if text.contains('\r') {
        f.push(FieldError::new(field, "invalid_format", "must not contain control characters"));
        return text;
    }
    f.body(field, &text, 1, MAX_BODY_CHARS)
}

/// createTicket.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub subject: String,
    pub body: String,
    pub priority: TicketPriority,
    /// Must be one of the customer's orders (checked by the use case).
    pub order_id: Option<Uuid>,
}

impl NewTicket {
    pub fn new(subject: &str, body_raw: &str, priority: &str, order_id: Option<Uuid>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let subject = f.line("subject", subject, 1, MAX_SUBJECT_CHARS);
        let body = body(&mut f, "body", body_raw);
        let priority = TicketPriority::parse(priority.trim()).unwrap_or_else(|| {
            f.push(FieldError::new("priority", "invalid_enum", "low, normal, high or urgent"));
            TicketPriority::Normal
        });
        f.finish(Self { subject, body, priority, order_id })
    }
}

/// replyTicket / adminReplyTicket: the body of a message.
pub fn message_body(raw: &str) -> Result<String, DomainError> {
    let mut f = Fields::new();
    let text = body(&mut f, "body", raw);
    f.finish(text)
}

/// adminSetTicketStatus.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub status: TicketStatus,
    /// Kept as an internal note and as the audit reason.
    pub note: Option<String>,
}

impl StatusChange {
    pub fn new(status: &str, note: Option<&str>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let status = TicketStatus::parse(status.trim()).unwrap_or_else(|| {
            f.push(FieldError::new("status", "invalid_enum", "open, pending, resolved or closed"));
            TicketStatus::Open
        });
        let note = note.map(|n| body(&mut f, "note", n));
        f.finish(Self { status, note })
    }
}

/// A status filter (`?status=`).
pub fn status_filter(raw: Option<&str>) -> Result<Option<TicketStatus>, DomainError> {
    raw.map(|s| {
        TicketStatus::parse(s.trim())
            .ok_or_else(|| DomainError::field("status", "invalid_enum", "open, pending, resolved or closed"))
    })
    .transpose()
}

/// A priority filter (`?priority=`).
pub fn priority_filter(raw: Option<&str>) -> Result<Option<TicketPriority>, DomainError> {
    raw.map(|s| {
        TicketPriority::parse(s.trim())
            .ok_or_else(|| DomainError::field("priority", "invalid_enum", "low, normal, high or urgent"))
    })
    .transpose()
}

/// adminListTickets `q`: 1–100 characters searched in subjects, as an ILIKE pattern whose
/// `%`, `_` and `\` match themselves.
pub fn subject_search(raw: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(raw) = raw else { return Ok(None) };
    let mut f = Fields::new();
    let q = f.line("q", raw, 1, MAX_QUERY_CHARS);
    f.finish(())?;
    let mut pattern = String::with_capacity(q.len() + 2);
    pattern.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Ok(Some(pattern))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn fields(e: DomainError) -> Vec<(String, String)> {
        match e {
            DomainError::Rejected { code: ErrorCode::ValidationFailed, fields, .. } => {
                fields.into_iter().map(|f| (f.field, f.code)).collect()
            }
            other => panic!("not a validation error: {other}"),
        }
    }

    #[test]
    fn new_tickets_are_trimmed_and_bounded() {
        let t = NewTicket::new("  Cannot connect ", "\n hello\r\nworld\t \n", "high", None).unwrap();
        assert_eq!(
            (t.subject.as_str(), t.body.as_str(), t.priority),
            ("Cannot connect", "hello\nworld", TicketPriority::High)
        );
        let e = NewTicket::new(&"s".repeat(201), &"b".repeat(10_001), "asap", None).unwrap_err();
        let got = fields(e);
        assert_eq!(
            got,
            [
                ("subject".into(), "too_long".into()),
                ("body".into(), "too_long".into()),
                ("priority".into(), "invalid_enum".into())
            ]
        );
        assert!(NewTicket::new(&"é".repeat(200), &"é".repeat(10_000), "low", None).is_ok(), "characters, not bytes");
    }

    #[test]
    fn control_characters_and_blank_text_are_refused() {
        assert_eq!(fields(message_body("a\u{0}b").unwrap_err()), [("body".into(), "invalid_format".into())]);
        assert_eq!(fields(message_body("a\rb").unwrap_err()), [("body".into(), "invalid_format".into())]);
        assert_eq!(fields(message_body("bell\u{7}").unwrap_err()), [("body".into(), "invalid_format".into())]);
        assert_eq!(fields(message_body(" \n\t ").unwrap_err()), [("body".into(), "required".into())]);
        assert_eq!(
            fields(NewTicket::new("a\tb", "x", "low", None).unwrap_err()),
            [("subject".into(), "invalid_format".into())]
        );
        assert_eq!(message_body("tab\there\nnext").unwrap(), "tab\there\nnext");
    }

    #[test]
    fn status_changes_and_filters_parse() {
        assert_eq!(StatusChange::new("resolved", Some(" done ")).unwrap().note.as_deref(), Some("done"));
        assert_eq!(fields(StatusChange::new("deleted", None).unwrap_err()), [("status".into(), "invalid_enum".into())]);
        assert_eq!(status_filter(Some("pending")).unwrap(), Some(TicketStatus::Pending));
        assert!(status_filter(Some("nope")).is_err());
        assert!(priority_filter(Some("urgent")).unwrap().is_some());
    }

    #[test]
    fn search_escapes_wildcards() {
        assert_eq!(subject_search(Some(" 50%_off\\ ")).unwrap().as_deref(), Some("%50\\%\\_off\\\\%"));
        assert_eq!(subject_search(None).unwrap(), None);
        assert!(subject_search(Some(&"q".repeat(101))).is_err());
        assert!(subject_search(Some("")).is_err());
    }
}
