//! sing-box JSON (B.6) in three syntax families chosen by the core version in the UA:
//! below 1.11 legacy `block`/`dns` outbounds; 1.11 rule actions with legacy DNS servers;
//! 1.12 and later (and unknown versions) rule actions with typed DNS servers. Below 1.10 the
//! tun inbound uses `inet4_address`/`inet6_address`.

use super::Ctx;
use super::detect::Version;
use super::view::SubscriptionNode;
use crate::telecom::json::Json;
use crate::telecom::model::{ProtocolSettings, SecurityRef, TlsSettings, Transport};

const SELECT: &str = "节点选择";
const AUTO: &str = "自动选择";
const RULE_SETS: [(&str, &str); 2] = [
    ("geosite-cn", "https://raw.githubusercontent.com/SagerNet/sing-geosite/rule-set/geosite-cn.srs"),
    ("geoip-cn", "https://raw.githubusercontent.com/SagerNet/sing-geoip/rule-set/geoip-cn.srs"),
];

#[derive(Clone, Copy)]
struct Syntax {
    rule_actions: bool,
    typed_dns: bool,
    tun_address_list: bool,
    port_hopping: bool,
}

fn syntax(version: Option<Version>) -> Syntax {
    let at_least = |m: u32| version.is_none_or(|v| v >= Version(1, m, 0));
    Syntax {
        rule_actions: at_least(11),
        typed_dns: at_least(12),
        tun_address_list: at_least(10),
        port_hopping: at_least(11),
    }
}

pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<u8> {
    let sx = syntax(ctx.client.version);
    let mut out = String::with_capacity(2048 + ctx.nodes.len() * 320);
    let mut j = Json::new(&mut out);
    let has_nodes = !ctx.nodes.is_empty();
    let detour = if has_nodes { AUTO } else { "direct" };
    j.begin_obj();
    j.key("log").begin_obj().kstr("level", "info").kbool("timestamp", true).end_obj();
    dns(&mut j, sx);
    inbounds(&mut j, sx);

    j.key("outbounds").begin_arr();
    j.begin_obj().kstr("tag", SELECT).kstr("type", "selector");
    j.kstr("default", if has_nodes { AUTO } else { "direct" }).key("outbounds").begin_arr();
    if has_nodes {
        j.str(AUTO);
    }
    for n in &ctx.nodes {
        j.str(&n.name);
    }
    j.str("direct").end_arr().end_obj();
    if has_nodes {
        j.begin_obj().kstr("tag", AUTO).kstr("type", "urltest").key("outbounds").begin_arr();
        for n in &ctx.nodes {
            j.str(&n.name);
        }
        j.end_arr().end_obj();
    }
    for n in &ctx.nodes {
        outbound(&mut j, ctx, n, sx);
    }
    j.begin_obj().kstr("tag", "direct").kstr("type", "direct").end_obj();
    if !sx.rule_actions {
        j.begin_obj().kstr("tag", "block").kstr("type", "block").end_obj();
        j.begin_obj().kstr("tag", "dns-out").kstr("type", "dns").end_obj();
    }
    j.end_arr();

    j.key("route").begin_obj().key("rules").begin_arr();
    if sx.rule_actions {
        j.begin_obj().kstr("action", "sniff").end_obj();
        j.begin_obj().kstr("protocol", "dns").kstr("action", "hijack-dns").end_obj();
    } else {
        j.begin_obj().kstr("protocol", "dns").kstr("outbound", "dns-out").end_obj();
    }
    j.begin_obj().kstr("clash_mode", "direct").kstr("outbound", "direct").end_obj();
    j.begin_obj().kstr("clash_mode", "global").kstr("outbound", SELECT).end_obj();
    j.begin_obj().kbool("ip_is_private", true).kstr("outbound", "direct").end_obj();
    j.begin_obj().kstrs("rule_set", &["geosite-cn", "geoip-cn"]).kstr("outbound", "direct").end_obj();
    j.end_arr();
    j.key("rule_set").begin_arr();
    for (tag, url) in RULE_SETS {
        j.begin_obj().kstr("tag", tag).kstr("type", "remote").kstr("format", "binary").kstr("url", url);
        j.kstr("download_detour", detour).end_obj();
    }
    j.end_arr();
    j.kstr("final", SELECT).kbool("auto_detect_interface", true);
    if sx.typed_dns {
        j.kstr("default_domain_resolver", "local");
    }
    j.end_obj();

    j.key("experimental").begin_obj();
    j.key("cache_file").begin_obj().kbool("enabled", true).end_obj();
    j.key("clash_api").begin_obj().kstr("external_controller", "127.0.0.1:9090").end_obj();
    j.end_obj();
    j.end_obj();
    out.into_bytes()
}

fn dns(j: &mut Json<'_>, sx: Syntax) {
    j.key("dns").begin_obj().key("servers").begin_arr();
    if sx.typed_dns {
        j.begin_obj()
            .kstr("tag", "remote")
            .kstr("type", "tls")
            .kstr("server", "8.8.8.8")
            .kstr("detour", SELECT)
            .end_obj();
        j.begin_obj().kstr("tag", "local").kstr("type", "https").kstr("server", "223.5.5.5").end_obj();
    } else {
        j.begin_obj().kstr("tag", "remote").kstr("address", "tls://8.8.8.8").kstr("detour", SELECT).end_obj();
        j.begin_obj().kstr("tag", "local").kstr("address", "https://223.5.5.5/dns-query").kstr("detour", "direct");
        j.end_obj();
    }
    j.end_arr().key("rules").begin_arr();
    j.begin_obj().kstr("clash_mode", "direct").kstr("server", "local").end_obj();
    j.begin_obj().kstr("clash_mode", "global").kstr("server", "remote").end_obj();
    j.begin_obj().kstr("rule_set", "geosite-cn").kstr("server", "local").end_obj();
    j.end_arr().kstr("final", "remote").end_obj();
}

fn inbounds(j: &mut Json<'_>, sx: Syntax) {
    j.key("inbounds").begin_arr();
    j.begin_obj().kstr("type", "tun").kstr("tag", "tun-in");
    if sx.tun_address_list {
        j.kstrs("address", &["172.19.0.1/30", "fdfe:dcba:9876::1/126"]);
    } else {
        j.kstr("inet4_address", "172.19.0.1/30").kstr("inet6_address", "fdfe:dcba:9876::1/126");
    }
    j.kbool("auto_route", true).kbool("strict_route", true).kstr("stack", "mixed");
    if !sx.rule_actions {
        j.kbool("sniff", true);
    }
    j.end_obj();
    j.begin_obj().kstr("type", "mixed").kstr("tag", "mixed-in").kstr("listen", "127.0.0.1").kuint("listen_port", 2080);
    if !sx.rule_actions {
        j.kbool("sniff", true);
    }
    j.end_obj();
    j.end_arr();
}

fn outbound(j: &mut Json<'_>, ctx: &Ctx<'_>, node: &SubscriptionNode, sx: Syntax) {
    let uuid = ctx.uuid.as_str();
    let password = node.password(uuid);
    let kind = match &node.settings {
        ProtocolSettings::Shadowsocks(_) => "shadowsocks",
        ProtocolSettings::Vmess(_) => "vmess",
        ProtocolSettings::Vless(_) => "vless",
        ProtocolSettings::Trojan(_) => "trojan",
        ProtocolSettings::Hysteria2(_) => "hysteria2",
        ProtocolSettings::Tuic(_) => "tuic",
        ProtocolSettings::Anytls(_) => "anytls",
        ProtocolSettings::Socks(_) => "socks",
        ProtocolSettings::Http(_) => "http",
    };
    j.begin_obj().kstr("tag", &node.name).kstr("type", kind).kstr("server", &node.host);
    j.kuint("server_port", u64::from(node.port));
    match &node.settings {
        ProtocolSettings::Shadowsocks(s) => {
            j.kstr("method", s.cipher.as_str()).kstr("password", &password);
        }
        ProtocolSettings::Vmess(s) => {
            j.kstr("uuid", uuid).kstr("security", "auto").kuint("alter_id", 0);
            tls(j, s.security.as_ref(), &[]);
            transport(j, &s.transport);
        }
        ProtocolSettings::Vless(s) => {
            j.kstr("uuid", uuid).kstr("packet_encoding", "xudp");
            if let Some(flow) = s.flow {
                j.kstr("flow", flow.as_str());
            }
            tls(j, s.security.as_ref(), &[]);
            transport(j, &s.transport);
        }
        ProtocolSettings::Trojan(s) => {
            j.kstr("password", &password);
            tls(j, s.security.as_ref(), &[]);
            transport(j, &s.transport);
        }
        ProtocolSettings::Hysteria2(s) => {
            if sx.port_hopping
                && let Some(range) = node.hop_ports
            {
                j.kstrs("server_ports", &[format!("{}:{}", range.start, range.end)]);
                j.kstr("hop_interval", &format!("{}s", s.hop_interval_secs.unwrap_or(30)));
            }
            j.kstr("password", &password);
            if s.up_mbps > 0 {
                j.kuint("up_mbps", u64::from(s.up_mbps));
            }
            if s.down_mbps > 0 {
                j.kuint("down_mbps", u64::from(s.down_mbps));
            }
            if let Some(pw) = &s.obfs_password {
                j.key("obfs").begin_obj().kstr("type", "salamander").kstr("password", pw).end_obj();
            }
            tls(j, SecurityRef::Tls(&s.tls), &["h3"]);
        }
        ProtocolSettings::Tuic(s) => {
            j.kstr("uuid", uuid).kstr("password", &password);
            j.kstr("congestion_control", s.congestion_control.as_str())
                .kstr("udp_relay_mode", s.udp_relay_mode.as_str());
            j.kbool("zero_rtt_handshake", s.zero_rtt_handshake).kstr("heartbeat", "10s");
            tls(j, SecurityRef::Tls(&s.tls), &["h3"]);
        }
        ProtocolSettings::Anytls(s) => {
            j.kstr("password", &password);
            tls(j, SecurityRef::Tls(&s.tls), &[]);
        }
        ProtocolSettings::Socks(_) => {
            j.kstr("version", "5").kstr("username", uuid).kstr("password", uuid);
        }
        ProtocolSettings::Http(s) => {
            j.kstr("username", uuid).kstr("password", uuid);
            tls(j, s.security.as_ref(), &[]);
        }
    }
    j.end_obj();
}

/// `tls{…}`; `default_alpn` applies when the node configures none (tuic/hysteria2: h3).
fn tls(j: &mut Json<'_>, sec: SecurityRef<'_>, default_alpn: &[&str]) {
    match sec {
        SecurityRef::None => {}
        SecurityRef::Tls(t) => {
            j.key("tls").begin_obj().kbool("enabled", true);
            tls_common(j, t, default_alpn);
            j.end_obj();
        }
        SecurityRef::Reality(r) => {
            j.key("tls").begin_obj().kbool("enabled", true).kstr("server_name", &r.server_name);
            j.key("utls").begin_obj().kbool("enabled", true);
            j.kstr("fingerprint", r.fingerprint.map_or("chrome", |f| f.as_str())).end_obj();
            j.key("reality").begin_obj().kbool("enabled", true).kstr("public_key", &r.public_key);
            j.kstr("short_id", &r.short_id).end_obj();
            j.end_obj();
        }
    }
}

fn tls_common(j: &mut Json<'_>, t: &TlsSettings, default_alpn: &[&str]) {
    if let Some(name) = &t.server_name {
        j.kstr("server_name", name);
    }
    if t.allow_insecure {
        j.kbool("insecure", true);
    }
    if !t.alpn.is_empty() {
        j.kstrs("alpn", &t.alpn);
    } else if !default_alpn.is_empty() {
        j.kstrs("alpn", default_alpn);
    }
    if let Some(fp) = t.fingerprint {
        j.key("utls").begin_obj().kbool("enabled", true).kstr("fingerprint", fp.as_str()).end_obj();
    }
}

fn transport(j: &mut Json<'_>, t: &Transport) {
    match t {
        Transport::Tcp { .. } | Transport::Xhttp { .. } => {}
        Transport::Ws { path, host } => {
            j.key("transport").begin_obj().kstr("type", "ws").kstr("path", path);
            if let Some(h) = host {
                j.key("headers").begin_obj().kstr("Host", h).end_obj();
            }
            j.kuint("max_early_data", 0).end_obj();
        }
        Transport::Grpc { service_name } => {
            j.key("transport").begin_obj().kstr("type", "grpc").kstr("service_name", service_name).end_obj();
        }
        Transport::Httpupgrade { path, host } => {
            j.key("transport").begin_obj().kstr("type", "httpupgrade").kstr("path", path);
            if let Some(h) = host {
                j.kstr("host", h);
            }
            j.end_obj();
        }
    }
}
