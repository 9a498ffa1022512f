//! Protocol settings (the JSONB `settings` column of a node client): the tagged enum over the
//! per-protocol structs (`protocols`), with their transports and TLS layer (`layers`).

use serde::{Deserialize, Serialize};

pub use super::layers::{
    Fingerprint, RealitySettings, Security, SecurityRef, TcpHttpHeader, TlsSettings, Transport, XhttpMode,
};
use super::model::Protocol;
use super::protocols::{
    AnytlsSettings, Hysteria2Settings, PlainProxySettings, ShadowsocksSettings, TrojanSettings, TuicSettings,
    VlessSettings, VmessSettings,
};

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

impl ProtocolSettings {
    /// The REALITY layer, where the protocol has one.
    fn reality_mut(&mut self) -> Option<&mut RealitySettings> {
        match self {
            ProtocolSettings::Vmess(VmessSettings { security: Security::Reality(r), .. })
            | ProtocolSettings::Vless(VlessSettings { security: Security::Reality(r), .. })
            | ProtocolSettings::Trojan(TrojanSettings { security: Security::Reality(r), .. })
            | ProtocolSettings::Socks(PlainProxySettings { security: Security::Reality(r), .. })
            | ProtocolSettings::Http(PlainProxySettings { security: Security::Reality(r), .. }) => Some(r),
            _ => None,
        }
    }

    /// The settings as staff read them: the REALITY private key (known only to the node) is
    /// blanked. Everything else is what clients receive anyway.
    pub fn redacted(&self) -> Self {
        let mut s = self.clone();
        if let Some(r) = s.reality_mut() {
            r.private_key.clear();
        }
        s
    }

    /// A replacement that left the REALITY private key blank keeps the stored one.
    pub fn keep_secrets_of(&mut self, stored: &ProtocolSettings) {
        let kept = stored.clone().reality_mut().map(|r| r.private_key.clone());
        if let (Some(r), Some(key)) = (self.reality_mut(), kept)
            && r.private_key.is_empty()
        {
            r.private_key = key;
        }
    }
}
