use uuid::Uuid;

use super::*;
use crate::telecom::model::*;

fn user() -> SubscriptionUser {
    SubscriptionUser { uuid: Uuid::from_u128(1), upload: 10, download: 20, total: 100, expire_at: None }
}

fn node(name: &str, settings: ProtocolSettings) -> SubscriptionNode {
    SubscriptionNode {
        name: name.into(),
        host: "h.example".into(),
        port: 443,
        hop_ports: None,
        rate: Rate::ONE,
        tags: vec!["premium".into()],
        settings,
    }
}

fn tls() -> TlsSettings {
    TlsSettings::default()
}

fn reality_vless() -> ProtocolSettings {
    ProtocolSettings::Vless(VlessSettings {
        transport: Transport::plain_tcp(),
        security: Security::Reality(RealitySettings {
            server_name: "a.example".into(),
            dest: None,
            server_port: 443,
            private_key: String::new(),
            public_key: String::new(),
            short_id: String::new(),
            fingerprint: None,
        }),
        flow: None,
    })
}

fn anytls() -> ProtocolSettings {
    ProtocolSettings::Anytls(AnytlsSettings { tls: tls(), padding_scheme: vec![] })
}

fn hy2() -> ProtocolSettings {
    ProtocolSettings::Hysteria2(Hysteria2Settings {
        tls: tls(),
        up_mbps: 0,
        down_mbps: 0,
        obfs_password: None,
        hop_interval_secs: None,
    })
}

#[test]
fn view_makes_names_unique_and_avoids_group_names() {
    let v = SubscriptionView::new(
        user(),
        vec![node("HK", anytls()), node("HK", anytls()), node("HK 2", anytls()), node("DIRECT", anytls())],
    );
    let names: Vec<&str> = v.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["HK", "HK 2", "HK 2 2", "DIRECT 2"]);
}

#[test]
fn types_and_filter_parameters() {
    let n = node("香港 HK 01", anytls());
    assert!(NodeFilter::parse(None, None).keeps(&n));
    assert!(NodeFilter::parse(Some("all"), Some("")).keeps(&n));
    assert!(NodeFilter::parse(Some("vmess|anytls"), None).keeps(&n));
    assert!(!NodeFilter::parse(Some("vmess,trojan"), None).keeps(&n));
    assert!(NodeFilter::parse(None, Some("jp｜hk")).keeps(&n));
    assert!(NodeFilter::parse(None, Some("香港")).keeps(&n));
    assert!(NodeFilter::parse(None, Some("PREMIUM")).keeps(&n));
    assert!(!NodeFilter::parse(None, Some("jp")).keeps(&n));
    // Over 20 characters: the filter is ignored.
    assert!(NodeFilter::parse(None, Some("a-very-long-keyword-list")).keeps(&n));
}

#[test]
fn version_gates() {
    let sb = |v| Client::with_version(ClientKind::SingBox, v);
    assert!(!supports(sb(Version(1, 11, 9)), &node("a", anytls())));
    assert!(supports(sb(Version(1, 12, 0)), &node("a", anytls())));
    assert!(!supports(sb(Version(1, 5, 0)), &node("r", reality_vless())));
    assert!(supports(Client::new(ClientKind::SingBox), &node("r", reality_vless())));
    let stash = |v| Client::with_version(ClientKind::Stash, v);
    assert!(!supports(stash(Version(2, 4, 9)), &node("h", hy2())));
    assert!(!supports(stash(Version(3, 0, 0)), &node("r", reality_vless())));
    assert!(supports(stash(Version(3, 1, 0)), &node("r", reality_vless())));
    let ng = detect_client(None, Some("v2rayNG/1.9.4"));
    assert!(!supports(ng, &node("h", hy2())));
    assert!(supports(detect_client(None, Some("v2rayNG/1.9.5")), &node("h", hy2())));
    assert!(!supports(detect_client(None, Some("Surge iOS/2397")), &node("h", hy2())));
    assert!(!supports(Client::new(ClientKind::Clash), &node("r", reality_vless())));
    assert!(!supports(Client::new(ClientKind::Sip008), &node("a", anytls())));
}

#[test]
fn headers_per_format() {
    let opts = RenderOptions { app_name: "Helium 云", request_host: "h", subscribe_url: "u", site_url: None };
    let v = SubscriptionView::new(user(), vec![]);
    let doc = |k| render(&v, &NodeFilter::all(), Client::new(k), &opts);
    let g = doc(ClientKind::General);
    assert_eq!(g.headers, [("subscription-userinfo", "upload=10; download=20; total=100; expire=0".to_owned())]);
    assert_eq!(g.content_type, "text/plain; charset=utf-8");
    let m = doc(ClientKind::ClashMeta);
    assert!(m.headers.contains(&("content-disposition", "attachment;filename*=UTF-8''Helium%20%E4%BA%91".to_owned())));
    assert!(m.headers.contains(&("profile-update-interval", "24".to_owned())));
    let s = doc(ClientKind::SingBox);
    assert!(s.headers.contains(&("profile-title", "base64:SGVsaXVtIOS6kQ==".to_owned())));
    assert!(doc(ClientKind::Surge).headers.iter().all(|(k, _)| *k != "subscription-userinfo"));
    assert!(doc(ClientKind::Shadowrocket).headers.is_empty());
    assert_eq!(doc(ClientKind::Sip008).content_type, "application/json; charset=utf-8");
    assert_eq!(doc(ClientKind::Loon).headers[0].0, "Subscription-Userinfo");
    // An empty account still renders a document (no panic, empty list).
    assert_eq!(g.body, b"");
}
