//! Field rules shared by the node commands: one accumulator, one rule per kind of value.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rust_decimal::Decimal;

use super::model::{ProtocolSettings, Rate, RealitySettings, Security, SsCipher, TlsSettings, Transport, VlessFlow};
use crate::FieldError;

pub const MAX_NAME_CHARS: usize = 64;
pub const MAX_TAGS: usize = 16;
pub const MAX_TAG_CHARS: usize = 32;

/// Checks a rate alone (also used by PATCH handlers).
pub fn check_rate(rate: Rate) -> Result<(), FieldError> {
    if rate.0 < Decimal::ZERO || rate > Rate::MAX {
        return Err(FieldError::new("rate", "out_of_range", "must be between 0 and 100"));
    }
    if rate.0.normalize().scale() > Rate::MAX_SCALE {
        return Err(FieldError::new("rate", "invalid_format", "at most 4 decimal places"));
    }
    Ok(())
}

const MAX_PATH_CHARS: usize = 256;
const MAX_SECRET_CHARS: usize = 128;
/// Compiled-program size cap for block regexes, well under what agents accept.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

#[derive(Default)]
pub(crate) struct Errors {
    list: Vec<FieldError>,
}

impl Errors {
    pub(crate) fn push(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.list.push(FieldError::new(field, code, message));
    }

    pub(crate) fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.list.is_empty() { Ok(()) } else { Err(self.list) }
    }

    /// Non-empty (when `required`), bounded, no control characters. True when it passed.
    pub(crate) fn text(&mut self, field: &str, value: &str, max_chars: usize, required: bool) -> bool {
        if required && value.trim().is_empty() {
            self.push(field, "required", "must not be empty");
            return false;
        }
        if value.chars().count() > max_chars {
            self.push(field, "too_long", format!("at most {max_chars} characters"));
            return false;
        }
        if value.chars().any(char::is_control) {
            self.push(field, "invalid_format", "must not contain control characters");
            return false;
        }
        true
    }

    /// Display names also appear in line formats (Surge, Loon, QX) where `,` and `=` split fields.
    pub(crate) fn name(&mut self, field: &str, value: &str) {
        if !self.text(field, value, MAX_NAME_CHARS, true) {
            return;
        }
        if value.contains([',', '=']) {
            self.push(field, "invalid_format", "must not contain ',' or '='");
        } else if value.trim() != value {
            self.push(field, "invalid_format", "must not start or end with white space");
        }
    }

    pub(crate) fn tags(&mut self, field: &str, tags: &[String]) {
        if tags.len() > MAX_TAGS {
            self.push(field, "too_long", format!("at most {MAX_TAGS} tags"));
            return;
        }
        for (i, tag) in tags.iter().enumerate() {
            self.text(&format!("{field}[{i}]"), tag, MAX_TAG_CHARS, true);
        }
    }

    pub(crate) fn port(&mut self, field: &str, port: u16) {
        if port == 0 {
            self.push(field, "out_of_range", "must be between 1 and 65535");
        }
    }

    pub(crate) fn rate(&mut self, field: &str, rate: Rate) {
        if let Err(mut err) = check_rate(rate) {
            err.field = field.to_owned();
            self.list.push(err);
        }
    }

    /// A DNS name or an IP literal (IPv6 without brackets).
    pub(crate) fn host(&mut self, field: &str, value: &str) {
        if !self.text(field, value, 253, true) {
            return;
        }
        if !is_host(value) {
            self.push(field, "invalid_format", "must be a host name or an IP address");
        }
    }

    pub(crate) fn regex(&mut self, field: &str, pattern: &str) {
        let built = regex::RegexBuilder::new(pattern).size_limit(REGEX_SIZE_LIMIT).build();
        if let Err(err) = built {
            let first = err.to_string().lines().last().unwrap_or_default().trim().to_owned();
            self.push(field, "invalid_format", format!("not a valid regular expression: {first}"));
        }
    }

    fn url_path(&mut self, field: &str, value: &str) {
        if !self.text(field, value, MAX_PATH_CHARS, true) {
            return;
        }
        // Paths also land in comma-separated line formats (Surge, Loon, Quantumult X).
        if !value.starts_with('/') || value.contains(|c: char| c.is_whitespace() || matches!(c, '#' | ',' | '"')) {
            self.push(field, "invalid_format", "must start with '/' and contain no spaces, '#', ',' or '\"'");
        }
    }

    fn opt_host(&mut self, field: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.host(field, v);
        }
    }

    fn secret(&mut self, field: &str, value: &str) {
        let printable = |c: char| c.is_ascii_graphic() && !matches!(c, ',' | '"' | '\\');
        if self.text(field, value, MAX_SECRET_CHARS, true) && !value.chars().all(printable) {
            self.push(field, "invalid_format", "printable ASCII without spaces, ',', '\"' or '\\'");
        }
    }
}

pub(crate) fn is_host(value: &str) -> bool {
    if value.parse::<IpAddr>().is_ok() {
        return true;
    }
    let name = value.strip_suffix('.').unwrap_or(value);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

pub(crate) fn check_settings(e: &mut Errors, settings: &ProtocolSettings) {
    match settings {
        ProtocolSettings::Vmess(s) => {
            transport(e, &s.transport, false);
            security(e, &s.security, SecurityKinds { none: true, reality: false });
        }
        ProtocolSettings::Vless(s) => {
            transport(e, &s.transport, true);
            security(e, &s.security, SecurityKinds { none: true, reality: true });
            if s.flow == Some(VlessFlow::XtlsRprxVision)
                && (!matches!(s.transport, Transport::Tcp { http: None }) || s.security == Security::None)
            {
                e.push("settings.flow", "not_supported", "xtls-rprx-vision needs plain tcp with tls or reality");
            }
        }
        ProtocolSettings::Trojan(s) => {
            transport(e, &s.transport, false);
            security(e, &s.security, SecurityKinds { none: false, reality: true });
        }
        ProtocolSettings::Shadowsocks(s) => shadowsocks_key(e, s.cipher, s.server_key.as_deref()),
        ProtocolSettings::Hysteria2(s) => {
            tls(e, "settings.tls", &s.tls);
            if s.up_mbps > 100_000 {
                e.push("settings.up_mbps", "out_of_range", "at most 100000");
            }
            if s.down_mbps > 100_000 {
                e.push("settings.down_mbps", "out_of_range", "at most 100000");
            }
            if let Some(p) = &s.obfs_password {
                e.secret("settings.obfs_password", p);
            }
            if let Some(secs) = s.hop_interval_secs
                && !(5..=3600).contains(&secs)
            {
                e.push("settings.hop_interval_secs", "out_of_range", "must be between 5 and 3600");
            }
        }
        ProtocolSettings::Tuic(s) => tls(e, "settings.tls", &s.tls),
        ProtocolSettings::Anytls(s) => {
            tls(e, "settings.tls", &s.tls);
            if s.padding_scheme.len() > 32 {
                e.push("settings.padding_scheme", "too_long", "at most 32 lines");
            }
            for (i, line) in s.padding_scheme.iter().enumerate() {
                let ok = line.split_once('=').is_some_and(|(k, v)| {
                    !k.is_empty()
                        && k.bytes().all(|b| b.is_ascii_alphanumeric())
                        && v.bytes().all(|b| b.is_ascii_digit() || b == b'-' || b == b',' || b == b'c')
                });
                if !ok || line.len() > 256 {
                    e.push(format!("settings.padding_scheme[{i}]"), "invalid_format", "expected `key=ranges`");
                }
            }
        }
        ProtocolSettings::Socks(s) | ProtocolSettings::Http(s) => {
            security(e, &s.security, SecurityKinds { none: true, reality: false })
        }
    }
}

fn transport(e: &mut Errors, t: &Transport, xhttp_allowed: bool) {
    const AT: &str = "settings.transport";
    match t {
        Transport::Tcp { http: None } => {}
        Transport::Tcp { http: Some(h) } => {
            if h.path.is_empty() || h.path.len() > 8 {
                e.push(format!("{AT}.http.path"), "out_of_range", "between 1 and 8 paths");
            }
            for (i, p) in h.path.iter().enumerate() {
                e.url_path(&format!("{AT}.http.path[{i}]"), p);
            }
            if h.host.len() > 8 {
                e.push(format!("{AT}.http.host"), "too_long", "at most 8 hosts");
            }
            for (i, host) in h.host.iter().enumerate() {
                e.host(&format!("{AT}.http.host[{i}]"), host);
            }
        }
        Transport::Ws { path, host } | Transport::Httpupgrade { path, host } => {
            e.url_path(&format!("{AT}.path"), path);
            e.opt_host(&format!("{AT}.host"), host.as_deref());
        }
        Transport::Grpc { service_name } => {
            let f = format!("{AT}.service_name");
            if e.text(&f, service_name, 128, true)
                && !service_name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b))
            {
                e.push(f, "invalid_format", "letters, digits, '.', '_', '-' and '/' only");
            }
        }
        Transport::Xhttp { path, host, .. } => {
            if !xhttp_allowed {
                e.push(format!("{AT}.type"), "not_supported", "xhttp is available for vless only");
            }
            e.url_path(&format!("{AT}.path"), path);
            e.opt_host(&format!("{AT}.host"), host.as_deref());
        }
    }
}

#[derive(Clone, Copy)]
struct SecurityKinds {
    none: bool,
    reality: bool,
}

fn security(e: &mut Errors, s: &Security, allowed: SecurityKinds) {
    match s {
        Security::None if !allowed.none => e.push("settings.security.mode", "not_supported", "tls is required"),
        Security::None => {}
        Security::Tls(t) => tls(e, "settings.security", t),
        Security::Reality(_) if !allowed.reality => {
            e.push("settings.security.mode", "not_supported", "reality is not available for this protocol")
        }
        Security::Reality(r) => reality(e, r),
    }
}

fn tls(e: &mut Errors, at: &str, t: &TlsSettings) {
    e.opt_host(&format!("{at}.server_name"), t.server_name.as_deref());
    if t.alpn.len() > 3 {
        e.push(format!("{at}.alpn"), "too_long", "at most 3 protocols");
    }
    for (i, a) in t.alpn.iter().enumerate() {
        if !matches!(a.as_str(), "h2" | "http/1.1" | "h3") {
            e.push(format!("{at}.alpn[{i}]"), "invalid_enum", "one of h2, http/1.1, h3");
        }
    }
}

fn reality(e: &mut Errors, r: &RealitySettings) {
    const AT: &str = "settings.security";
    e.host(&format!("{AT}.server_name"), &r.server_name);
    e.opt_host(&format!("{AT}.dest"), r.dest.as_deref());
    e.port(&format!("{AT}.server_port"), r.server_port);
    for (field, key) in [("private_key", &r.private_key), ("public_key", &r.public_key)] {
        if !is_x25519_key(key) {
            e.push(format!("{AT}.{field}"), "invalid_format", "must be 32 bytes as unpadded base64url (43 characters)");
        }
    }
    if r.private_key == r.public_key && !r.private_key.is_empty() {
        e.push(format!("{AT}.public_key"), "invalid_format", "must differ from the private key");
    }
    if r.short_id.len() > 16
        || !r.short_id.len().is_multiple_of(2)
        || !r.short_id.bytes().all(|b| b.is_ascii_hexdigit())
    {
        e.push(format!("{AT}.short_id"), "invalid_format", "even-length hex, at most 16 characters");
    }
}

/// An x25519 key as Xray prints it: raw URL-safe Base64 of 32 bytes.
pub(crate) fn is_x25519_key(key: &str) -> bool {
    key.len() == 43 && URL_SAFE_NO_PAD.decode(key).is_ok_and(|bytes| bytes.len() == 32)
}

fn shadowsocks_key(e: &mut Errors, cipher: SsCipher, key: Option<&str>) {
    const AT: &str = "settings.server_key";
    match (cipher.key_len_2022(), key) {
        (None, None) => {}
        (None, Some(_)) => e.push(AT, "not_supported", "only 2022 ciphers take a server key"),
        (Some(_), None) => e.push(AT, "required", "2022 ciphers need a server key"),
        (Some(len), Some(k)) => {
            if STANDARD.decode(k).map(|b| b.len()) != Ok(len) {
                e.push(AT, "invalid_format", format!("must be standard Base64 of exactly {len} bytes"));
            }
        }
    }
}
