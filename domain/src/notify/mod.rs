//! Notify: announcements, notification preferences, outgoing webhooks.

pub mod announcements;
pub mod preferences;
pub mod webhooks;
