//! Shadowrocket (B.10): a `STATUS=` line, then one link per node, all Base64.

use std::fmt::Write as _;

use super::Ctx;
use super::lines::{expiry_date, gb};
use super::share::{Query, share_link};
use super::view::SubscriptionNode;
use crate::telecom::encode::{b64_into, host_port_into, pct_into};
use crate::telecom::model::{ProtocolSettings, SecurityRef, Transport, VlessFlow};

pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<u8> {
    let u = ctx.user;
    let mut text = String::with_capacity(128 + ctx.nodes.len() * 240);
    let expires = expiry_date(u).unwrap_or_else(|| "N/A".to_owned());
    let _ = write!(
        text,
        "STATUS=🚀↑:{}GB,↓:{}GB,TOT:{}GB💡Expires:{expires}\r\n",
        gb(u.upload),
        gb(u.download),
        gb(u.total)
    );
    for node in &ctx.nodes {
        link(&mut text, ctx, node);
        text.push_str("\r\n");
    }
    let mut out = String::with_capacity(text.len() * 4 / 3 + 4);
    b64_into(&mut out, text.as_bytes());
    out.into_bytes()
}

fn link(out: &mut String, ctx: &Ctx<'_>, node: &SubscriptionNode) {
    let uuid = ctx.uuid.as_str();
    let password = node.password(uuid);
    let s = &node.settings;
    let sec = s.security();
    match s {
        ProtocolSettings::Vmess(_) | ProtocolSettings::Vless(_) => {
            let (scheme, transport) = match s {
                ProtocolSettings::Vmess(v) => ("vmess", &v.transport),
                ProtocolSettings::Vless(v) => ("vless", &v.transport),
                _ => return,
            };
            out.push_str(scheme);
            out.push_str("://");
            let mut inner = format!("auto:{uuid}@");
            host_port_into(&mut inner, &node.host, node.port);
            b64_into(out, inner.as_bytes());
            let mut q = Query::new(out);
            q.kv("remark", &node.name).kv("tfo", "1");
            if scheme == "vmess" {
                q.kv("alterId", "0");
            }
            match sec {
                SecurityRef::None => {}
                SecurityRef::Tls(t) => {
                    q.kv("tls", "1").kv("allowInsecure", if t.allow_insecure { "1" } else { "0" });
                    q.opt("peer", t.server_name.as_deref()).opt("fp", t.fingerprint.map(|f| f.as_str()));
                }
                SecurityRef::Reality(r) => {
                    q.kv("tls", "1").kv("pbk", &r.public_key).kv("sid", &r.short_id).kv("sni", &r.server_name);
                    q.kv("peer", &r.server_name);
                }
            }
            if let ProtocolSettings::Vless(v) = s
                && v.flow == Some(VlessFlow::XtlsRprxVision)
            {
                q.kv("xtls", "2");
            }
            match transport {
                Transport::Tcp { http: None } => {}
                Transport::Tcp { http: Some(h) } => {
                    q.kv("obfs", "http").kv("path", h.path.first().map_or("/", String::as_str));
                    q.opt("obfsParam", h.host.first().map(String::as_str));
                }
                Transport::Ws { path, host } | Transport::Httpupgrade { path, host } => {
                    let name = if matches!(transport, Transport::Ws { .. }) { "websocket" } else { "httpupgrade" };
                    q.kv("obfs", name).kv("path", path).opt("obfsParam", host.as_deref());
                }
                Transport::Grpc { service_name } => {
                    q.kv("obfs", "grpc").kv("path", service_name);
                }
                Transport::Xhttp { path, host, mode } => {
                    q.kv("obfs", "xhttp").kv("path", path).opt("obfsParam", host.as_deref()).kv("mode", mode.as_str());
                }
            }
        }
        ProtocolSettings::Trojan(t) => {
            out.push_str("trojan://");
            pct_into(out, &password);
            out.push('@');
            host_port_into(out, &node.host, node.port);
            let mut q = Query::new(out);
            match sec {
                SecurityRef::Reality(r) => {
                    q.kv("security", "reality")
                        .kv("pbk", &r.public_key)
                        .kv("sid", &r.short_id)
                        .kv("sni", &r.server_name);
                }
                SecurityRef::Tls(tls) => {
                    q.kv("allowInsecure", if tls.allow_insecure { "1" } else { "0" });
                    q.opt("peer", tls.server_name.as_deref());
                }
                SecurityRef::None => {}
            }
            q.kv("tfo", "1");
            match &t.transport {
                Transport::Ws { path, host } => {
                    let mut plugin = String::from("obfs-local;obfs=websocket");
                    if let Some(h) = host {
                        let _ = write!(plugin, ";obfs-host={h}");
                    }
                    let _ = write!(plugin, ";obfs-uri={path}");
                    q.kv("plugin", &plugin);
                }
                Transport::Grpc { service_name } => {
                    q.kv("obfs", "grpc").kv("path", service_name);
                }
                Transport::Httpupgrade { path, host } => {
                    q.kv("obfs", "httpupgrade").kv("path", path).opt("obfsParam", host.as_deref());
                }
                _ => {}
            }
            out.push('#');
            pct_into(out, &node.name);
        }
        ProtocolSettings::Hysteria2(h) => {
            out.push_str("hysteria2://");
            pct_into(out, &password);
            out.push('@');
            host_port_into(out, &node.host, node.port);
            let mut q = Query::new(out);
            q.kv("obfs", if h.obfs_password.is_some() { "salamander" } else { "none" }).kv("fastopen", "1");
            q.opt("peer", h.tls.server_name.as_deref()).opt("obfs-password", h.obfs_password.as_deref());
            q.kv("insecure", if h.tls.allow_insecure { "1" } else { "0" });
            if let Some(range) = node.hop_ports {
                q.kv("keepalive", &h.hop_interval_secs.unwrap_or(30).to_string()).kv("mport", &range.to_string());
            }
            out.push('#');
            pct_into(out, &node.name);
        }
        ProtocolSettings::Tuic(t) => {
            out.push_str("tuic://");
            host_port_into(out, &node.host, node.port);
            let mut q = Query::new(out);
            q.kv("alpn", "h3").opt("sni", t.tls.server_name.as_deref());
            q.kv("insecure", if t.tls.allow_insecure { "1" } else { "0" }).kv("uuid", uuid).kv("password", &password);
            q.kv("congestion_control", t.congestion_control.as_str()).kv("udp-relay-mode", t.udp_relay_mode.as_str());
            out.push('#');
            pct_into(out, &node.name);
        }
        ProtocolSettings::Socks(_) => {
            out.push_str("socks://");
            let mut inner = format!("{uuid}:{uuid}@");
            host_port_into(&mut inner, &node.host, node.port);
            b64_into(out, inner.as_bytes());
            out.push_str("?method=auto#");
            pct_into(out, &node.name);
        }
        _ => share_link(out, node, uuid),
    }
}
