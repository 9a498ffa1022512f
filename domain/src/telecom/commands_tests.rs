use serde_json::json;

use super::*;

fn client(settings: serde_json::Value) -> NodeClientDraft {
    serde_json::from_value(json!({
        "node_id": 1, "name": "HK 01", "port": 443, "settings": settings,
    }))
    .unwrap()
}

fn codes(r: Result<(), Vec<FieldError>>) -> Vec<(String, String)> {
    r.err().unwrap_or_default().into_iter().map(|e| (e.field, e.code)).collect()
}

fn has(r: Result<(), Vec<FieldError>>, field: &str, code: &str) {
    let c = codes(r);
    assert!(c.iter().any(|(f, k)| f == field && k == code), "expected {field}/{code}, got {c:?}");
}

const PUB: &str = "Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw";
const PRIV: &str = "SMfOj-9lIK-VHD3eBy1H4b0TZiJ2ibH96Qx8q0u9_0w";

fn reality(public_key: &str, short_id: &str) -> serde_json::Value {
    json!({"protocol":"vless","flow":"xtls-rprx-vision","transport":{"type":"tcp"},
        "security":{"mode":"reality","server_name":"www.microsoft.com","server_port":443,
            "private_key":PRIV,"public_key":public_key,"short_id":short_id}})
}

#[test]
fn valid_clients_pass() {
    assert_eq!(client(reality(PUB, "6ba85179e30d4fc2")).validate(), Ok(()));
    assert_eq!(client(reality(PUB, "")).validate(), Ok(()));
    let ss = json!({"protocol":"shadowsocks","cipher":"2022-blake3-aes-256-gcm",
        "server_key":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="});
    assert_eq!(client(ss).validate(), Ok(()));
    let vmess = json!({"protocol":"vmess","transport":{"type":"ws","path":"/ws?ed=2048","host":"cdn.example"},
        "security":{"mode":"tls","server_name":"cdn.example"}});
    assert_eq!(client(vmess).validate(), Ok(()));
}

#[test]
fn ports_and_ids_in_range() {
    let mut c = client(json!({"protocol":"socks","security":{"mode":"none"}}));
    c.port = 0;
    c.node_id = AgentNodeId(0);
    has(c.validate(), "port", "out_of_range");
    let mut c = client(json!({"protocol":"socks","security":{"mode":"none"}}));
    c.node_id = AgentNodeId(0);
    has(c.validate(), "node_id", "out_of_range");
    c.node_id = AgentNodeId(1);
    c.hop_ports = Some(PortRange { start: 3000, end: 2000 });
    has(c.validate(), "hop_ports", "not_supported");
    has(c.validate(), "hop_ports.end", "out_of_range");
}

#[test]
fn reality_keys_and_short_ids() {
    has(client(reality("short", "")).validate(), "settings.security.public_key", "invalid_format");
    let padded = format!("{PUB}=");
    has(client(reality(&padded, "")).validate(), "settings.security.public_key", "invalid_format");
    let std_alphabet = "Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjq+Aw";
    has(client(reality(std_alphabet, "")).validate(), "settings.security.public_key", "invalid_format");
    has(client(reality(PRIV, "")).validate(), "settings.security.public_key", "invalid_format");
    for sid in ["abc", "xyz0", "0123456789abcdef01"] {
        has(client(reality(PUB, sid)).validate(), "settings.security.short_id", "invalid_format");
    }
}

#[test]
fn shadowsocks_keys_match_the_cipher() {
    let ss =
        |cipher: &str, key: Option<&str>| client(json!({"protocol":"shadowsocks","cipher":cipher,"server_key":key}));
    // 16 bytes for aes-128, 32 for aes-256 and chacha20.
    has(
        ss("2022-blake3-aes-256-gcm", Some("c2VydmVyS2V5MTIzNDU2Nw==")).validate(),
        "settings.server_key",
        "invalid_format",
    );
    assert_eq!(ss("2022-blake3-aes-128-gcm", Some("c2VydmVyS2V5MTIzNDU2Nw==")).validate(), Ok(()));
    has(ss("2022-blake3-chacha20-poly1305", None).validate(), "settings.server_key", "required");
    has(ss("2022-blake3-aes-128-gcm", Some("not base64!")).validate(), "settings.server_key", "invalid_format");
    has(ss("aes-128-gcm", Some("c2VydmVyS2V5MTIzNDU2Nw==")).validate(), "settings.server_key", "not_supported");
    assert!(
        serde_json::from_value::<NodeClientDraft>(json!({"node_id":1,"name":"x","port":1,
        "settings":{"protocol":"shadowsocks","cipher":"rc4-md5"}}))
        .is_err()
    );
}

#[test]
fn transports_and_security_per_protocol() {
    let xhttp = json!({"type":"xhttp","path":"/x"});
    has(
        client(json!({"protocol":"vmess","transport":xhttp,"security":{"mode":"none"}})).validate(),
        "settings.transport.type",
        "not_supported",
    );
    has(
        client(json!({"protocol":"trojan","transport":{"type":"tcp"},"security":{"mode":"none"}})).validate(),
        "settings.security.mode",
        "not_supported",
    );
    let reality_vmess = json!({"protocol":"vmess","transport":{"type":"tcp"},"security":{"mode":"reality",
        "server_name":"a.example","server_port":443,"private_key":PRIV,"public_key":PUB}});
    has(client(reality_vmess).validate(), "settings.security.mode", "not_supported");
    let vision_ws = json!({"protocol":"vless","flow":"xtls-rprx-vision","transport":{"type":"ws","path":"/"},
        "security":{"mode":"tls"}});
    has(client(vision_ws).validate(), "settings.flow", "not_supported");
    let bad_path = json!({"protocol":"vless","transport":{"type":"ws","path":"no-slash"},"security":{"mode":"none"}});
    has(client(bad_path).validate(), "settings.transport.path", "invalid_format");
    let bad_grpc =
        json!({"protocol":"vless","transport":{"type":"grpc","service_name":"a b"},"security":{"mode":"none"}});
    has(client(bad_grpc).validate(), "settings.transport.service_name", "invalid_format");
    let bad_sni = json!({"protocol":"anytls","tls":{"server_name":"bad host"}});
    has(client(bad_sni).validate(), "settings.tls.server_name", "invalid_format");
    let bad_alpn = json!({"protocol":"tuic","tls":{"alpn":["h9"]}});
    has(client(bad_alpn).validate(), "settings.tls.alpn[0]", "invalid_enum");
}

#[test]
fn block_routes_must_compile() {
    let mut c = client(json!({"protocol":"socks","security":{"mode":"none"}}));
    c.routes = vec![
        Route { id: 1, matches: vec!["(unclosed".into(), "ok\\.com".into()], action: RouteAction::Block },
        Route { id: 1, matches: vec![], action: RouteAction::Direct },
        Route { id: 3, matches: vec!["regexp:[z-a]".into()], action: RouteAction::Block },
        Route { id: 4, matches: vec!["a".into()], action: RouteAction::Dns { server: String::new() } },
        // Not a regex for non-block actions: any text is fine.
        Route { id: 5, matches: vec!["(".into()], action: RouteAction::Direct },
    ];
    let c = codes(c.validate());
    for expected in [
        ("routes[0].match[0]", "invalid_format"),
        ("routes[0].match", "invalid_format"),
        ("routes[1].id", "duplicate"),
        ("routes[1].match", "required"),
        ("routes[2].match[0]", "invalid_format"),
        ("routes[3].server", "required"),
    ] {
        assert!(c.iter().any(|(f, k)| (f.as_str(), k.as_str()) == expected), "missing {expected:?} in {c:?}");
    }
    assert!(!c.iter().any(|(f, _)| f.starts_with("routes[4]")), "{c:?}");
}

#[test]
fn names_text_and_servers() {
    let mut c = client(json!({"protocol":"socks","security":{"mode":"none"}}));
    c.name = "bad\u{0}name".into();
    has(c.validate(), "name", "invalid_format");
    c.name = "HK, 01".into();
    has(c.validate(), "name", "invalid_format");
    c.name = "x".repeat(65);
    has(c.validate(), "name", "too_long");
    c.name = " ".into();
    has(c.validate(), "name", "required");
    c.name = "ok".into();
    c.tags = vec!["t\n".into()];
    has(c.validate(), "tags[0]", "invalid_format");

    let server = |address: &str, rate: &str| -> NodeServerDraft {
        serde_json::from_value(json!({"name":"S","address":address,"rate":rate})).unwrap()
    };
    assert_eq!(server("2001:db8::1", "1.5").validate(), Ok(()));
    assert_eq!(server("node-1.example.com", "0").validate(), Ok(()));
    has(server("http://x", "1").validate(), "address", "invalid_format");
    has(server("a..b", "1").validate(), "address", "invalid_format");
    has(server("x.example", "100.5").validate(), "rate", "out_of_range");
    has(server("x.example", "-1").validate(), "rate", "out_of_range");
    has(server("x.example", "0.00001").validate(), "rate", "invalid_format");
}

#[test]
fn rate_applies_exactly_and_rounds_down() {
    let r = |s: &str| Rate(s.parse().unwrap());
    assert_eq!(r("1").apply(1_000), 1_000);
    assert_eq!(r("0.5").apply(1_001), 500);
    assert_eq!(r("1.25").apply(1_000_000_007), 1_250_000_008);
    assert_eq!(r("0").apply(5), 0);
    assert_eq!(r("100").apply(u64::MAX), u64::MAX);
    assert_eq!(r("2.50").to_string(), "2.5");
}

#[test]
fn staff_reads_never_show_the_reality_private_key_and_a_blank_one_keeps_the_stored() {
    let stored = client(reality(PUB, "6ba85179e30d4fc2")).settings;
    let shown = stored.redacted();
    assert!(!serde_json::to_string(&shown).unwrap().contains(PRIV));
    assert!(serde_json::to_string(&shown).unwrap().contains(PUB));
    let mut edited = shown.clone();
    edited.keep_secrets_of(&stored);
    assert_eq!(edited, stored);
    // A new key given explicitly wins.
    let mut replaced = client(reality(PUB, "ab")).settings;
    if let ProtocolSettings::Vless(v) = &mut replaced
        && let crate::telecom::settings::Security::Reality(r) = &mut v.security
    {
        r.private_key = "other".into();
    }
    replaced.keep_secrets_of(&stored);
    assert!(serde_json::to_string(&replaced).unwrap().contains("\"other\""));
}
