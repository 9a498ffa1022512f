//! The layers under a protocol: stream transports (tcp, ws, grpc, xhttp…) and TLS / REALITY.

use serde::{Deserialize, Serialize};

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
