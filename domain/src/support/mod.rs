//! Support tickets: a customer's conversation with staff. States `open` (staff's turn) ⇄
//! `pending` (customer's turn) → `resolved` → `closed` (final); staff may add internal notes
//! the customer never sees. No attachments: messages are plain text.

pub mod commands;
pub mod model;
pub mod rules;
