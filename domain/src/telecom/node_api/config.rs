//! `GET config`: one document per node client (WIRE-FORMATS A.4 and A.12b).
//!
//! Rules that agents enforce and this module therefore always keeps: integer literals,
//! `server_port` a number, REALITY `tls_settings.server_port` a string, objects never `null`,
//! camelCase `networkSettings` (plus identical snake-case `network_settings` for vless), a
//! `networkSettings` object even for trojan over plain tcp, no `xver`.

use serde::{Deserialize, Serialize};

use crate::telecom::json::Json;
use crate::telecom::model::{
    NodeClient, ProtocolSettings, RealitySettings, Route, RouteAction, SecurityRef, TlsSettings, Transport,
};

/// The `base_config` intervals (seconds), from `telecom.uni_proxy_sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseConfig {
    pub push_interval: u32,
    pub pull_interval: u32,
}

impl From<&crate::config::UniProxySyncConfig> for BaseConfig {
    fn from(c: &crate::config::UniProxySyncConfig) -> Self {
        let secs = |s: crate::config::Seconds| u32::try_from(s.0).unwrap_or(u32::MAX);
        BaseConfig { push_interval: secs(c.push_interval), pull_interval: secs(c.pull_interval) }
    }
}

/// Agents' default padding scheme for anytls (sent when the node sets none).
const ANYTLS_DEFAULT_PADDING: [&str; 8] = [
    "stop=8",
    "0=30-30",
    "1=100-400",
    "2=400-500,c,500-1000,c,500-1000,c,500-1000,c,500-1000",
    "3=9-9,500-1000",
    "4=500-1000",
    "5=500-1000",
    "6=500-1000",
];

/// Renders the `config` body for `client`; `server_address` is its server's public address.
pub fn render_config(client: &NodeClient, server_address: &str, base: BaseConfig) -> Vec<u8> {
    let mut out = String::with_capacity(512);
    let mut j = Json::new(&mut out);
    j.begin_obj();
    j.kstr("protocol", client.protocol().node_type()).kstr("listen_ip", "0.0.0.0");
    j.kuint("server_port", u64::from(client.port));
    match &client.settings {
        ProtocolSettings::Vmess(s) => {
            stream(&mut j, &s.transport, false);
            j.kuint("tls", u64::from(s.security.as_ref().level()));
            tls_settings(&mut j, s.security.as_ref());
        }
        ProtocolSettings::Vless(s) => {
            stream(&mut j, &s.transport, true);
            j.kstr("flow", s.flow.map(|f| f.as_str()).unwrap_or(""));
            j.kuint("tls", u64::from(s.security.as_ref().level()));
            tls_settings(&mut j, s.security.as_ref());
        }
        ProtocolSettings::Trojan(s) => {
            let sec = s.security.as_ref();
            j.kstr("host", sni(sec).unwrap_or(server_address));
            j.kstr("server_name", sni(sec).unwrap_or(server_address));
            stream(&mut j, &s.transport, false);
            j.kuint("tls", u64::from(sec.level()));
            tls_settings(&mut j, sec);
        }
        ProtocolSettings::Shadowsocks(s) => {
            j.kstr("cipher", s.cipher.as_str());
            if let Some(key) = &s.server_key {
                j.kstr("server_key", key);
            }
        }
        ProtocolSettings::Hysteria2(s) => {
            let name = s.tls.server_name.as_deref().unwrap_or(server_address);
            j.kuint("version", 2).kstr("host", server_address).kstr("server_name", name);
            tls_settings(&mut j, SecurityRef::Tls(&s.tls));
            j.kuint("up_mbps", u64::from(s.up_mbps)).kuint("down_mbps", u64::from(s.down_mbps));
            if let Some(pw) = &s.obfs_password {
                j.kstr("obfs", "salamander").kstr("obfs-password", pw);
            }
            j.kbool("ignore_client_bandwidth", s.up_mbps == 0 && s.down_mbps == 0);
            if let Some(range) = client.hop_ports {
                j.kbool("port_hop_enable", true).kstr("port_hop_ports", &range.to_string());
            }
        }
        ProtocolSettings::Tuic(s) => {
            j.kuint("version", 5).kstr("server_name", s.tls.server_name.as_deref().unwrap_or(server_address));
            tls_settings(&mut j, SecurityRef::Tls(&s.tls));
            j.kstr("congestion_control", s.congestion_control.as_str());
            j.kstr("udp_relay_mode", s.udp_relay_mode.as_str());
            j.kbool("zero_rtt_handshake", s.zero_rtt_handshake);
            j.kstr("heartbeat", "3s").kstr("auth_timeout", "3s");
        }
        ProtocolSettings::Anytls(s) => {
            j.kstr("server_name", s.tls.server_name.as_deref().unwrap_or(server_address));
            tls_settings(&mut j, SecurityRef::Tls(&s.tls));
            if s.padding_scheme.is_empty() {
                j.kstrs("padding_scheme", &ANYTLS_DEFAULT_PADDING);
            } else {
                j.kstrs("padding_scheme", &s.padding_scheme);
            }
        }
        ProtocolSettings::Socks(s) | ProtocolSettings::Http(s) => {
            j.kuint("tls", u64::from(s.security.as_ref().level()));
            tls_settings(&mut j, s.security.as_ref());
        }
    }
    j.key("base_config").begin_obj();
    j.kuint("push_interval", u64::from(base.push_interval)).kuint("pull_interval", u64::from(base.pull_interval));
    j.end_obj();
    routes(&mut j, &client.routes);
    j.end_obj();
    out.into_bytes()
}

fn sni<'a>(sec: SecurityRef<'a>) -> Option<&'a str> {
    match sec {
        SecurityRef::None => None,
        SecurityRef::Tls(t) => t.server_name.as_deref(),
        SecurityRef::Reality(r) => Some(&r.server_name),
    }
}

/// `network` and `networkSettings` (and `network_settings` when `snake_too`).
fn stream(j: &mut Json<'_>, t: &Transport, snake_too: bool) {
    j.kstr("network", t.network());
    j.key("networkSettings");
    network_settings(j, t);
    if snake_too {
        j.key("network_settings");
        network_settings(j, t);
    }
}

fn network_settings(j: &mut Json<'_>, t: &Transport) {
    j.begin_obj();
    match t {
        Transport::Tcp { http: None } => {}
        Transport::Tcp { http: Some(h) } => {
            j.key("header").begin_obj().kstr("type", "http");
            j.key("request").begin_obj().kstrs("path", &h.path);
            j.key("headers").begin_obj();
            if !h.host.is_empty() {
                j.kstrs("Host", &h.host);
            }
            j.end_obj().end_obj().end_obj();
        }
        Transport::Ws { path, host } => {
            j.kstr("path", path);
            if let Some(h) = host {
                j.key("headers").begin_obj().kstr("Host", h).end_obj();
            }
        }
        Transport::Grpc { service_name } => {
            j.kstr("serviceName", service_name);
        }
        Transport::Httpupgrade { path, host } => {
            j.kstr("path", path);
            if let Some(h) = host {
                j.kstr("host", h);
            }
        }
        Transport::Xhttp { path, host, mode } => {
            j.kstr("path", path);
            if let Some(h) = host {
                j.kstr("host", h);
            }
            j.kstr("mode", mode.as_str());
        }
    }
    j.end_obj();
}

/// `tls_settings`, always an object (`{}` without TLS).
fn tls_settings(j: &mut Json<'_>, sec: SecurityRef<'_>) {
    j.key("tls_settings").begin_obj();
    match sec {
        SecurityRef::None => {}
        SecurityRef::Tls(t) => tls_keys(j, t),
        SecurityRef::Reality(r) => reality_keys(j, r),
    }
    j.end_obj();
}

fn tls_keys(j: &mut Json<'_>, t: &TlsSettings) {
    if let Some(name) = &t.server_name {
        j.kstr("server_name", name);
    }
    j.kbool("allow_insecure", t.allow_insecure);
}

fn reality_keys(j: &mut Json<'_>, r: &RealitySettings) {
    j.kstr("server_name", &r.server_name);
    j.kstr("dest", r.dest.as_deref().unwrap_or(&r.server_name));
    j.kstr("server_port", &r.server_port.to_string());
    j.kstr("public_key", &r.public_key).kstr("private_key", &r.private_key).kstr("short_id", &r.short_id);
    j.kbool("allow_insecure", false);
}

fn routes(j: &mut Json<'_>, routes: &[Route]) {
    j.key("routes").begin_arr();
    for r in routes {
        j.begin_obj().kuint("id", u64::from(r.id)).kstrs("match", &r.matches);
        match &r.action {
            RouteAction::Block => j.kstr("action", "block"),
            RouteAction::Direct => j.kstr("action", "direct"),
            RouteAction::Proxy => j.kstr("action", "proxy"),
            RouteAction::Dns { server } => j.kstr("action", "dns").kstr("action_value", server),
        };
        j.end_obj();
    }
    j.end_arr();
}
