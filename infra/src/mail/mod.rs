//! Email delivery: templates, SMTP transport from the `mailer` config, and the consumer
//! that sends `email.requested` events.

pub mod consent;
pub mod handler;
pub mod request;
pub mod smtp;
pub mod templates;
pub mod unsubscribe;

pub use handler::MailHandler;
pub use request::email_event;
