//! Notify: announcements, notification preferences, outgoing webhooks.

pub mod preferences;
pub mod webhooks;
