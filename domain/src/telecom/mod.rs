//! Telecom: node servers and clients, the UniProxy node API and subscription documents.
//!
//! Everything here is pure: the store loads rows into these types, calls the renderers and
//! caches the bytes. See `WIRE-FORMATS.md` Parts A and B for the contracts.

mod checks;
pub mod commands;
pub(crate) mod encode;
pub mod import_links;
pub(crate) mod json;
mod layers;
pub mod links;
pub mod model;
pub mod node_api;
pub mod package;
mod protocols;
mod settings;
pub mod subscribe;
