//! Share links (B.4) and the General format: one link per node, CRLF-terminated, the whole
//! text standard padded Base64.

use std::fmt::Write as _;

use super::Ctx;
use super::view::SubscriptionNode;
use crate::telecom::encode::{b64_into, b64url_into, host_port_into, pct_into};
use crate::telecom::json::Json;
use crate::telecom::model::{ProtocolSettings, SecurityRef, Transport};

pub(crate) fn render_general(ctx: &Ctx<'_>) -> Vec<u8> {
    let mut text = String::with_capacity(ctx.nodes.len() * 256);
    for node in &ctx.nodes {
        share_link(&mut text, node, &ctx.uuid);
        text.push_str("\r\n");
    }
    let mut out = String::with_capacity(text.len() * 4 / 3 + 4);
    b64_into(&mut out, text.as_bytes());
    out.into_bytes()
}

/// Appends `?k=v&…` pairs, percent-encoding values; the first call writes `?`.
pub(crate) struct Query<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Query<'a> {
    pub(crate) fn new(out: &'a mut String) -> Self {
        Query { out, first: true }
    }

    pub(crate) fn kv(&mut self, k: &str, v: &str) -> &mut Self {
        self.out.push(if self.first { '?' } else { '&' });
        self.first = false;
        self.out.push_str(k);
        self.out.push('=');
        pct_into(self.out, v);
        self
    }

    pub(crate) fn opt(&mut self, k: &str, v: Option<&str>) -> &mut Self {
        if let Some(v) = v { self.kv(k, v) } else { self }
    }
}

fn bit(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

fn name_into(out: &mut String, name: &str) {
    out.push('#');
    pct_into(out, name);
}

/// Appends the share link of `node` for the customer `uuid` (no line terminator).
pub fn share_link(out: &mut String, node: &SubscriptionNode, uuid: &str) {
    let password = node.password(uuid);
    match &node.settings {
        ProtocolSettings::Vmess(s) => vmess(out, node, uuid, &s.transport, s.security.as_ref()),
        ProtocolSettings::Vless(s) => {
            out.push_str("vless://");
            pct_into(out, uuid);
            out.push('@');
            host_port_into(out, &node.host, node.port);
            let mut q = Query::new(out);
            let xhttp_mode = match &s.transport {
                Transport::Xhttp { mode, .. } => mode.as_str(),
                _ => "multi",
            };
            q.kv("mode", xhttp_mode);
            q.kv("security", security_name(s.security.as_ref()));
            q.kv("encryption", "none").kv("type", s.transport.network());
            q.opt("flow", s.flow.map(|f| f.as_str()));
            match s.security.as_ref() {
                SecurityRef::None => {}
                SecurityRef::Tls(t) => {
                    q.opt("fp", t.fingerprint.map(|f| f.as_str())).opt("sni", t.server_name.as_deref());
                    if t.allow_insecure {
                        q.kv("allowInsecure", "1");
                    }
                }
                SecurityRef::Reality(r) => {
                    q.kv("pbk", &r.public_key).kv("sid", &r.short_id).kv("sni", &r.server_name);
                    q.kv("servername", &r.server_name).kv("spx", "/");
                    q.kv("fp", r.fingerprint.map_or("chrome", |f| f.as_str()));
                }
            }
            transport_query(&mut q, &s.transport, true);
            name_into(out, &node.name);
        }
        ProtocolSettings::Trojan(s) => {
            out.push_str("trojan://");
            pct_into(out, &password);
            out.push('@');
            host_port_into(out, &node.host, node.port);
            let mut q = Query::new(out);
            match s.security.as_ref() {
                SecurityRef::Reality(r) => {
                    q.kv("security", "reality").kv("pbk", &r.public_key).kv("sid", &r.short_id);
                    q.kv("sni", &r.server_name).kv("fp", r.fingerprint.map_or("chrome", |f| f.as_str()));
                }
                SecurityRef::Tls(t) => {
                    q.kv("allowInsecure", bit(t.allow_insecure));
                    q.opt("peer", t.server_name.as_deref()).opt("sni", t.server_name.as_deref());
                    q.opt("fp", t.fingerprint.map(|f| f.as_str()));
                }
                SecurityRef::None => {}
            }
            if !matches!(s.transport, Transport::Tcp { http: None }) {
                q.kv("type", s.transport.network());
            }
            transport_query(&mut q, &s.transport, false);
            name_into(out, &node.name);
        }
        ProtocolSettings::Shadowsocks(s) => {
            out.push_str("ss://");
            let userinfo = format!("{}:{}", s.cipher.as_str(), password);
            b64url_into(out, userinfo.as_bytes());
            out.push('@');
            host_port_into(out, &node.host, node.port);
            name_into(out, &node.name);
        }
        ProtocolSettings::Hysteria2(s) => {
            out.push_str("hysteria2://");
            pct_into(out, &password);
            out.push('@');
            host_port_into(out, &node.host, node.port);
            let mut q = Query::new(out);
            q.opt("sni", s.tls.server_name.as_deref()).kv("insecure", bit(s.tls.allow_insecure));
            if let Some(pw) = &s.obfs_password {
                q.kv("obfs", "salamander").kv("obfs-password", pw);
            }
            if let Some(range) = node.hop_ports {
                q.kv("mport", &range.to_string());
            }
            name_into(out, &node.name);
        }
        ProtocolSettings::Tuic(s) => {
            out.push_str("tuic://");
            pct_into(out, uuid);
            out.push(':');
            pct_into(out, &password);
            out.push('@');
            host_port_into(out, &node.host, node.port);
            let mut q = Query::new(out);
            q.opt("sni", s.tls.server_name.as_deref()).kv("alpn", "h3");
            q.kv("congestion_control", s.congestion_control.as_str());
            q.kv("udp-relay-mode", s.udp_relay_mode.as_str());
            if s.tls.allow_insecure {
                q.kv("insecure", "1");
            }
            name_into(out, &node.name);
        }
        ProtocolSettings::Anytls(s) => {
            out.push_str("anytls://");
            pct_into(out, &password);
            out.push('@');
            host_port_into(out, &node.host, node.port);
            let mut q = Query::new(out);
            q.opt("sni", s.tls.server_name.as_deref()).kv("insecure", bit(s.tls.allow_insecure));
            name_into(out, &node.name);
        }
        ProtocolSettings::Socks(_) => {
            out.push_str("socks://");
            b64_into(out, format!("{uuid}:{uuid}").as_bytes());
            out.push('@');
            host_port_into(out, &node.host, node.port);
            name_into(out, &node.name);
        }
        ProtocolSettings::Http(s) => {
            out.push_str("http://");
            b64_into(out, format!("{uuid}:{uuid}").as_bytes());
            out.push('@');
            host_port_into(out, &node.host, node.port);
            if let SecurityRef::Tls(t) = s.security.as_ref() {
                let mut q = Query::new(out);
                q.kv("security", "tls").opt("sni", t.server_name.as_deref());
                q.kv("allowInsecure", bit(t.allow_insecure));
            }
            name_into(out, &node.name);
        }
    }
}

fn security_name(sec: SecurityRef<'_>) -> &'static str {
    match sec {
        SecurityRef::None => "none",
        SecurityRef::Tls(_) => "tls",
        SecurityRef::Reality(_) => "reality",
    }
}

/// Transport keys shared by vless and trojan links.
fn transport_query(q: &mut Query<'_>, t: &Transport, header_type: bool) {
    match t {
        Transport::Tcp { http: None } => {}
        Transport::Tcp { http: Some(h) } => {
            if header_type {
                q.kv("headerType", "http");
            }
            q.kv("path", &h.path.join(","));
            if !h.host.is_empty() {
                q.kv("host", &h.host.join(","));
            }
        }
        Transport::Ws { path, host } | Transport::Httpupgrade { path, host } | Transport::Xhttp { path, host, .. } => {
            q.kv("path", path).opt("host", host.as_deref());
        }
        Transport::Grpc { service_name } => {
            q.kv("serviceName", service_name);
        }
    }
}

/// `vmess://` + Base64 of the v2rayN v2 JSON.
fn vmess(out: &mut String, node: &SubscriptionNode, uuid: &str, t: &Transport, sec: SecurityRef<'_>) {
    let mut doc = String::with_capacity(256);
    let mut j = Json::new(&mut doc);
    j.begin_obj().kstr("v", "2").kstr("ps", &node.name).kstr("add", &node.host);
    let mut port = String::new();
    let _ = write!(port, "{}", node.port);
    j.kstr("port", &port).kstr("id", uuid).kstr("aid", "0").kstr("scy", "auto").kstr("net", t.network());
    let (kind, host, path) = match t {
        Transport::Tcp { http: None } => ("none", String::new(), String::new()),
        Transport::Tcp { http: Some(h) } => ("http", h.host.first().cloned().unwrap_or_default(), h.path.join(",")),
        Transport::Ws { path, host } => ("none", host.clone().unwrap_or_default(), path.clone()),
        Transport::Grpc { service_name } => ("none", String::new(), service_name.clone()),
        Transport::Httpupgrade { path, host } | Transport::Xhttp { path, host, .. } => {
            ("none", host.clone().unwrap_or_else(|| node.host.clone()), path.clone())
        }
    };
    j.kstr("type", kind).kstr("host", &host).kstr("path", &path);
    if let Transport::Xhttp { mode, .. } = t {
        j.kstr("mode", mode.as_str());
    }
    match sec {
        SecurityRef::Tls(tls) => {
            j.kstr("tls", "tls");
            if let Some(sni) = &tls.server_name {
                j.kstr("sni", sni);
            }
            if let Some(fp) = tls.fingerprint {
                j.kstr("fp", fp.as_str());
            }
            if tls.allow_insecure {
                j.kstr("insecure", "1");
            }
        }
        _ => {
            j.kstr("tls", "");
        }
    }
    j.end_obj();
    out.push_str("vmess://");
    b64_into(out, doc.as_bytes());
}
