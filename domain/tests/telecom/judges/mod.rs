//! The real clients judge every subscription format rendered from the fixture:
//! `sing-box check` (every syntax family Helium emits, on sing-box 1.12 and 1.14), `mihomo -t`
//! (Clash, Clash.Meta, Stash YAML), mihomo loading the General Base64 list as a proxy
//! provider, shadowsocks-rust `ssurl -d` (every `ss://` link) and `sslocal
//! --online-config-url` (SIP008, served from a local HTTP server).
//!
//! Binaries come from `deploy/tools/ensure-judges.sh` (`.tools/venv/bin`, `.tools/ss/bin`) or
//! `$HELIUM_JUDGES_DIR`. A missing judge FAILS the test. Each judge also gets a broken
//! document to prove it can say no. Only loopback addresses are ever contacted.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use helium_domain::telecom::subscribe::{Client, ClientKind, NodeFilter, Version, render};

use super::common;

mod mihomo;
mod shadowsocks;

const SING_BOX_NEWEST: &str = "sing-box-1.14.4";

pub(super) fn judge(name: &str) -> PathBuf {
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

pub(super) fn workdir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("helium-judges-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(super) fn body(kind: Client) -> Vec<u8> {
    render(&common::view(), &NodeFilter::all(), kind, &common::options()).body
}

pub(super) fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

pub(super) fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Kills the child when dropped, so a failing assertion leaves no process behind.
pub(super) struct Running(pub(super) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(super) fn free_port() -> u16 {
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
            // The current syntax must not lean on anything the judge calls deprecated.
            if version.is_none_or(|v| v >= Version(1, 12, 0)) {
                assert!(!text(&out).contains("deprecated"), "{} warns on {label}:\n{}", bin.display(), text(&out));
            }
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
