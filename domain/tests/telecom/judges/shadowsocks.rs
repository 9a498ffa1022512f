//! shadowsocks-rust judges `ss://` links (`ssurl -d`) and SIP008 (`sslocal --online-config-url`).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use helium_domain::telecom::subscribe::{Client, ClientKind, NodeFilter, SubscriptionView, detect_client, render};

use super::{Running, body, free_port, judge, run, text, workdir};
use crate::common;

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
