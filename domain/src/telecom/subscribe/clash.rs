//! Clash, Clash.Meta (mihomo) and Stash YAML (B.5). Proxies and groups are written as flow
//! maps in JSON syntax (valid YAML 1.2), which keeps quoting exact for any node name.

use super::Ctx;
use super::detect::ClientKind;
use super::view::SubscriptionNode;
use crate::telecom::encode::yaml_str_into;
use crate::telecom::json::Json;
use crate::telecom::model::{ProtocolSettings, SecurityRef, TlsSettings, Transport, VlessFlow};

const AUTO: &str = "自动选择";
const FALLBACK: &str = "故障转移";
const PROBE_URL: &str = "http://www.gstatic.com/generate_204";

const HEAD: &str = "mixed-port: 7890
allow-lan: true
bind-address: \"*\"
mode: rule
log-level: info
external-controller: 127.0.0.1:9090
dns:
  enable: true
  ipv6: false
  enhanced-mode: fake-ip
  fake-ip-range: 198.18.0.1/16
  default-nameserver:
    - 223.5.5.5
    - 119.29.29.29
  nameserver:
    - https://doh.pub/dns-query
    - https://dns.alidns.com/dns-query
  fake-ip-filter:
    - \"*.lan\"
    - \"+.local\"
";

pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<u8> {
    let mut out = String::with_capacity(1024 + ctx.nodes.len() * 320);
    out.push_str(HEAD);
    out.push_str("proxies:\n");
    for node in &ctx.nodes {
        out.push_str("  - ");
        proxy(&mut out, ctx, node);
        out.push('\n');
    }
    if ctx.nodes.is_empty() {
        out.truncate(out.len() - 1);
        out.push_str(" []\n");
    }
    out.push_str("proxy-groups:\n");
    // The site name becomes a group name and a rule target, where a comma would split the rule.
    let app_owned = ctx.opts.app_name.replace(',', " ");
    let app = app_owned.as_str();
    let with_nodes = !ctx.nodes.is_empty();
    out.push_str("  - ");
    {
        let mut j = Json::new(&mut out);
        j.begin_obj().kstr("name", app).kstr("type", "select").key("proxies").begin_arr();
        if with_nodes {
            j.str(AUTO).str(FALLBACK);
        }
        j.str("DIRECT");
        for n in &ctx.nodes {
            j.str(&n.name);
        }
        j.end_arr().end_obj();
    }
    out.push('\n');
    if with_nodes {
        for (name, kind) in [(AUTO, "url-test"), (FALLBACK, "fallback")] {
            out.push_str("  - ");
            let mut j = Json::new(&mut out);
            j.begin_obj().kstr("name", name).kstr("type", kind).kstr("url", PROBE_URL).kuint("interval", 300);
            if kind == "url-test" {
                j.kuint("tolerance", 50);
            }
            j.key("proxies").begin_arr();
            for n in &ctx.nodes {
                j.str(&n.name);
            }
            j.end_arr().end_obj();
            out.push('\n');
        }
    }
    out.push_str("rules:\n  - ");
    let host = ctx.opts.request_host.rsplit_once(':').map_or(ctx.opts.request_host, |(h, _)| h);
    yaml_str_into(&mut out, &format!("DOMAIN,{host},DIRECT"));
    out.push_str("\n  - GEOIP,CN,DIRECT\n  - ");
    yaml_str_into(&mut out, &format!("MATCH,{app}"));
    out.push('\n');
    out.into_bytes()
}

fn proxy(out: &mut String, ctx: &Ctx<'_>, node: &SubscriptionNode) {
    let stash = ctx.client.kind == ClientKind::Stash;
    let uuid = ctx.uuid.as_str();
    let password = node.password(uuid);
    let mut j = Json::new(out);
    j.begin_obj().kstr("name", &node.name);
    let kind = match &node.settings {
        ProtocolSettings::Shadowsocks(_) => "ss",
        ProtocolSettings::Vmess(_) => "vmess",
        ProtocolSettings::Vless(_) => "vless",
        ProtocolSettings::Trojan(_) => "trojan",
        ProtocolSettings::Hysteria2(_) => "hysteria2",
        ProtocolSettings::Tuic(_) => "tuic",
        ProtocolSettings::Anytls(_) => "anytls",
        ProtocolSettings::Socks(_) => "socks5",
        ProtocolSettings::Http(_) => "http",
    };
    j.kstr("type", kind).kstr("server", &node.host).kuint("port", u64::from(node.port));
    match &node.settings {
        ProtocolSettings::Shadowsocks(s) => {
            j.kstr("cipher", s.cipher.as_str()).kstr("password", &password).kbool("udp", true);
        }
        ProtocolSettings::Vmess(s) => {
            j.kstr("uuid", uuid).kuint("alterId", 0).kstr("cipher", "auto").kbool("udp", true);
            tls(&mut j, s.security.as_ref(), "servername");
            transport(&mut j, &s.transport);
        }
        ProtocolSettings::Vless(s) => {
            let sec = s.security.as_ref();
            j.kstr("uuid", uuid).kbool("udp", true);
            if let Some(flow) = s.flow
                && (!stash || matches!(sec, SecurityRef::Reality(_)) || flow != VlessFlow::XtlsRprxVision)
            {
                j.kstr("flow", flow.as_str());
            }
            tls(&mut j, sec, "servername");
            transport(&mut j, &s.transport);
        }
        ProtocolSettings::Trojan(s) => {
            j.kstr("password", &password).kbool("udp", true);
            tls(&mut j, s.security.as_ref(), "sni");
            transport(&mut j, &s.transport);
        }
        ProtocolSettings::Hysteria2(s) => {
            if let Some(range) = node.hop_ports {
                j.kstr("ports", &range.to_string());
                if let Some(secs) = s.hop_interval_secs {
                    j.kuint("hop-interval", u64::from(secs));
                }
            }
            if stash {
                j.kstr("auth", &password).kbool("fast-open", true);
                speeds(&mut j, s.up_mbps, s.down_mbps, "up-speed", "down-speed");
            } else {
                j.kstr("password", &password);
                speeds(&mut j, s.up_mbps, s.down_mbps, "up", "down");
            }
            if let Some(pw) = &s.obfs_password {
                j.kstr("obfs", "salamander").kstr("obfs-password", pw);
            }
            tls_keys(&mut j, &s.tls, "sni");
        }
        ProtocolSettings::Tuic(s) => {
            j.kstr("uuid", uuid).kstr("password", &password).kbool("udp", true);
            tls_keys(&mut j, &s.tls, "sni");
            j.kstrs("alpn", &["h3"]);
            j.kstr("congestion-controller", s.congestion_control.as_str());
            j.kstr("udp-relay-mode", s.udp_relay_mode.as_str()).kbool("reduce-rtt", s.zero_rtt_handshake);
            if stash {
                j.kuint("version", 5).kbool("fast-open", true).kuint("heartbeat-interval", 10000);
                j.kuint("request-timeout", 8000).kuint("max-udp-relay-packet-size", 1500);
            }
        }
        ProtocolSettings::Anytls(s) => {
            j.kstr("password", &password).kbool("udp", true);
            tls_keys(&mut j, &s.tls, "sni");
            if !s.tls.alpn.is_empty() {
                j.kstrs("alpn", &s.tls.alpn);
            }
        }
        ProtocolSettings::Socks(s) | ProtocolSettings::Http(s) => {
            j.kstr("username", uuid).kstr("password", uuid);
            if matches!(node.settings, ProtocolSettings::Socks(_)) {
                j.kbool("udp", true);
            }
            tls(&mut j, s.security.as_ref(), "sni");
        }
    }
    j.end_obj();
}

fn speeds(j: &mut Json<'_>, up: u32, down: u32, up_key: &str, down_key: &str) {
    if up > 0 {
        j.kuint(up_key, u64::from(up));
    }
    if down > 0 {
        j.kuint(down_key, u64::from(down));
    }
}

fn tls_keys(j: &mut Json<'_>, t: &TlsSettings, sni_key: &str) {
    if let Some(name) = &t.server_name {
        j.kstr(sni_key, name);
    }
    j.kbool("skip-cert-verify", t.allow_insecure);
    if let Some(fp) = t.fingerprint {
        j.kstr("client-fingerprint", fp.as_str());
    }
}

/// `tls: true` and the TLS/REALITY keys (mihomo ignores `tls` where TLS is implicit).
fn tls(j: &mut Json<'_>, sec: SecurityRef<'_>, sni_key: &str) {
    match sec {
        SecurityRef::None => {}
        SecurityRef::Tls(t) => {
            j.kbool("tls", true);
            tls_keys(j, t, sni_key);
        }
        SecurityRef::Reality(r) => {
            j.kbool("tls", true).kstr(sni_key, &r.server_name);
            j.kstr("client-fingerprint", r.fingerprint.map_or("chrome", |f| f.as_str()));
            j.key("reality-opts").begin_obj().kstr("public-key", &r.public_key).kstr("short-id", &r.short_id).end_obj();
        }
    }
}

fn transport(j: &mut Json<'_>, t: &Transport) {
    match t {
        Transport::Tcp { http: None } => {
            j.kstr("network", "tcp");
        }
        Transport::Tcp { http: Some(h) } => {
            j.kstr("network", "http").key("http-opts").begin_obj().kstr("method", "GET").kstrs("path", &h.path);
            if !h.host.is_empty() {
                j.key("headers").begin_obj().kstrs("Host", &h.host).end_obj();
            }
            j.end_obj();
        }
        Transport::Ws { path, host } | Transport::Httpupgrade { path, host } => {
            j.kstr("network", "ws").key("ws-opts").begin_obj().kstr("path", path);
            if let Some(h) = host {
                j.key("headers").begin_obj().kstr("Host", h).end_obj();
            }
            if matches!(t, Transport::Httpupgrade { .. }) {
                j.kbool("v2ray-http-upgrade", true);
            }
            j.end_obj();
        }
        Transport::Grpc { service_name } => {
            j.kstr("network", "grpc").key("grpc-opts").begin_obj().kstr("grpc-service-name", service_name).end_obj();
        }
        Transport::Xhttp { path, host, mode } => {
            j.kstr("network", "xhttp").key("xhttp-opts").begin_obj().kstr("path", path);
            if let Some(h) = host {
                j.kstr("host", h);
            }
            j.kstr("mode", mode.as_str()).end_obj();
        }
    }
}
