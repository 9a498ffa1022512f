//! Quantumult X server lines (B.8), Base64 of CRLF-terminated lines.

use std::fmt::Write as _;

use super::Ctx;
use super::lines::kv;
use crate::telecom::encode::{b64_into, host_port_into};
use crate::telecom::model::{ProtocolSettings, SecurityRef, TlsSettings, Transport};

pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<u8> {
    let mut text = String::with_capacity(ctx.nodes.len() * 200);
    for node in &ctx.nodes {
        let password = node.password(&ctx.uuid);
        let s = &node.settings;
        let kind = match s {
            ProtocolSettings::Shadowsocks(_) => "shadowsocks",
            ProtocolSettings::Vmess(_) => "vmess",
            ProtocolSettings::Vless(_) => "vless",
            ProtocolSettings::Trojan(_) => "trojan",
            ProtocolSettings::Anytls(_) => "anytls",
            ProtocolSettings::Socks(_) => "socks5",
            ProtocolSettings::Http(_) => "http",
            _ => continue,
        };
        text.push_str(kind);
        text.push('=');
        host_port_into(&mut text, &node.host, node.port);
        let sec = s.security();
        match s {
            ProtocolSettings::Shadowsocks(ss) => {
                kv(&mut text, ",", "method", ss.cipher.as_str());
                kv(&mut text, ",", "password", &password);
            }
            ProtocolSettings::Vmess(v) => {
                kv(&mut text, ",", "method", "auto");
                kv(&mut text, ",", "password", &ctx.uuid);
                stream(&mut text, &v.transport, sec);
            }
            ProtocolSettings::Vless(v) => {
                kv(&mut text, ",", "method", "none");
                kv(&mut text, ",", "password", &ctx.uuid);
                if let Some(flow) = v.flow {
                    kv(&mut text, ",", "vless-flow", flow.as_str());
                }
                stream(&mut text, &v.transport, sec);
            }
            ProtocolSettings::Trojan(t) => {
                kv(&mut text, ",", "password", &password);
                if let Transport::Ws { path, host } = &t.transport {
                    kv(&mut text, ",", "obfs", "wss");
                    kv(&mut text, ",", "obfs-uri", path);
                    kv(&mut text, ",", "obfs-host", host.as_deref().unwrap_or(&node.host));
                } else {
                    kv(&mut text, ",", "over-tls", true);
                }
                if let SecurityRef::Tls(t) = sec {
                    tls_keys(&mut text, t);
                }
            }
            ProtocolSettings::Anytls(a) => {
                kv(&mut text, ",", "password", &password);
                kv(&mut text, ",", "over-tls", true);
                tls_keys(&mut text, &a.tls);
            }
            ProtocolSettings::Socks(_) | ProtocolSettings::Http(_) => {
                kv(&mut text, ",", "username", &ctx.uuid);
                kv(&mut text, ",", "password", &ctx.uuid);
                if let SecurityRef::Tls(t) = sec {
                    kv(&mut text, ",", "over-tls", true);
                    tls_keys(&mut text, t);
                }
            }
            _ => {}
        }
        kv(&mut text, ",", "fast-open", true);
        if !matches!(s, ProtocolSettings::Http(_)) {
            kv(&mut text, ",", "udp-relay", true);
        }
        let _ = write!(text, ",tag={}\r\n", node.name);
    }
    let mut out = String::with_capacity(text.len() * 4 / 3 + 4);
    b64_into(&mut out, text.as_bytes());
    out.into_bytes()
}

fn tls_keys(out: &mut String, t: &TlsSettings) {
    kv(out, ",", "tls-verification", !t.allow_insecure);
    if let Some(sni) = &t.server_name {
        kv(out, ",", "tls-host", sni);
    }
}

/// vmess/vless transport and TLS keys.
fn stream(out: &mut String, t: &Transport, sec: SecurityRef<'_>) {
    let tls = !matches!(sec, SecurityRef::None);
    match t {
        Transport::Ws { path, host } => {
            kv(out, ",", "obfs", if tls { "wss" } else { "ws" });
            kv(out, ",", "obfs-uri", path);
            if let Some(h) = host {
                kv(out, ",", "obfs-host", h);
            }
        }
        Transport::Tcp { http: Some(h) } => {
            kv(out, ",", "obfs", "http");
            kv(out, ",", "obfs-uri", h.path.first().map_or("/", String::as_str));
            if let Some(host) = h.host.first() {
                kv(out, ",", "obfs-host", host);
            }
        }
        _ if tls => kv(out, ",", "obfs", "over-tls"),
        _ => {}
    }
    match sec {
        SecurityRef::None => {}
        SecurityRef::Tls(t) => tls_keys(out, t),
        SecurityRef::Reality(r) => {
            kv(out, ",", "tls-host", &r.server_name);
            kv(out, ",", "reality-base64-pubkey", &r.public_key);
            kv(out, ",", "reality-hex-shortid", &r.short_id);
        }
    }
}
