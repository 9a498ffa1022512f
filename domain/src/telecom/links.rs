//! Share-link parser written from WIRE-FORMATS B.4, independent of the formatter in
//! `subscribe::share`. Used to round-trip every link Helium emits (and usable to import
//! nodes from links).

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde_json::Value;

use super::model::*;
use super::subscribe::SubscriptionNode;

/// A parsed link: the node as far as the link describes it, and the client credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLink {
    pub node: SubscriptionNode,
    /// UUID (vmess/vless/tuic) or user name (socks/http); empty where the link has none.
    pub user: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid share link: {0}")]
pub struct LinkError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, LinkError> {
    Err(LinkError(msg.into()))
}

/// Parses one `scheme://…` share link.
pub fn parse_link(link: &str) -> Result<ParsedLink, LinkError> {
    let link = link.trim();
    let Some((scheme, rest)) = link.split_once("://") else { return err("missing scheme") };
    match scheme.to_ascii_lowercase().as_str() {
        "vmess" => vmess(rest),
        "vless" | "trojan" | "hysteria2" | "hy2" | "tuic" | "anytls" | "ss" | "socks" | "http" => {
            let url = Url::parse(rest)?;
            match scheme.to_ascii_lowercase().as_str() {
                "vless" => vless(url),
                "trojan" => trojan(url),
                "ss" => shadowsocks(url),
                "tuic" => tuic(url),
                "anytls" => anytls(url),
                "socks" | "http" => plain(url, scheme == "http"),
                _ => hysteria2(url),
            }
        }
        other => err(format!("unknown scheme {other}")),
    }
}

/// `userinfo@host:port?query#fragment`, decoded.
struct Url {
    userinfo: String,
    host: String,
    port: u16,
    query: Vec<(String, String)>,
    name: String,
}

impl Url {
    fn parse(rest: &str) -> Result<Url, LinkError> {
        let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (userinfo, hostport) = rest.rsplit_once('@').unwrap_or(("", rest));
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let Some((h, p)) = v6.split_once("]:") else { return err("bad IPv6 host") };
            (h, p)
        } else {
            let Some(hp) = hostport.rsplit_once(':') else { return err("missing port") };
            hp
        };
        let Ok(port) = port.parse::<u16>() else { return err("bad port") };
        if host.is_empty() || port == 0 {
            return err("missing host or port");
        }
        let query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                Ok((decode(k, true)?, decode(v, true)?))
            })
            .collect::<Result<Vec<_>, LinkError>>()?;
        Ok(Url {
            userinfo: decode(userinfo, false)?,
            host: host.to_owned(),
            port,
            query,
            name: decode(fragment, false)?,
        })
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("1" | "true"))
    }

    fn node(&self, settings: ProtocolSettings) -> SubscriptionNode {
        SubscriptionNode {
            name: self.name.clone(),
            host: self.host.clone(),
            port: self.port,
            hop_ports: None,
            rate: Rate::ONE,
            tags: Vec::new(),
            settings,
        }
    }
}

/// Percent-decoding; `form` also turns `+` into a space (query strings are form-encoded).
fn decode(s: &str, form: bool) -> Result<String, LinkError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
                let Some(b) = hex else { return err("bad percent-escape") };
                out.push(b);
                i += 3;
            }
            b'+' if form => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| LinkError("not UTF-8".into()))
}

/// Base64 in any of the alphabets and paddings links use.
fn unbase64(s: &str) -> Result<String, LinkError> {
    const LENIENT: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let std = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
    let url = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);
    let bytes = std
        .decode(s)
        .or_else(|_| url.decode(s))
        .or_else(|_| STANDARD_NO_PAD.decode(s))
        .or_else(|_| URL_SAFE_NO_PAD.decode(s))
        .map_err(|_| LinkError("bad base64".into()))?;
    String::from_utf8(bytes).map_err(|_| LinkError("not UTF-8".into()))
}

fn fingerprint(s: Option<&str>) -> Option<Fingerprint> {
    Some(match s? {
        "chrome" => Fingerprint::Chrome,
        "firefox" => Fingerprint::Firefox,
        "safari" => Fingerprint::Safari,
        "ios" => Fingerprint::Ios,
        "edge" => Fingerprint::Edge,
        "random" => Fingerprint::Random,
        _ => return None,
    })
}

fn split_list(s: Option<&str>) -> Vec<String> {
    s.map(|v| v.split(',').filter(|p| !p.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
}

fn xhttp_mode(s: Option<&str>) -> XhttpMode {
    match s {
        Some("packet-up") => XhttpMode::PacketUp,
        Some("stream-up") => XhttpMode::StreamUp,
        Some("stream-one") => XhttpMode::StreamOne,
        _ => XhttpMode::Auto,
    }
}

/// Transport from `type` and its keys (vless and trojan links).
fn transport(u: &Url) -> Result<Transport, LinkError> {
    let path = || u.get("path").unwrap_or("/").to_owned();
    let host = || u.get("host").map(str::to_owned);
    Ok(match u.get("type").unwrap_or("tcp") {
        "tcp" | "raw" if u.get("headerType") == Some("http") => Transport::Tcp {
            http: Some(TcpHttpHeader { path: split_list(u.get("path")), host: split_list(u.get("host")) }),
        },
        "tcp" | "raw" => Transport::plain_tcp(),
        "ws" => Transport::Ws { path: path(), host: host() },
        "grpc" => Transport::Grpc { service_name: u.get("serviceName").unwrap_or_default().to_owned() },
        "httpupgrade" => Transport::Httpupgrade { path: path(), host: host() },
        "xhttp" | "splithttp" => Transport::Xhttp { path: path(), host: host(), mode: xhttp_mode(u.get("mode")) },
        other => return err(format!("unsupported transport {other}")),
    })
}

fn tls_from(u: &Url, insecure_key: &str) -> TlsSettings {
    TlsSettings {
        server_name: u.get("sni").or_else(|| u.get("peer")).map(str::to_owned),
        allow_insecure: u.flag(insecure_key),
        fingerprint: fingerprint(u.get("fp")),
        alpn: Vec::new(),
    }
}

fn reality_from(u: &Url) -> Security {
    Security::Reality(RealitySettings {
        server_name: u.get("sni").or_else(|| u.get("servername")).unwrap_or_default().to_owned(),
        dest: None,
        server_port: 443,
        private_key: String::new(),
        public_key: u.get("pbk").unwrap_or_default().to_owned(),
        short_id: u.get("sid").unwrap_or_default().to_owned(),
        fingerprint: fingerprint(u.get("fp")),
    })
}

fn vless(u: Url) -> Result<ParsedLink, LinkError> {
    let security = match u.get("security").unwrap_or("none") {
        "none" => Security::None,
        "tls" => Security::Tls(tls_from(&u, "allowInsecure")),
        "reality" => reality_from(&u),
        other => return err(format!("unknown security {other}")),
    };
    let flow = match u.get("flow") {
        None => None,
        Some("xtls-rprx-vision") => Some(VlessFlow::XtlsRprxVision),
        Some(other) => return err(format!("unknown flow {other}")),
    };
    let settings = ProtocolSettings::Vless(VlessSettings { transport: transport(&u)?, security, flow });
    Ok(ParsedLink { node: u.node(settings), user: u.userinfo.clone(), password: String::new() })
}

fn trojan(u: Url) -> Result<ParsedLink, LinkError> {
    let security = if u.get("security") == Some("reality") {
        reality_from(&u)
    } else {
        Security::Tls(tls_from(&u, "allowInsecure"))
    };
    let settings = ProtocolSettings::Trojan(TrojanSettings { transport: transport(&u)?, security });
    Ok(ParsedLink { node: u.node(settings), user: String::new(), password: u.userinfo.clone() })
}

fn shadowsocks(u: Url) -> Result<ParsedLink, LinkError> {
    // SIP002: Base64URL(`method:password`), or plain percent-encoded `method:password`.
    let plain = if u.userinfo.contains(':') { u.userinfo.clone() } else { unbase64(&u.userinfo)? };
    let Some((method, password)) = plain.split_once(':') else { return err("ss userinfo without ':'") };
    let Some(cipher) = SsCipher::parse(method) else { return err(format!("unknown cipher {method}")) };
    let server_key = cipher.is_2022().then(|| password.split(':').next().unwrap_or_default().to_owned());
    let settings = ProtocolSettings::Shadowsocks(ShadowsocksSettings { cipher, server_key });
    Ok(ParsedLink { node: u.node(settings), user: String::new(), password: password.to_owned() })
}

fn hysteria2(u: Url) -> Result<ParsedLink, LinkError> {
    let obfs_password = match u.get("obfs") {
        Some("salamander") => u.get("obfs-password").map(str::to_owned),
        None | Some("none") => None,
        Some(other) => return err(format!("unknown obfs {other}")),
    };
    let tls = TlsSettings { fingerprint: None, ..tls_from(&u, "insecure") };
    let settings = ProtocolSettings::Hysteria2(Hysteria2Settings {
        tls,
        up_mbps: 0,
        down_mbps: 0,
        obfs_password,
        hop_interval_secs: None,
    });
    let mut node = u.node(settings);
    if let Some(m) = u.get("mport") {
        let Some((a, b)) = m.split_once('-') else { return err("bad mport") };
        let (Ok(start), Ok(end)) = (a.parse(), b.parse()) else { return err("bad mport") };
        node.hop_ports = Some(PortRange { start, end });
    }
    Ok(ParsedLink { node, user: String::new(), password: u.userinfo.clone() })
}

fn tuic(u: Url) -> Result<ParsedLink, LinkError> {
    let Some((user, password)) = u.userinfo.split_once(':') else { return err("tuic needs uuid:password") };
    if u.get("alpn") != Some("h3") {
        return err("tuic links carry alpn=h3");
    }
    let congestion_control = match u.get("congestion_control").unwrap_or("cubic") {
        "cubic" => TuicCongestion::Cubic,
        "new_reno" => TuicCongestion::NewReno,
        "bbr" => TuicCongestion::Bbr,
        other => return err(format!("unknown congestion control {other}")),
    };
    let udp_relay_mode = match u.get("udp-relay-mode").unwrap_or("native") {
        "native" => TuicUdpRelayMode::Native,
        "quic" => TuicUdpRelayMode::Quic,
        other => return err(format!("unknown udp relay mode {other}")),
    };
    let tls = TlsSettings { fingerprint: None, ..tls_from(&u, "insecure") };
    let settings =
        ProtocolSettings::Tuic(TuicSettings { tls, congestion_control, udp_relay_mode, zero_rtt_handshake: false });
    Ok(ParsedLink { node: u.node(settings), user: user.to_owned(), password: password.to_owned() })
}

fn anytls(u: Url) -> Result<ParsedLink, LinkError> {
    let tls = TlsSettings { fingerprint: None, ..tls_from(&u, "insecure") };
    let settings = ProtocolSettings::Anytls(AnytlsSettings { tls, padding_scheme: Vec::new() });
    Ok(ParsedLink { node: u.node(settings), user: String::new(), password: u.userinfo.clone() })
}

fn plain(u: Url, http: bool) -> Result<ParsedLink, LinkError> {
    let creds = unbase64(&u.userinfo)?;
    let Some((user, password)) = creds.split_once(':') else { return err("credentials without ':'") };
    let security =
        if u.get("security") == Some("tls") { Security::Tls(tls_from(&u, "allowInsecure")) } else { Security::None };
    let p = PlainProxySettings { security };
    let settings = if http { ProtocolSettings::Http(p) } else { ProtocolSettings::Socks(p) };
    Ok(ParsedLink { node: u.node(settings), user: user.to_owned(), password: password.to_owned() })
}

/// `vmess://` + Base64 of the v2rayN JSON.
fn vmess(rest: &str) -> Result<ParsedLink, LinkError> {
    let json = unbase64(rest)?;
    let v: Value = serde_json::from_str(&json).map_err(|e| LinkError(format!("vmess JSON: {e}")))?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).filter(|x| !x.is_empty());
    let port = match v.get("port") {
        Some(Value::String(p)) => p.parse::<u16>().ok(),
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        _ => None,
    };
    let (Some(host), Some(port), Some(id)) = (s("add"), port, s("id")) else { return err("vmess needs add, port, id") };
    let path = s("path").unwrap_or("/").to_owned();
    let host_header = s("host").map(str::to_owned);
    let transport = match s("net").unwrap_or("tcp") {
        "tcp" if s("type") == Some("http") => {
            Transport::Tcp { http: Some(TcpHttpHeader { path: split_list(s("path")), host: split_list(s("host")) }) }
        }
        "tcp" => Transport::plain_tcp(),
        "ws" => Transport::Ws { path, host: host_header },
        "grpc" => Transport::Grpc { service_name: s("path").unwrap_or_default().to_owned() },
        "httpupgrade" => Transport::Httpupgrade { path, host: host_header },
        "xhttp" => Transport::Xhttp { path, host: host_header, mode: xhttp_mode(s("mode")) },
        other => return err(format!("unsupported vmess net {other}")),
    };
    let security = if s("tls") == Some("tls") {
        Security::Tls(TlsSettings {
            server_name: s("sni").map(str::to_owned),
            allow_insecure: matches!(s("insecure"), Some("1" | "true")),
            fingerprint: fingerprint(s("fp")),
            alpn: split_list(s("alpn")),
        })
    } else {
        Security::None
    };
    let node = SubscriptionNode {
        name: s("ps").unwrap_or_default().to_owned(),
        host: host.to_owned(),
        port,
        hop_ports: None,
        rate: Rate::ONE,
        tags: Vec::new(),
        settings: ProtocolSettings::Vmess(VmessSettings { transport, security }),
    };
    Ok(ParsedLink { node, user: id.to_owned(), password: String::new() })
}
