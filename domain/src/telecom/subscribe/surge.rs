//! Surge and Surfboard profiles (B.7).

use std::fmt::Write as _;

use super::Ctx;
use super::detect::ClientKind;
use super::lines::{expiry_date, gb, join_into, kv};
use crate::telecom::model::{ProtocolSettings, SecurityRef, Transport};

const PROBE: &str = "url=http://www.gstatic.com/generate_204, interval=43200";

pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<u8> {
    let surge = ctx.client.kind == ClientKind::Surge;
    let app = ctx.opts.app_name;
    let mut out = String::with_capacity(1024 + ctx.nodes.len() * 200);
    if surge {
        let _ = writeln!(out, "#!MANAGED-CONFIG {} interval=43200 strict=true\n", ctx.opts.subscribe_url);
    }
    out.push_str("[General]\nloglevel = notify\ndns-server = system, 223.5.5.5, 119.29.29.29\n");
    out.push_str("skip-proxy = 127.0.0.1, 192.168.0.0/16, 10.0.0.0/8, 172.16.0.0/12, localhost, *.local\n\n");
    if surge {
        let u = ctx.user;
        let expiry = expiry_date(u).unwrap_or_else(|| "长期有效".to_owned());
        let _ = writeln!(
            out,
            "[Panel]\nSubscribeInfo = title={app}订阅信息, content=上传流量：{} GB\\n下载流量：{} GB\\n剩余流量：{} GB\\n套餐流量：{} GB\\n到期时间：{expiry}, style=info\n",
            gb(u.upload),
            gb(u.download),
            gb(u.remaining()),
            gb(u.total)
        );
    }
    out.push_str("[Proxy]\n");
    let eq = if surge { " = " } else { "=" };
    let sep = if surge { ", " } else { "," };
    for node in &ctx.nodes {
        let password = node.password(&ctx.uuid);
        let s = &node.settings;
        let kind = match s {
            ProtocolSettings::Shadowsocks(_) => "ss",
            ProtocolSettings::Vmess(_) => "vmess",
            ProtocolSettings::Trojan(_) => "trojan",
            ProtocolSettings::Hysteria2(_) => "hysteria2",
            ProtocolSettings::Anytls(_) => "anytls",
            ProtocolSettings::Socks(p) if matches!(p.security, crate::telecom::model::Security::Tls(_)) => "socks5-tls",
            ProtocolSettings::Socks(_) => "socks5",
            ProtocolSettings::Http(p) if matches!(p.security, crate::telecom::model::Security::Tls(_)) => "https",
            ProtocolSettings::Http(_) => "http",
            _ => continue,
        };
        let _ = write!(out, "{}{eq}{kind}{sep}{}{sep}{}", node.name, node.host, node.port);
        let tls = s.security();
        match s {
            ProtocolSettings::Shadowsocks(ss) => {
                kv(&mut out, sep, "encrypt-method", ss.cipher.as_str());
                kv(&mut out, sep, "password", &password);
                kv(&mut out, sep, "tfo", true);
                kv(&mut out, sep, "udp-relay", true);
            }
            ProtocolSettings::Vmess(v) => {
                kv(&mut out, sep, "username", &ctx.uuid);
                kv(&mut out, sep, "vmess-aead", true);
                kv(&mut out, sep, "tfo", true);
                kv(&mut out, sep, "udp-relay", true);
                tls_keys(&mut out, sep, tls, true);
                if let Transport::Ws { path, host } = &v.transport {
                    kv(&mut out, sep, "ws", true);
                    kv(&mut out, sep, "ws-path", path);
                    if let Some(h) = host {
                        kv(&mut out, sep, "ws-headers", format_args!("Host:{h}"));
                    }
                }
            }
            ProtocolSettings::Trojan(_) => {
                kv(&mut out, sep, "password", &password);
                tls_keys(&mut out, sep, tls, false);
                kv(&mut out, sep, "tfo", true);
                kv(&mut out, sep, "udp-relay", true);
            }
            ProtocolSettings::Hysteria2(h) => {
                kv(&mut out, sep, "password", &password);
                tls_keys(&mut out, sep, tls, false);
                kv(&mut out, sep, "udp-relay", true);
                if h.up_mbps > 0 {
                    kv(&mut out, sep, "upload-bandwidth", h.up_mbps);
                }
                if h.down_mbps > 0 {
                    kv(&mut out, sep, "download-bandwidth", h.down_mbps);
                }
            }
            ProtocolSettings::Anytls(_) => {
                kv(&mut out, sep, "password", &password);
                tls_keys(&mut out, sep, tls, false);
                if !surge {
                    kv(&mut out, sep, "tfo", true);
                    kv(&mut out, sep, "udp-relay", true);
                }
            }
            ProtocolSettings::Socks(_) | ProtocolSettings::Http(_) => {
                let _ = write!(out, "{sep}{}{sep}{}", ctx.uuid, ctx.uuid);
                tls_keys(&mut out, sep, tls, false);
                if matches!(s, ProtocolSettings::Socks(_)) {
                    kv(&mut out, sep, "udp-relay", true);
                }
            }
            _ => {}
        }
        out.push('\n');
    }
    out.push_str("\n[Proxy Group]\n");
    let names = || ctx.nodes.iter().map(|n| n.name.as_str());
    if ctx.nodes.is_empty() {
        let _ = writeln!(out, "Proxy{eq}select{sep}DIRECT");
    } else {
        let _ = write!(out, "Proxy{eq}select{sep}auto{sep}fallback{sep}");
        join_into(&mut out, names(), sep);
        let _ = write!(out, "\nauto{eq}url-test{sep}");
        join_into(&mut out, names(), sep);
        let _ = write!(out, "{sep}{PROBE}\nfallback{eq}fallback{sep}");
        join_into(&mut out, names(), sep);
        let _ = writeln!(out, "{sep}{PROBE}");
    }
    let host = ctx.opts.request_host.rsplit_once(':').map_or(ctx.opts.request_host, |(h, _)| h);
    let _ = write!(out, "\n[Rule]\nDOMAIN,{host},DIRECT\nGEOIP,CN,DIRECT\n");
    out.push_str(if surge { "FINAL,Proxy,dns-failed\n" } else { "FINAL,Proxy\n" });
    out.into_bytes()
}

fn tls_keys(out: &mut String, sep: &str, sec: SecurityRef<'_>, explicit: bool) {
    if let SecurityRef::Tls(t) = sec {
        if explicit {
            kv(out, sep, "tls", true);
        }
        if t.allow_insecure {
            kv(out, sep, "skip-cert-verify", true);
        }
        if let Some(sni) = &t.server_name {
            kv(out, sep, "sni", sni);
        }
    }
}
