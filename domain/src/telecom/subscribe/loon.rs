//! Loon proxy lines (B.9), plain CRLF-terminated text.

use std::fmt::Write as _;

use super::Ctx;
use super::lines::kv;
use crate::telecom::model::{ProtocolSettings, SecurityRef, Transport};

pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<u8> {
    let mut out = String::with_capacity(ctx.nodes.len() * 200);
    for node in &ctx.nodes {
        let password = node.password(&ctx.uuid);
        let s = &node.settings;
        let kind = match s {
            ProtocolSettings::Shadowsocks(_) => "Shadowsocks",
            ProtocolSettings::Vmess(_) => "vmess",
            ProtocolSettings::Vless(_) => "VLESS",
            ProtocolSettings::Trojan(_) => "trojan",
            ProtocolSettings::Hysteria2(_) => "Hysteria2",
            ProtocolSettings::Anytls(_) => "anytls",
            _ => continue,
        };
        let _ = write!(out, "{}={kind},{},{}", node.name, node.host, node.port);
        let sec = s.security();
        match s {
            ProtocolSettings::Shadowsocks(ss) => {
                let _ = write!(out, ",{},\"{password}\",fast-open=false,udp=true", ss.cipher.as_str());
            }
            ProtocolSettings::Vmess(v) => {
                let _ = write!(out, ",auto,\"{}\",fast-open=false,udp=true,alterId=0", ctx.uuid);
                tls(&mut out, sec, "tls-name", true);
                transport(&mut out, &v.transport);
            }
            ProtocolSettings::Vless(v) => {
                let _ = write!(out, ",\"{}\",alterId=0,udp=true", ctx.uuid);
                if let Some(flow) = v.flow {
                    kv(&mut out, ",", "flow", flow.as_str());
                }
                tls(&mut out, sec, "sni", true);
                transport(&mut out, &v.transport);
            }
            ProtocolSettings::Trojan(t) => {
                let _ = write!(out, ",\"{password}\"");
                tls(&mut out, sec, "tls-name", false);
                transport(&mut out, &t.transport);
                out.push_str(",udp=true");
            }
            ProtocolSettings::Hysteria2(h) => {
                let _ = write!(out, ",\"{password}\"");
                tls(&mut out, sec, "sni", false);
                if h.down_mbps > 0 {
                    kv(&mut out, ",", "download-bandwidth", h.down_mbps);
                }
                out.push_str(",udp=true");
            }
            ProtocolSettings::Anytls(_) => {
                let _ = write!(out, ",\"{password}\",udp=true");
                tls(&mut out, sec, "sni", false);
            }
            _ => {}
        }
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// TLS keys; `over-tls` only where TLS is optional (vmess, VLESS).
fn tls(out: &mut String, sec: SecurityRef<'_>, sni_key: &str, over_tls: bool) {
    match sec {
        SecurityRef::None => {
            if over_tls {
                out.push_str(",over-tls=false");
            }
        }
        SecurityRef::Tls(t) => {
            if over_tls {
                out.push_str(",over-tls=true");
            }
            if let Some(sni) = &t.server_name {
                kv(out, ",", sni_key, sni);
            }
            kv(out, ",", "skip-cert-verify", t.allow_insecure);
        }
        SecurityRef::Reality(r) => {
            if over_tls {
                out.push_str(",over-tls=true");
            }
            kv(out, ",", sni_key, &r.server_name);
            kv(out, ",", "public-key", &r.public_key);
            kv(out, ",", "short-id", &r.short_id);
        }
    }
}

fn transport(out: &mut String, t: &Transport) {
    match t {
        Transport::Tcp { http: None } => out.push_str(",transport=tcp"),
        Transport::Tcp { http: Some(h) } => {
            out.push_str(",transport=http");
            kv(out, ",", "path", h.path.first().map_or("/", String::as_str));
            if let Some(host) = h.host.first() {
                kv(out, ",", "host", host);
            }
        }
        Transport::Ws { path, host } | Transport::Httpupgrade { path, host } => {
            let name = if matches!(t, Transport::Ws { .. }) { "ws" } else { "httpupgrade" };
            kv(out, ",", "transport", name);
            kv(out, ",", "path", path);
            if let Some(h) = host {
                kv(out, ",", "host", h);
            }
        }
        Transport::Grpc { service_name } => {
            out.push_str(",transport=grpc");
            kv(out, ",", "grpc-service-name", service_name);
        }
        Transport::Xhttp { .. } => {}
    }
}
