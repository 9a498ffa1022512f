//! Which nodes each client can use (B.2 version gates, B.5–B.11 protocol whitelists).

use super::detect::{Client, ClientKind, GeneralApp, Version};
use super::view::SubscriptionNode;
use crate::telecom::model::{ProtocolSettings, SecurityRef, SsCipher, Transport, VlessFlow};

/// Whether `client` can load `node`; unsupported nodes are left out of its document.
pub fn supports(client: Client, node: &SubscriptionNode) -> bool {
    let s = &node.settings;
    let reality = matches!(s.security(), SecurityRef::Reality(_));
    let transport = s.transport();
    let is = |f: fn(&Transport) -> bool| transport.is_some_and(f);
    let plain_tcp = is(|t| matches!(t, Transport::Tcp { http: None }));
    let v = |a, b, c| client.at_least(Version(a, b, c));
    match client.kind {
        ClientKind::General => match s {
            ProtocolSettings::Hysteria2(_) => match client.app {
                GeneralApp::V2rayN => v(6, 31, 0),
                GeneralApp::V2rayNg => v(1, 9, 5),
                GeneralApp::Other => true,
            },
            _ => true,
        },
        ClientKind::Clash => match s {
            ProtocolSettings::Shadowsocks(ss) => !ss.cipher.is_2022(),
            ProtocolSettings::Vmess(_) => {
                is(|t| matches!(t, Transport::Tcp { .. } | Transport::Ws { .. } | Transport::Grpc { .. }))
            }
            ProtocolSettings::Trojan(_) => {
                !reality
                    && is(|t| {
                        matches!(t, Transport::Tcp { http: None } | Transport::Ws { .. } | Transport::Grpc { .. })
                    })
            }
            ProtocolSettings::Socks(_) | ProtocolSettings::Http(_) => true,
            _ => false,
        },
        ClientKind::ClashMeta => match s {
            ProtocolSettings::Vmess(_) | ProtocolSettings::Trojan(_) => !is(|t| matches!(t, Transport::Xhttp { .. })),
            _ => true,
        },
        ClientKind::Stash => match s {
            ProtocolSettings::Shadowsocks(ss) => !ss.cipher.is_2022() || v(3, 0, 0),
            ProtocolSettings::Vmess(_) => !is(|t| matches!(t, Transport::Httpupgrade { .. } | Transport::Xhttp { .. })),
            ProtocolSettings::Vless(vl) => {
                !is(|t| matches!(t, Transport::Xhttp { .. }))
                    && (!(reality || vl.flow == Some(VlessFlow::XtlsRprxVision)) || v(3, 1, 0))
            }
            ProtocolSettings::Trojan(_) => !reality && !is(|t| matches!(t, Transport::Xhttp { .. })),
            ProtocolSettings::Hysteria2(_) => v(2, 5, 0),
            ProtocolSettings::Anytls(_) => v(3, 3, 0),
            _ => true,
        },
        ClientKind::SingBox => match s {
            ProtocolSettings::Anytls(_) => v(1, 12, 0),
            // sing-box has no socks over TLS, and its `http` transport is not Xray's header obfuscation.
            ProtocolSettings::Socks(_) => !matches!(s.security(), SecurityRef::Tls(_)),
            _ if is(|t| matches!(t, Transport::Tcp { http: Some(_) })) => false,
            _ => !is(|t| matches!(t, Transport::Xhttp { .. })) && (!reality || v(1, 6, 0)),
        },
        ClientKind::Surge | ClientKind::Surfboard => {
            let surfboard = client.kind == ClientKind::Surfboard;
            match s {
                ProtocolSettings::Shadowsocks(ss) => ss.cipher != SsCipher::Blake3Chacha20Poly1305 || surfboard,
                ProtocolSettings::Vmess(_) => is(|t| matches!(t, Transport::Tcp { http: None } | Transport::Ws { .. })),
                ProtocolSettings::Trojan(_) => !reality && plain_tcp,
                ProtocolSettings::Hysteria2(_) => !surfboard && v(2398, 0, 0),
                ProtocolSettings::Anytls(_) => true,
                ProtocolSettings::Socks(_) | ProtocolSettings::Http(_) => !surfboard,
                _ => false,
            }
        }
        ClientKind::QuantumultX => match s {
            ProtocolSettings::Shadowsocks(_) | ProtocolSettings::Anytls(_) => true,
            ProtocolSettings::Socks(_) | ProtocolSettings::Http(_) => true,
            ProtocolSettings::Vmess(_) | ProtocolSettings::Vless(_) => {
                is(|t| matches!(t, Transport::Tcp { .. } | Transport::Ws { .. }))
            }
            ProtocolSettings::Trojan(_) => {
                !reality && is(|t| matches!(t, Transport::Tcp { http: None } | Transport::Ws { .. }))
            }
            _ => false,
        },
        ClientKind::Loon => match s {
            ProtocolSettings::Shadowsocks(_) | ProtocolSettings::Anytls(_) => true,
            ProtocolSettings::Vmess(_) | ProtocolSettings::Vless(_) => !is(|t| matches!(t, Transport::Xhttp { .. })),
            ProtocolSettings::Trojan(_) => !reality && v(3, 2, 1) && !is(|t| matches!(t, Transport::Xhttp { .. })),
            ProtocolSettings::Hysteria2(_) => v(637, 0, 0),
            _ => false,
        },
        ClientKind::Shadowrocket => match s {
            ProtocolSettings::Hysteria2(_) => v(1993, 0, 0),
            ProtocolSettings::Anytls(_) => v(2592, 0, 0),
            ProtocolSettings::Http(_) => false,
            _ => true,
        },
        ClientKind::Sip008 => matches!(s, ProtocolSettings::Shadowsocks(ss) if !ss.cipher.is_2022()),
    }
}
