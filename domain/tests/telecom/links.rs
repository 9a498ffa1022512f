//! Every share link Helium emits round-trips through the B.4 parser (`telecom::links`).

use super::common;

use helium_domain::telecom::links::parse_link;
use helium_domain::telecom::model::*;
use helium_domain::telecom::subscribe::{SubscriptionNode, share_link};

/// What a link can carry of `node`: fields the link format has no place for are reset to
/// what the parser produces for them.
fn link_view(node: &SubscriptionNode) -> SubscriptionNode {
    let mut n = node.clone();
    n.rate = Rate::ONE;
    n.tags.clear();
    let plain_tls = |t: &mut TlsSettings| {
        t.alpn.clear();
    };
    let no_fp = |t: &mut TlsSettings| {
        t.alpn.clear();
        t.fingerprint = None;
    };
    let reality = |s: &mut Security| match s {
        Security::Tls(t) => plain_tls(t),
        Security::Reality(r) => {
            r.dest = None;
            r.server_port = 443;
            r.private_key.clear();
            r.fingerprint.get_or_insert(Fingerprint::Chrome);
        }
        Security::None => {}
    };
    match &mut n.settings {
        ProtocolSettings::Vmess(v) => {
            match &mut v.transport {
                Transport::Httpupgrade { host, .. } | Transport::Xhttp { host, .. } => {
                    host.get_or_insert_with(|| node.host.clone());
                }
                Transport::Tcp { http: Some(h) } => h.host.truncate(1),
                _ => {}
            }
            reality(&mut v.security);
        }
        ProtocolSettings::Vless(v) => reality(&mut v.security),
        ProtocolSettings::Trojan(t) => reality(&mut t.security),
        ProtocolSettings::Shadowsocks(_) => {}
        ProtocolSettings::Hysteria2(h) => {
            no_fp(&mut h.tls);
            h.up_mbps = 0;
            h.down_mbps = 0;
            h.hop_interval_secs = None;
        }
        ProtocolSettings::Tuic(t) => {
            no_fp(&mut t.tls);
            t.zero_rtt_handshake = false;
        }
        ProtocolSettings::Anytls(a) => {
            no_fp(&mut a.tls);
            a.padding_scheme.clear();
        }
        ProtocolSettings::Socks(p) | ProtocolSettings::Http(p) => {
            if let Security::Tls(t) = &mut p.security {
                no_fp(t);
            }
        }
    }
    n
}

#[test]
fn every_fixture_link_round_trips() {
    let nodes = common::view().nodes;
    let mut seen = std::collections::HashSet::new();
    for node in nodes.iter() {
        let mut link = String::new();
        share_link(&mut link, node, common::UUID);
        let parsed = parse_link(&link).unwrap_or_else(|e| panic!("{}: {e}\n{link}", node.name));
        assert_eq!(parsed.node, link_view(node), "{}\n{link}", node.name);
        let (user, password) = match node.protocol() {
            Protocol::Vmess | Protocol::Vless => (common::UUID.to_owned(), String::new()),
            Protocol::Tuic | Protocol::Socks | Protocol::Http => (common::UUID.to_owned(), common::UUID.to_owned()),
            _ => (String::new(), node.password(common::UUID).into_owned()),
        };
        assert_eq!((parsed.user, parsed.password), (user, password), "{}", node.name);
        let transport = node.settings.transport().map(|t| t.network());
        seen.insert((node.protocol(), transport, node.settings.security().level()));
    }
    // Every protocol, every transport of vmess/vless/trojan, every security level is covered.
    for p in Protocol::ALL {
        assert!(seen.iter().any(|(q, _, _)| *q == p), "fixture lacks {p}");
    }
    for net in ["tcp", "ws", "grpc", "httpupgrade", "xhttp"] {
        assert!(seen.iter().any(|(p, t, _)| *p == Protocol::Vless && *t == Some(net)), "vless {net}");
    }
    for net in ["tcp", "ws", "grpc", "httpupgrade"] {
        assert!(seen.iter().any(|(p, t, _)| *p == Protocol::Vmess && *t == Some(net)), "vmess {net}");
    }
    assert!(seen.iter().any(|(p, _, l)| *p == Protocol::Trojan && *l == 2), "trojan reality");
}

#[test]
fn names_hosts_and_odd_characters_survive() {
    let mut node = common::nodes().remove(0);
    node.name = "日本 #1 / 50% & ok?".into();
    node.host = "2001:db8::7".into();
    let mut link = String::new();
    share_link(&mut link, &node, common::UUID);
    assert!(link.contains("@[2001:db8::7]:8388#"), "{link}");
    assert!(!link.contains(' '));
    let parsed = parse_link(&link).unwrap();
    assert_eq!(parsed.node.name, node.name);
    assert_eq!(parsed.node.host, node.host);
}

#[test]
fn ss_2022_userinfo_is_base64_of_method_and_both_keys() {
    let view = common::view();
    let node = view.nodes.iter().find(|n| n.name == "SG 02").unwrap();
    let mut link = String::new();
    share_link(&mut link, node, common::UUID);
    assert_eq!(
        link,
        "ss://MjAyMi1ibGFrZTMtYWVzLTEyOC1nY206YzJWeWRtVnlTMlY1TVRJek5EVTJOdz09Ok0yWXlOVEEwWlRBdE5HWTRPUzAwTVE9PQ@198.51.100.4:8390#SG%2002"
    );
    assert_eq!(parse_link(&link).unwrap().password, "c2VydmVyS2V5MTIzNDU2Nw==:M2YyNTA0ZTAtNGY4OS00MQ==");
}

#[test]
fn parser_reads_the_plain_sip002_form_too() {
    // WIRE-FORMATS B.4's example: percent-encoded `method:password` instead of Base64.
    let link = "ss://2022-blake3-aes-128-gcm:c2VydmVyS2V5MTIzNDU2Nw%3D%3D%3AM2YyNTA0ZTAtNGY4OS00MQ%3D%3D@198.51.100.4:8388#SG%2002";
    let parsed = parse_link(link).unwrap();
    assert_eq!(parsed.password, "c2VydmVyS2V5MTIzNDU2Nw==:M2YyNTA0ZTAtNGY4OS00MQ==");
    assert_eq!(parsed.node.name, "SG 02");
    let ProtocolSettings::Shadowsocks(ss) = parsed.node.settings else { panic!("not ss") };
    assert_eq!(ss.server_key.as_deref(), Some("c2VydmVyS2V5MTIzNDU2Nw=="));
}

#[test]
fn parser_rejects_broken_links() {
    for bad in [
        "",
        "nothing",
        "vmess://!!!",
        "vless://uuid@host?type=tcp#x",
        "vless://uuid@host:0?type=tcp",
        "vless://uuid@host:443?type=quic",
        "trojan://pw@[2001:db8::1:443#x",
        "ss://bm9jb2xvbg@1.2.3.4:80#x",
        "ss://Ym9ndXM6cHc@1.2.3.4:80#x",
        "tuic://onlyuser@h:1?alpn=h3",
        "hysteria2://pw@h:1?mport=abc",
        "gopher://x@y:1",
        "vless://u@h:1?x=%zz",
    ] {
        assert!(parse_link(bad).is_err(), "accepted {bad:?}");
    }
}
