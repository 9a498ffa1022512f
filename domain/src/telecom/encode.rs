//! Text encodings shared by the subscription formats: RFC 3986 percent-encoding, Base64,
//! YAML double-quoted scalars.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `s` percent-encoded: everything but RFC 3986 unreserved characters.
pub(crate) fn pct_into(out: &mut String, s: &str) {
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

pub(crate) fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    pct_into(&mut out, s);
    out
}

pub(crate) fn b64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

pub(crate) fn b64_into(out: &mut String, data: &[u8]) {
    STANDARD.encode_string(data, out);
}

pub(crate) fn b64url_into(out: &mut String, data: &[u8]) {
    URL_SAFE_NO_PAD.encode_string(data, out);
}

/// Appends a YAML double-quoted scalar. JSON string escapes are valid YAML escapes, and
/// every non-printable character is escaped, so any name is safe.
pub(crate) fn yaml_str_into(out: &mut String, s: &str) {
    super::json::escape_into(out, s);
}

/// `host` bracketed when it is an IPv6 literal (for `host:port` and URLs).
pub(crate) fn host_port_into(out: &mut String, host: &str, port: u16) {
    use std::fmt::Write as _;
    if host.contains(':') {
        let _ = write!(out, "[{host}]:{port}");
    } else {
        let _ = write!(out, "{host}:{port}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_unreserved_only() {
        assert_eq!(pct("SG 02/香港?a=b&c~"), "SG%2002%2F%E9%A6%99%E6%B8%AF%3Fa%3Db%26c~");
    }

    #[test]
    fn ipv6_hosts_are_bracketed() {
        let mut s = String::new();
        host_port_into(&mut s, "2001:db8::1", 443);
        host_port_into(&mut s, "a.example", 1);
        assert_eq!(s, "[2001:db8::1]:443a.example:1");
    }
}
