//! Notify: announcements, notification preferences, outgoing webhooks.

// ---- outgoing webhooks (issue 15) ----
pub mod outbound;
pub mod webhooks;
