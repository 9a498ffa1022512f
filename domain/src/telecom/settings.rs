//! Per-protocol client settings (the JSONB `settings` column of a node client).

use serde::{Deserialize, Serialize};

use super::model::Protocol;

/// Settings of one node client, tagged by `protocol`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "protocol", rename_all = "snake_case")]
pub enum ProtocolSettings {
    Vmess(VmessSettings),
    Vless(VlessSettings),
    Trojan(TrojanSettings),
    Shadowsocks(ShadowsocksSettings),
    Hysteria2(Hysteria2Settings),
    Tuic(TuicSettings),
    Anytls(AnytlsSettings),
    Socks(PlainProxySettings),
    Http(PlainProxySettings),
}

impl ProtocolSettings {
    pub fn protocol(&self) -> Protocol {
        match self {
            ProtocolSettings::Vmess(_) => Protocol::Vmess,
            ProtocolSettings::Vless(_) => Protocol::Vless,
            ProtocolSettings::Trojan(_) => Protocol::Trojan,
            ProtocolSettings::Shadowsocks(_) => Protocol::Shadowsocks,
            ProtocolSettings::Hysteria2(_) => Protocol::Hysteria2,
            ProtocolSettings::Tuic(_) => Protocol::Tuic,
            ProtocolSettings::Anytls(_) => Protocol::Anytls,
            ProtocolSettings::Socks(_) => Protocol::Socks,
            ProtocolSettings::Http(_) => Protocol::Http,
        }
    }

    /// The stream transport, for the protocols that have one.
    pub fn transport(&self) -> Option<&Transport> {
        match self {
            ProtocolSettings::Vmess(s) => Some(&s.transport),
            ProtocolSettings::Vless(s) => Some(&s.transport),
            ProtocolSettings::Trojan(s) => Some(&s.transport),
            _ => None,
        }
    }

    /// The TLS layer as clients see it.
    pub fn security(&self) -> SecurityRef<'_> {
        match self {
            ProtocolSettings::Vmess(VmessSettings { security, .. })
            | ProtocolSettings::Vless(VlessSettings { security, .. })
            | ProtocolSettings::Trojan(TrojanSettings { security, .. })
            | ProtocolSettings::Socks(PlainProxySettings { security, .. })
            | ProtocolSettings::Http(PlainProxySettings { security, .. }) => security.as_ref(),
            ProtocolSettings::Hysteria2(Hysteria2Settings { tls, .. })
            | ProtocolSettings::Tuic(TuicSettings { tls, .. })
            | ProtocolSettings::Anytls(AnytlsSettings { tls, .. }) => SecurityRef::Tls(tls),
            ProtocolSettings::Shadowsocks(_) => SecurityRef::None,
        }
    }
}

/// Stream transport of vmess/vless/trojan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Transport {
    Tcp {
        /// HTTP/1.1 header obfuscation (`header.type = http`) when set.
        #[serde(default)]
        http: Option<TcpHttpHeader>,
    },
    Ws {
        path: String,
        #[serde(default)]
        host: Option<String>,
    },
    Grpc {
        service_name: String,
    },
    Httpupgrade {
        path: String,
        #[serde(default)]
        host: Option<String>,
    },
    /// vless only.
    Xhttp {
        path: String,
        #[serde(default)]
        host: Option<String>,
        #[serde(default)]
        mode: XhttpMode,
    },
}

impl Transport {
    /// The Xray `network` name.
    pub fn network(&self) -> &'static str {
        match self {
            Transport::Tcp { .. } => "tcp",
            Transport::Ws { .. } => "ws",
            Transport::Grpc { .. } => "grpc",
            Transport::Httpupgrade { .. } => "httpupgrade",
            Transport::Xhttp { .. } => "xhttp",
        }
    }

    pub fn plain_tcp() -> Self {
        Transport::Tcp { http: None }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpHttpHeader {
    /// Request paths; one is picked by the client (at least one).
    pub path: Vec<String>,
    /// `Host` header values (may be empty).
    #[serde(default)]
    pub host: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum XhttpMode {
    #[default]
    Auto,
    PacketUp,
    StreamUp,
    StreamOne,
}

impl XhttpMode {
    pub fn as_str(self) -> &'static str {
        match self {
            XhttpMode::Auto => "auto",
            XhttpMode::PacketUp => "packet-up",
            XhttpMode::StreamUp => "stream-up",
            XhttpMode::StreamOne => "stream-one",
        }
    }
}

/// TLS layer of a stream protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Security {
    None,
    Tls(TlsSettings),
    Reality(RealitySettings),
}

/// Borrowed view of [`Security`] that also covers the always-TLS protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityRef<'a> {
    None,
    Tls(&'a TlsSettings),
    Reality(&'a RealitySettings),
}

impl Security {
    pub fn as_ref(&self) -> SecurityRef<'_> {
        match self {
            Security::None => SecurityRef::None,
            Security::Tls(t) => SecurityRef::Tls(t),
            Security::Reality(r) => SecurityRef::Reality(r),
        }
    }
}

impl SecurityRef<'_> {
    /// UniProxy `tls`: 0 none, 1 TLS, 2 REALITY.
    pub fn level(self) -> u8 {
        match self {
            SecurityRef::None => 0,
            SecurityRef::Tls(_) => 1,
            SecurityRef::Reality(_) => 2,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsSettings {
    /// SNI clients send; empty means the node address.
    #[serde(default)]
    pub server_name: Option<String>,
    #[serde(default)]
    pub allow_insecure: bool,
    #[serde(default)]
    pub fingerprint: Option<Fingerprint>,
    /// ALPN offered by clients; empty = client default.
    #[serde(default)]
    pub alpn: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealitySettings {
    /// SNI of the camouflage target (also what clients send).
    pub server_name: String,
    /// Target host the agent forwards to; defaults to `server_name`.
    #[serde(default)]
    pub dest: Option<String>,
    /// Target port (sent to agents as a string).
    pub server_port: u16,
    /// x25519 keys, unpadded base64url of 32 bytes.
    pub private_key: String,
    pub public_key: String,
    /// Hex, even length, at most 16 characters (may be empty).
    #[serde(default)]
    pub short_id: String,
    #[serde(default)]
    pub fingerprint: Option<Fingerprint>,
}

/// uTLS client fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fingerprint {
    Chrome,
    Firefox,
    Safari,
    Ios,
    Edge,
    Random,
}

impl Fingerprint {
    pub fn as_str(self) -> &'static str {
        match self {
            Fingerprint::Chrome => "chrome",
            Fingerprint::Firefox => "firefox",
            Fingerprint::Safari => "safari",
            Fingerprint::Ios => "ios",
            Fingerprint::Edge => "edge",
            Fingerprint::Random => "random",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmessSettings {
    pub transport: Transport,
    /// `None` or `Tls` (no REALITY for vmess).
    pub security: Security,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VlessSettings {
    pub transport: Transport,
    pub security: Security,
    #[serde(default)]
    pub flow: Option<VlessFlow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VlessFlow {
    #[serde(rename = "xtls-rprx-vision")]
    XtlsRprxVision,
}

impl VlessFlow {
    pub fn as_str(self) -> &'static str {
        match self {
            VlessFlow::XtlsRprxVision => "xtls-rprx-vision",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrojanSettings {
    pub transport: Transport,
    /// `Tls` or `Reality` (trojan always runs over TLS).
    pub security: Security,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShadowsocksSettings {
    pub cipher: SsCipher,
    /// Base64 PSK of the cipher's key length; required for (and only for) 2022 ciphers.
    #[serde(default)]
    pub server_key: Option<String>,
}

/// Shadowsocks AEAD and AEAD-2022 ciphers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SsCipher {
    #[serde(rename = "aes-128-gcm")]
    Aes128Gcm,
    #[serde(rename = "aes-256-gcm")]
    Aes256Gcm,
    #[serde(rename = "chacha20-ietf-poly1305")]
    Chacha20IetfPoly1305,
    #[serde(rename = "2022-blake3-aes-128-gcm")]
    Blake3Aes128Gcm,
    #[serde(rename = "2022-blake3-aes-256-gcm")]
    Blake3Aes256Gcm,
    #[serde(rename = "2022-blake3-chacha20-poly1305")]
    Blake3Chacha20Poly1305,
}

impl SsCipher {
    pub const ALL: [SsCipher; 6] = [
        SsCipher::Aes128Gcm,
        SsCipher::Aes256Gcm,
        SsCipher::Chacha20IetfPoly1305,
        SsCipher::Blake3Aes128Gcm,
        SsCipher::Blake3Aes256Gcm,
        SsCipher::Blake3Chacha20Poly1305,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SsCipher::Aes128Gcm => "aes-128-gcm",
            SsCipher::Aes256Gcm => "aes-256-gcm",
            SsCipher::Chacha20IetfPoly1305 => "chacha20-ietf-poly1305",
            SsCipher::Blake3Aes128Gcm => "2022-blake3-aes-128-gcm",
            SsCipher::Blake3Aes256Gcm => "2022-blake3-aes-256-gcm",
            SsCipher::Blake3Chacha20Poly1305 => "2022-blake3-chacha20-poly1305",
        }
    }

    pub fn parse(s: &str) -> Option<SsCipher> {
        SsCipher::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Key length in bytes for 2022 ciphers (`None` for classic AEAD).
    pub fn key_len_2022(self) -> Option<usize> {
        match self {
            SsCipher::Blake3Aes128Gcm => Some(16),
            SsCipher::Blake3Aes256Gcm | SsCipher::Blake3Chacha20Poly1305 => Some(32),
            _ => None,
        }
    }

    pub fn is_2022(self) -> bool {
        self.key_len_2022().is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hysteria2Settings {
    pub tls: TlsSettings,
    /// Server bandwidth hints in Mbit/s; 0 = let the client decide.
    #[serde(default)]
    pub up_mbps: u32,
    #[serde(default)]
    pub down_mbps: u32,
    /// Salamander obfuscation password when set.
    #[serde(default)]
    pub obfs_password: Option<String>,
    /// Port-hopping interval in seconds advertised to clients (with `hop_ports`).
    #[serde(default)]
    pub hop_interval_secs: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TuicSettings {
    pub tls: TlsSettings,
    #[serde(default)]
    pub congestion_control: TuicCongestion,
    #[serde(default)]
    pub udp_relay_mode: TuicUdpRelayMode,
    #[serde(default)]
    pub zero_rtt_handshake: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TuicCongestion {
    #[default]
    Cubic,
    NewReno,
    Bbr,
}

impl TuicCongestion {
    pub fn as_str(self) -> &'static str {
        match self {
            TuicCongestion::Cubic => "cubic",
            TuicCongestion::NewReno => "new_reno",
            TuicCongestion::Bbr => "bbr",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TuicUdpRelayMode {
    #[default]
    Native,
    Quic,
}

impl TuicUdpRelayMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TuicUdpRelayMode::Native => "native",
            TuicUdpRelayMode::Quic => "quic",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnytlsSettings {
    pub tls: TlsSettings,
    /// Padding scheme lines; empty = the agents' default.
    #[serde(default)]
    pub padding_scheme: Vec<String>,
}

/// socks5 / http proxies (credential: UUID as both user name and password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlainProxySettings {
    /// `None` or `Tls`.
    pub security: Security,
}
