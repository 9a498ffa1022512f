//! Subscription documents.
