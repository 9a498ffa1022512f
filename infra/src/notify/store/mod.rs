//! Notify SQL: preferences and announcements.

pub mod announcements;
pub mod preferences;
