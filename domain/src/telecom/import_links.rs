//! The per-app subscription links a customer copies or taps: one `?flag=` URL per document
//! format (WIRE-FORMATS B.2 names the flags) and, where the app registers a URL scheme, a
//! one-tap import link.

use super::encode::{b64, pct};

/// A document format a customer can pick, with the `flag` that selects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// Stable name in the API.
    pub name: &'static str,
    /// `?flag=` value (WIRE-FORMATS B.2).
    pub flag: &'static str,
}

pub const FORMATS: [Format; 11] = [
    Format { name: "general", flag: "general" },
    Format { name: "clash", flag: "clash" },
    Format { name: "clash_meta", flag: "meta" },
    Format { name: "sing_box", flag: "sing-box" },
    Format { name: "shadowrocket", flag: "shadowrocket" },
    Format { name: "surge", flag: "surge" },
    Format { name: "surfboard", flag: "surfboard" },
    Format { name: "stash", flag: "stash" },
    Format { name: "quantumult_x", flag: "quantumult-x" },
    Format { name: "loon", flag: "loon" },
    Format { name: "sip008", flag: "shadowsocks" },
];

/// One link of one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppLink {
    pub format: &'static str,
    pub url: String,
    pub import_url: Option<String>,
}

/// The endpoint's URL with `flag` added to its query.
pub fn with_flag(base: &str, flag: &str) -> String {
    let (path, fragment) = base.split_once('#').map_or((base, None), |(p, f)| (p, Some(f)));
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{sep}flag={}", pct(flag));
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    url
}

/// The one-tap import link of `format` for `url`, named `name` in the app.
pub fn import_url(format: &str, url: &str, name: &str) -> Option<String> {
    let (u, n) = (pct(url), pct(name));
    Some(match format {
        "clash" | "clash_meta" => format!("clash://install-config?url={u}&name={n}"),
        "stash" => format!("stash://install-config?url={u}&name={n}"),
        "sing_box" => format!("sing-box://import-remote-profile?url={u}#{n}"),
        "shadowrocket" => format!("shadowrocket://add/sub://{}?remark={n}", b64(url.as_bytes())),
        "surge" => format!("surge:///install-config?url={u}"),
        "surfboard" => format!("surfboard:///install-config?url={u}"),
        "loon" => format!("loon://import?sub={u}"),
        "quantumult_x" => {
            let resource = serde_json::json!({ "server_remote": [format!("{url}, tag={name}")] }).to_string();
            format!("quantumult-x:///add-resource?remote-resource={}", pct(&resource))
        }
        _ => return None,
    })
}

/// Every format's link for one endpoint URL.
pub fn app_links(base: &str, name: &str) -> Vec<AppLink> {
    FORMATS
        .iter()
        .map(|f| {
            let url = with_flag(base, f.flag);
            let import_url = import_url(f.name, &url, name);
            AppLink { format: f.name, url, import_url }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_joins_an_existing_query_and_keeps_the_fragment() {
        assert_eq!(with_flag("https://s.example/subscribe/t", "meta"), "https://s.example/subscribe/t?flag=meta");
        assert_eq!(with_flag("https://s.example/s?token=t", "sing-box"), "https://s.example/s?token=t&flag=sing-box");
        assert_eq!(with_flag("https://s.example/s/t#x", "clash"), "https://s.example/s/t?flag=clash#x");
    }

    #[test]
    fn every_format_selects_its_own_document() {
        let links = app_links("https://s.example/subscribe/t", "main");
        assert_eq!(links.len(), FORMATS.len());
        for (link, f) in links.iter().zip(FORMATS) {
            assert!(link.url.ends_with(&format!("flag={}", f.flag)), "{link:?}");
        }
    }

    #[test]
    fn import_links_carry_the_whole_url_encoded() {
        let url = "https://s.example/subscribe/t?flag=meta";
        let clash = import_url("clash_meta", url, "Helium VPN").unwrap();
        assert_eq!(
            clash,
            "clash://install-config?url=https%3A%2F%2Fs.example%2Fsubscribe%2Ft%3Fflag%3Dmeta&name=Helium%20VPN"
        );
        let rocket = import_url("shadowrocket", url, "x").unwrap();
        assert!(rocket.starts_with("shadowrocket://add/sub://aHR0cHM6Ly9zLmV4YW1wbGUv"), "{rocket}");
        let qx = import_url("quantumult_x", url, "x").unwrap();
        assert!(qx.contains("server_remote"), "{qx}");
        assert!(!qx.contains(' '), "{qx}");
        assert_eq!(import_url("general", url, "x"), None);
    }
}
