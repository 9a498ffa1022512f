//! The integration tests of helium-infra: one binary, one module per area.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

mod email_templates;
