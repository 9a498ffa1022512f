//! Shared fixture for the telecom golden, link and judge tests: one node of each protocol
//! and each transport/security combination Helium configures.

use helium_domain::telecom::model::*;
use helium_domain::telecom::subscribe::{
    Client, ClientKind, RenderOptions, SubscriptionNode, SubscriptionUser, SubscriptionView, Version,
};
use uuid::Uuid;

pub const UUID: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
/// Unpadded base64url of 32 bytes (a syntactically valid x25519 key pair for clients).
pub const REALITY_PUBLIC: &str = "Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw";
pub const REALITY_PRIVATE: &str = "SMfOj-9lIK-VHD3eBy1H4b0TZiJ2ibH96Qx8q0u9_0w";

pub fn options() -> RenderOptions<'static> {
    RenderOptions {
        app_name: "Helium",
        request_host: "sub.helium.example:443",
        subscribe_url: "https://sub.helium.example/subscribe/abcdef",
        site_url: Some("https://helium.example"),
    }
}

pub fn user() -> SubscriptionUser {
    SubscriptionUser {
        uuid: Uuid::parse_str(UUID).unwrap(),
        upload: 1_073_741_824,
        download: 3_221_225_472,
        total: 107_374_182_400,
        expire_at: Some(1_798_761_600),
    }
}

fn tls(sni: &str) -> TlsSettings {
    TlsSettings { server_name: Some(sni.to_owned()), allow_insecure: false, fingerprint: None, alpn: Vec::new() }
}

fn reality() -> Security {
    Security::Reality(RealitySettings {
        server_name: "www.microsoft.com".into(),
        dest: None,
        server_port: 443,
        private_key: REALITY_PRIVATE.into(),
        public_key: REALITY_PUBLIC.into(),
        short_id: "6ba85179e30d4fc2".into(),
        fingerprint: Some(Fingerprint::Chrome),
    })
}

fn node(name: &str, host: &str, port: u16, settings: ProtocolSettings) -> SubscriptionNode {
    SubscriptionNode {
        name: name.into(),
        host: host.into(),
        port,
        hop_ports: None,
        rate: Rate::ONE,
        tags: vec![],
        settings,
    }
}

fn ws(path: &str, host: &str) -> Transport {
    Transport::Ws { path: path.into(), host: Some(host.into()) }
}

/// The fixture nodes, one per protocol × transport × security combination.
pub fn nodes() -> Vec<SubscriptionNode> {
    use ProtocolSettings as P;
    let vmess = |t, s| P::Vmess(VmessSettings { transport: t, security: s });
    let vless = |t, s, flow| P::Vless(VlessSettings { transport: t, security: s, flow });
    let trojan = |t, s| P::Trojan(TrojanSettings { transport: t, security: s });
    let tls_on = |sni: &str| Security::Tls(tls(sni));
    let mut hy2 = node(
        "HY2 香港",
        "hy.helium.example",
        8443,
        P::Hysteria2(Hysteria2Settings {
            tls: tls("hy.helium.example"),
            up_mbps: 100,
            down_mbps: 500,
            obfs_password: Some("s3cret-obfs".into()),
            hop_interval_secs: Some(30),
        }),
    );
    hy2.hop_ports = Some(PortRange { start: 20000, end: 20100 });
    vec![
        node(
            "SS AES",
            "198.51.100.4",
            8388,
            P::Shadowsocks(ShadowsocksSettings { cipher: SsCipher::Aes128Gcm, server_key: None }),
        ),
        node(
            "SS Chacha",
            "ss.helium.example",
            8389,
            P::Shadowsocks(ShadowsocksSettings { cipher: SsCipher::Chacha20IetfPoly1305, server_key: None }),
        ),
        node(
            "SG 02",
            "198.51.100.4",
            8390,
            P::Shadowsocks(ShadowsocksSettings {
                cipher: SsCipher::Blake3Aes128Gcm,
                server_key: Some("c2VydmVyS2V5MTIzNDU2Nw==".into()),
            }),
        ),
        node(
            "SS 2022 256",
            "2001:db8::10",
            8391,
            P::Shadowsocks(ShadowsocksSettings {
                cipher: SsCipher::Blake3Aes256Gcm,
                server_key: Some("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into()),
            }),
        ),
        node("VMess TCP", "vm.helium.example", 10086, vmess(Transport::plain_tcp(), Security::None)),
        node(
            "VMess WS TLS",
            "vm.helium.example",
            443,
            vmess(ws("/vmws", "cdn.helium.example"), tls_on("cdn.helium.example")),
        ),
        node(
            "VMess gRPC",
            "vm.helium.example",
            2053,
            vmess(Transport::Grpc { service_name: "vmgrpc".into() }, tls_on("vm.helium.example")),
        ),
        node(
            "VMess HTTPUpgrade",
            "vm.helium.example",
            8080,
            vmess(
                Transport::Httpupgrade { path: "/up".into(), host: Some("vm.helium.example".into()) },
                Security::None,
            ),
        ),
        node(
            "VMess TCP-HTTP",
            "vm.helium.example",
            8880,
            vmess(
                Transport::Tcp {
                    http: Some(TcpHttpHeader { path: vec!["/".into()], host: vec!["www.bing.com".into()] }),
                },
                Security::None,
            ),
        ),
        node(
            "VLESS Reality",
            "vl.helium.example",
            443,
            vless(Transport::plain_tcp(), reality(), Some(VlessFlow::XtlsRprxVision)),
        ),
        node(
            "VLESS WS TLS",
            "vl.helium.example",
            8443,
            vless(ws("/vlws", "cdn.helium.example"), tls_on("cdn.helium.example"), None),
        ),
        node(
            "VLESS gRPC Reality",
            "vl.helium.example",
            2083,
            vless(Transport::Grpc { service_name: "vlgrpc".into() }, reality(), None),
        ),
        node(
            "VLESS HTTPUpgrade",
            "vl.helium.example",
            2095,
            vless(Transport::Httpupgrade { path: "/vlup".into(), host: None }, tls_on("vl.helium.example"), None),
        ),
        node(
            "VLESS XHTTP",
            "vl.helium.example",
            2096,
            vless(
                Transport::Xhttp { path: "/xh".into(), host: Some("vl.helium.example".into()), mode: XhttpMode::Auto },
                tls_on("vl.helium.example"),
                None,
            ),
        ),
        node("Trojan TLS", "tj.helium.example", 443, trojan(Transport::plain_tcp(), tls_on("tj.helium.example"))),
        node(
            "Trojan WS",
            "tj.helium.example",
            2087,
            trojan(ws("/tjws", "tj.helium.example"), tls_on("tj.helium.example")),
        ),
        node(
            "Trojan gRPC",
            "tj.helium.example",
            2088,
            trojan(Transport::Grpc { service_name: "tjgrpc".into() }, tls_on("tj.helium.example")),
        ),
        node("Trojan Reality", "tj.helium.example", 2443, trojan(Transport::plain_tcp(), reality())),
        hy2,
        node(
            "TUIC",
            "tuic.helium.example",
            8444,
            P::Tuic(TuicSettings {
                tls: tls("tuic.helium.example"),
                congestion_control: TuicCongestion::Bbr,
                udp_relay_mode: TuicUdpRelayMode::Native,
                zero_rtt_handshake: false,
            }),
        ),
        node(
            "AnyTLS",
            "any.helium.example",
            8445,
            P::Anytls(AnytlsSettings { tls: tls("any.helium.example"), padding_scheme: vec![] }),
        ),
        node("SOCKS", "198.51.100.9", 1080, P::Socks(PlainProxySettings { security: Security::None })),
        node(
            "HTTP TLS",
            "px.helium.example",
            8443,
            P::Http(PlainProxySettings { security: tls_on("px.helium.example") }),
        ),
    ]
}

pub fn view() -> SubscriptionView {
    SubscriptionView::new(user(), nodes())
}

/// Every output format with the client version whose syntax it exercises.
pub fn clients() -> Vec<(&'static str, Client)> {
    vec![
        ("general", Client::new(ClientKind::General)),
        ("clash", Client::new(ClientKind::Clash)),
        ("meta", Client::new(ClientKind::ClashMeta)),
        ("stash", Client::new(ClientKind::Stash)),
        ("sing-box-1.10", Client::with_version(ClientKind::SingBox, Version(1, 10, 0))),
        ("sing-box-1.11", Client::with_version(ClientKind::SingBox, Version(1, 11, 0))),
        ("sing-box-1.12", Client::with_version(ClientKind::SingBox, Version(1, 12, 0))),
        ("sing-box", Client::new(ClientKind::SingBox)),
        ("surge", Client::new(ClientKind::Surge)),
        ("surfboard", Client::new(ClientKind::Surfboard)),
        ("quantumult-x", Client::new(ClientKind::QuantumultX)),
        ("loon", Client::new(ClientKind::Loon)),
        ("shadowrocket", Client::new(ClientKind::Shadowrocket)),
        ("sip008", Client::new(ClientKind::Sip008)),
    ]
}

/// File-system-safe slug of a node name.
pub fn slug(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    s.trim_matches('-').split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

/// Compares `actual` with the golden file `tests/golden/<rel>`; `UPDATE_GOLDEN=1` rewrites it.
pub fn golden(rel: &str, actual: &[u8]) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(rel);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("golden {} missing ({e}); run with UPDATE_GOLDEN=1", path.display()));
    if expected != actual {
        let tmp = std::env::temp_dir().join(rel.replace('/', "__"));
        std::fs::write(&tmp, actual).unwrap();
        panic!("{} differs from golden; actual written to {} (UPDATE_GOLDEN=1 to accept)", rel, tmp.display());
    }
}

/// The fixture as node clients for the node API (one agent node per subscription node).
pub fn node_clients() -> Vec<(NodeClient, String)> {
    nodes()
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let routes = if i == 0 {
                vec![
                    Route {
                        id: 1,
                        matches: vec!["(api|ads)\\.example\\.com".into(), "protocol:bittorrent".into()],
                        action: RouteAction::Block,
                    },
                    Route {
                        id: 2,
                        matches: vec!["geosite:netflix".into()],
                        action: RouteAction::Dns { server: "1.1.1.1".into() },
                    },
                ]
            } else {
                Vec::new()
            };
            let client = NodeClient {
                id: NodeClientId(Uuid::from_u128(i as u128 + 1)),
                server_id: NodeServerId(Uuid::from_u128(1000)),
                node_id: AgentNodeId(i as u32 + 1),
                name: n.name.clone(),
                port: n.port,
                hop_ports: n.hop_ports,
                settings: n.settings.clone(),
                group_ids: vec![GroupId(Uuid::from_u128(7))],
                tags: vec![],
                show: true,
                sort: i as i32,
                rate: None,
                alivelist_shape: AlivelistShape::Count,
                routes,
            };
            (client, n.host)
        })
        .collect()
}
