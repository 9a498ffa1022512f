//! Typed model and validation of Helium's module configurations.
//!
//! The `application__config` table stores one JSON document per
//! [`ConfigKind`]. Everything here is pure (no I/O) so the API, the CLI and
//! the workers can share one definition of what a valid document is.
//!
//! Two validation levels exist because the seed's example documents contain
//! placeholder secrets: [`validate_value`] is what the running service
//! accepts, [`validate_shape`] is what `helium-cli validate-config` uses to
//! check structure without insisting on production-grade secrets.

mod defaults;
mod duration;
mod kind;
mod modules;
pub mod providers;
mod secrets;
mod validate;

#[cfg(test)]
mod tests;

pub use defaults::{default_config, default_value};
pub use duration::Seconds;
pub use kind::ConfigKind;
pub use modules::{
    AdminJwtConfig, AffiliateConfig, AuthConfig, EmailProviderConfig, JwtConfig, MailerConfig, ModuleConfig,
    NodeHealthCheckConfig, OauthProviderConfig, OauthProvidersConfig, RegisterDomainConfig, ShopConfig,
    SubscribeEndpoint, SubscribeLinkConfig, TelecomConfig, UniProxySyncConfig,
};
pub use secrets::{SECRET_MASK, Secret, generate_secret, masked_secrets_rebound, redact, restore_masked_secrets};

use serde::de::DeserializeOwned;
use validate::Mode;

/// A problem with a configuration document, located by a JSON path such as
/// `jwt.access_token_expiration` or `oauth_providers.providers[0].client_id`.
///
/// `path` is `""` for JSON syntax errors and `"."` for problems with the
/// document root itself (e.g. it is not an object).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct ConfigError {
    pub path: String,
    pub reason: String,
}

impl ConfigError {
    pub fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { path: path.into(), reason: reason.into() }
    }
}

/// Parses JSON text and validates it strictly (same rules as
/// [`validate_value`]). Syntax errors carry path `""` and a line/column.
pub fn parse_document(kind: ConfigKind, json_text: &str) -> Result<ModuleConfig, ConfigError> {
    parse_with(kind, json_text, Mode::Strict)
}

/// Like [`parse_document`] but with the relaxed secret rules of
/// [`validate_shape`].
pub fn parse_document_shape(kind: ConfigKind, json_text: &str) -> Result<ModuleConfig, ConfigError> {
    parse_with(kind, json_text, Mode::Shape)
}

/// Full validation: structure, durations, semantic rules and strong,
/// non-placeholder secrets. This is what the service accepts.
pub fn validate_value(kind: ConfigKind, value: &serde_json::Value) -> Result<ModuleConfig, ConfigError> {
    validate_with(kind, value, Mode::Strict)
}

/// Same as [`validate_value`] except secrets only need to be non-empty, so
/// documents with example/placeholder secrets (like the seed's) pass.
pub fn validate_shape(kind: ConfigKind, value: &serde_json::Value) -> Result<ModuleConfig, ConfigError> {
    validate_with(kind, value, Mode::Shape)
}

fn validate_with(kind: ConfigKind, value: &serde_json::Value, mode: Mode) -> Result<ModuleConfig, ConfigError> {
    let config = deserialize_kind(kind, value)?;
    validate::check(&config, mode)?;
    Ok(config)
}

fn parse_with(kind: ConfigKind, text: &str, mode: Mode) -> Result<ModuleConfig, ConfigError> {
    let config = deserialize_kind(kind, Text(text))?;
    validate::check(&config, mode)?;
    Ok(config)
}

/// Something a config struct can be deserialized from, with errors mapped
/// to a [`ConfigError`] carrying the failing field's path.
trait Source: Copy {
    fn read<T: DeserializeOwned>(self) -> Result<T, ConfigError>;
}

impl Source for &serde_json::Value {
    fn read<T: DeserializeOwned>(self) -> Result<T, ConfigError> {
        serde_path_to_error::deserialize(self).map_err(path_error)
    }
}

/// Raw JSON text. Deserialized directly (rather than via `Value`) so that
/// duplicate keys are reported and errors keep their line/column.
#[derive(Clone, Copy)]
struct Text<'a>(&'a str);

impl Source for Text<'_> {
    fn read<T: DeserializeOwned>(self) -> Result<T, ConfigError> {
        let mut de = serde_json::Deserializer::from_str(self.0);
        let parsed: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            if e.inner().is_syntax() || e.inner().is_eof() {
                ConfigError::new("", e.into_inner().to_string())
            } else {
                path_error(e)
            }
        })?;
        de.end().map_err(|e| ConfigError::new("", e.to_string()))?;
        Ok(parsed)
    }
}

fn path_error(e: serde_path_to_error::Error<serde_json::Error>) -> ConfigError {
    let path = e.path().to_string();
    let reason = e.into_inner().to_string();
    // serde reports a missing field at its parent; name the field itself.
    let path = match reason.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
        Some(field) if path.is_empty() || path == "." => field.to_owned(),
        Some(field) => format!("{path}.{field}"),
        None => path,
    };
    ConfigError::new(path, reason)
}

/// Picks the struct matching `kind` and deserializes `input` into it.
fn deserialize_kind(kind: ConfigKind, input: impl Source) -> Result<ModuleConfig, ConfigError> {
    Ok(match kind {
        ConfigKind::Auth => ModuleConfig::Auth(input.read()?),
        ConfigKind::AdminJwt => ModuleConfig::AdminJwt(input.read()?),
        ConfigKind::Telecom => ModuleConfig::Telecom(input.read()?),
        ConfigKind::Shop => ModuleConfig::Shop(input.read()?),
        ConfigKind::Affiliate => ModuleConfig::Affiliate(input.read()?),
        ConfigKind::Mailer => ModuleConfig::Mailer(input.read()?),
    })
}
