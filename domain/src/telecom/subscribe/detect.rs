//! Client detection (B.2): `flag` first, else the User-Agent, first matching row wins.

use std::fmt;

/// Output format chosen for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKind {
    General,
    Clash,
    ClashMeta,
    Stash,
    SingBox,
    Surge,
    Surfboard,
    QuantumultX,
    Loon,
    Shadowrocket,
    Sip008,
}

impl ClientKind {
    pub const ALL: [ClientKind; 11] = [
        ClientKind::General,
        ClientKind::Clash,
        ClientKind::ClashMeta,
        ClientKind::Stash,
        ClientKind::SingBox,
        ClientKind::Surge,
        ClientKind::Surfboard,
        ClientKind::QuantumultX,
        ClientKind::Loon,
        ClientKind::Shadowrocket,
        ClientKind::Sip008,
    ];

    /// Stable name (also a valid `flag` value selecting this format).
    pub fn as_str(self) -> &'static str {
        match self {
            ClientKind::General => "general",
            ClientKind::Clash => "clash",
            ClientKind::ClashMeta => "meta",
            ClientKind::Stash => "stash",
            ClientKind::SingBox => "sing-box",
            ClientKind::Surge => "surge",
            ClientKind::Surfboard => "surfboard",
            ClientKind::QuantumultX => "quantumult-x",
            ClientKind::Loon => "loon",
            ClientKind::Shadowrocket => "shadowrocket",
            ClientKind::Sip008 => "shadowsocks",
        }
    }
}

/// Which General-format app asked, for its version gates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GeneralApp {
    V2rayN,
    V2rayNg,
    Other,
}

/// A dotted version (`1.12.0`) or a build number (`2398` = `2398.0.0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub u32, pub u32, pub u32);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The detected client: format, the app version where a gate needs it (`None` = unknown,
/// treated as current), and for General which app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Client {
    pub kind: ClientKind,
    pub version: Option<Version>,
    pub app: GeneralApp,
}

impl Client {
    pub fn new(kind: ClientKind) -> Self {
        Client { kind, version: None, app: GeneralApp::Other }
    }

    pub fn with_version(kind: ClientKind, version: Version) -> Self {
        Client { kind, version: Some(version), app: GeneralApp::Other }
    }

    /// True when the version is unknown or at least `min`.
    pub fn at_least(self, min: Version) -> bool {
        self.version.is_none_or(|v| v >= min)
    }
}

/// B.2 rows in order: substrings, the format, and the keyword a gate version follows.
const ROWS: &[(&[&str], ClientKind)] = &[
    (&["surge"], ClientKind::Surge),
    (&["surfboard"], ClientKind::Surfboard),
    (&["stash"], ClientKind::Stash),
    (&["sing-box", "hiddify", "sfm"], ClientKind::SingBox),
    (&["shadowsocks"], ClientKind::Sip008),
    (&["shadowrocket"], ClientKind::Shadowrocket),
    (&["quantumult%20x", "quantumult-x"], ClientKind::QuantumultX),
    (&["loon"], ClientKind::Loon),
    (&["general", "v2rayn", "v2rayng", "passwall", "ssrplus", "sagernet"], ClientKind::General),
    (&["meta", "verge", "flclash", "nekobox", "clashmetaforandroid", "mihomo"], ClientKind::ClashMeta),
    (&["clash"], ClientKind::Clash),
];

/// Detects the client from `?flag=` (wins when present and non-empty) or the User-Agent.
pub fn detect_client(flag: Option<&str>, user_agent: Option<&str>) -> Client {
    let source = flag.filter(|f| !f.trim().is_empty()).or(user_agent).unwrap_or_default();
    let s = source.to_lowercase();
    for (needles, kind) in ROWS {
        if let Some(hit) = needles.iter().find(|n| s.contains(*n)) {
            let kind = *kind;
            let mut client = Client::new(kind);
            client.version = match kind {
                // Only a core version counts; Hiddify/SFM without one are treated as current.
                ClientKind::SingBox => version_after(&s, "sing-box"),
                ClientKind::QuantumultX => version_after(&s, hit),
                ClientKind::General => {
                    client.app = if s.contains("v2rayng") {
                        GeneralApp::V2rayNg
                    } else if s.contains("v2rayn") {
                        GeneralApp::V2rayN
                    } else {
                        GeneralApp::Other
                    };
                    match client.app {
                        GeneralApp::V2rayNg => version_after(&s, "v2rayng"),
                        GeneralApp::V2rayN => version_after(&s, "v2rayn"),
                        GeneralApp::Other => None,
                    }
                }
                _ => version_after(&s, hit),
            };
            return client;
        }
    }
    Client::new(ClientKind::General)
}

/// The first `[/ ]v?<digits>(.<digits>){0,2}` within a short window after `keyword`.
fn version_after(s: &str, keyword: &str) -> Option<Version> {
    let start = s.find(keyword)? + keyword.len();
    let window = &s.as_bytes()[start..s.len().min(start + 16)];
    (0..window.len()).find_map(|i| {
        if !matches!(window[i], b'/' | b' ') {
            return None;
        }
        let rest = &s[start + i + 1..];
        let rest = rest.strip_prefix('v').unwrap_or(rest);
        parse_version(rest)
    })
}

fn parse_version(s: &str) -> Option<Version> {
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let mut parts = s[..end].split('.').take(3).map(|p| p.parse::<u32>());
    let major = parts.next()?.ok()?;
    let minor = parts.next().and_then(Result::ok).unwrap_or(0);
    let patch = parts.next().and_then(Result::ok).unwrap_or(0);
    Some(Version(major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(flag: Option<&str>, ua: &str) -> ClientKind {
        detect_client(flag, Some(ua)).kind
    }

    #[test]
    fn rows_in_order() {
        assert_eq!(kind(None, "Surge iOS/2398"), ClientKind::Surge);
        assert_eq!(kind(None, "Stash/2.5.0 Clash/1.9.0"), ClientKind::Stash);
        assert_eq!(kind(None, "SFA/1.11.0 (sing-box 1.11.0)"), ClientKind::SingBox);
        assert_eq!(kind(None, "shadowsocks-service/1.25.0"), ClientKind::Sip008);
        assert_eq!(kind(None, "Quantumult%20X/1.4.1"), ClientKind::QuantumultX);
        assert_eq!(kind(None, "Loon/637"), ClientKind::Loon);
        assert_eq!(kind(None, "v2rayN/6.31"), ClientKind::General);
        assert_eq!(kind(None, "clash.meta/v1.19.2"), ClientKind::ClashMeta);
        assert_eq!(kind(None, "mihomo/1.19.0"), ClientKind::ClashMeta);
        assert_eq!(kind(None, "clash-verge/v2.0"), ClientKind::ClashMeta);
        assert_eq!(kind(None, "ClashForWindows/0.20.39"), ClientKind::Clash);
        assert_eq!(kind(None, "curl/8.0"), ClientKind::General);
        assert_eq!(detect_client(None, None).kind, ClientKind::General);
        assert_eq!(kind(Some("sing-box"), "ClashForWindows/0.20"), ClientKind::SingBox);
        assert_eq!(kind(Some(""), "ClashForWindows/0.20"), ClientKind::Clash);
    }

    #[test]
    fn versions() {
        assert_eq!(detect_client(None, Some("SFA/1.11.0 (sing-box 1.11.0)")).version, Some(Version(1, 11, 0)));
        assert_eq!(detect_client(None, Some("sing-box/1.12.3")).version, Some(Version(1, 12, 3)));
        assert_eq!(detect_client(None, Some("Hiddify/2.5.7")).version, None);
        assert_eq!(detect_client(None, Some("Surge iOS/2398")).version, Some(Version(2398, 0, 0)));
        assert_eq!(detect_client(None, Some("clash.meta/v1.19.2")).version, Some(Version(1, 19, 2)));
        let ng = detect_client(None, Some("v2rayNG/1.9.4"));
        assert_eq!((ng.app, ng.version), (GeneralApp::V2rayNg, Some(Version(1, 9, 4))));
        assert!(Client::new(ClientKind::Stash).at_least(Version(9, 0, 0)));
    }
}
