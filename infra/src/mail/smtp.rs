//! SMTP transport built from the `mailer` module config (read per message, so changes apply
//! without a restart). Port 465 uses implicit TLS; otherwise STARTTLS when `starttls` is on.

use std::time::Duration;

use helium_domain::config::MailerConfig;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::templates::Rendered;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("transient: {0}")]
    Transient(String),
    #[error("permanent: {0}")]
    Permanent(String),
}

pub fn transport(cfg: &MailerConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, SendError> {
    let builder = if cfg.port == 465 {
        AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host)
            .map_err(|e| SendError::Permanent(format!("TLS setup: {e}")))?
    } else if cfg.starttls {
        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host)
            .map_err(|e| SendError::Permanent(format!("TLS setup: {e}")))?
    } else {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host)
    };
    let mut builder = builder.port(cfg.port).timeout(Some(Duration::from_secs(15)));
    if !cfg.username.is_empty() {
        builder = builder.credentials(Credentials::new(cfg.username.clone(), cfg.password.expose().to_owned()));
    }
    Ok(builder.build())
}

/// The site name shown in emails: the sender's display name, else its domain.
pub fn site_name(sender: &Mailbox) -> String {
    sender.name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| sender.email.domain().to_owned())
}

/// RFC 2369 `List-Unsubscribe`: `<https://…>`.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// RFC 8058 `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// Builds the message; `unsubscribe` is the one-click URL of a non-security e-mail.
pub fn build_message(
    sender: &Mailbox,
    to: &str,
    message_id: &str,
    rendered: &Rendered,
    unsubscribe: Option<&str>,
) -> Result<Message, SendError> {
    let to: Mailbox = to.parse().map_err(|e| SendError::Permanent(format!("invalid recipient: {e}")))?;
    let mut builder = Message::builder();
    if let Some(url) = unsubscribe {
        builder = builder.header(ListUnsubscribe(format!("<{url}>"))).header(ListUnsubscribePost);
    }
    builder
        .from(sender.clone())
        .to(to)
        .subject(rendered.subject.clone())
        .message_id(Some(format!("<{message_id}@{}>", sender.email.domain())))
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(rendered.text.clone()))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(rendered.html.clone())),
        )
        .map_err(|e| SendError::Permanent(format!("cannot build message: {e}")))
}

/// Sends; 5xx replies are permanent, everything else (refused connection, 4xx, timeouts) transient.
pub async fn send(transport: &AsyncSmtpTransport<Tokio1Executor>, message: Message) -> Result<String, SendError> {
    match transport.send(message).await {
        Ok(response) => Ok(response.message().collect::<Vec<_>>().join(" ")),
        Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
        Err(e) => Err(SendError::Transient(e.to_string())),
    }
}
