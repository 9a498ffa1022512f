//! Per-protocol settings structs and their enumerations (ciphers, congestion control, flow).

use serde::{Deserialize, Serialize};

use super::layers::{Security, TlsSettings, Transport};

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
