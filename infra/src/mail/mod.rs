//! Email delivery: templates, SMTP transport from the `mailer` config, and the consumer
//! that sends `email.requested` events.

pub mod handler;
pub mod request;
pub mod smtp;
pub mod templates;

pub use handler::MailHandler;
pub use request::email_event;
