//! The per-customer input of every renderer, and the `types`/`filter` node selection.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::telecom::encode::b64;
use crate::telecom::model::{PortRange, Protocol, ProtocolSettings, Rate};

/// Customer credentials and usage shown in headers and status lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionUser {
    pub uuid: Uuid,
    /// Bytes (already multiplied by node rates).
    pub upload: u64,
    pub download: u64,
    /// Quota in bytes.
    pub total: u64,
    /// Unix seconds; `None` = never expires.
    pub expire_at: Option<i64>,
}

impl SubscriptionUser {
    pub fn uuid_str(&self) -> String {
        self.uuid.hyphenated().to_string()
    }

    pub fn remaining(&self) -> u64 {
        self.total.saturating_sub(self.upload.saturating_add(self.download))
    }
}

/// One node as a customer sees it: its display name, where to connect, how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionNode {
    pub name: String,
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub hop_ports: Option<PortRange>,
    #[serde(default)]
    pub rate: Rate,
    #[serde(default)]
    pub tags: Vec<String>,
    pub settings: ProtocolSettings,
}

impl SubscriptionNode {
    pub fn protocol(&self) -> Protocol {
        self.settings.protocol()
    }

    /// The password clients send: the UUID, or `<server_key>:<user_key>` for SS-2022 (A.9).
    pub fn password<'a>(&self, uuid: &'a str) -> Cow<'a, str> {
        if let ProtocolSettings::Shadowsocks(ss) = &self.settings
            && let (Some(len), Some(server_key)) = (ss.cipher.key_len_2022(), &ss.server_key)
        {
            let user_key = b64(&uuid.as_bytes()[..len.min(uuid.len())]);
            return Cow::Owned(format!("{server_key}:{user_key}"));
        }
        Cow::Borrowed(uuid)
    }
}

/// Names every format reserves for its own groups and built-in policies.
const RESERVED_NAMES: [&str; 14] = [
    "DIRECT",
    "REJECT",
    "REJECT-DROP",
    "PASS",
    "GLOBAL",
    "Proxy",
    "auto",
    "fallback",
    "自动选择",
    "故障转移",
    "节点选择",
    "direct",
    "block",
    "dns-out",
];

/// What a renderer gets: the user and the nodes they may use, in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionView {
    pub user: SubscriptionUser,
    /// Shared by every view with the same nodes (customers whose packages open the same ones).
    pub nodes: Arc<[SubscriptionNode]>,
}

impl SubscriptionView {
    /// Builds a view, making node names unique (see [`unique_names`]).
    pub fn new(user: SubscriptionUser, nodes: Vec<SubscriptionNode>) -> Self {
        Self::shared(user, unique_names(nodes))
    }

    /// A view over a node list already made by [`unique_names`].
    pub fn shared(user: SubscriptionUser, nodes: Arc<[SubscriptionNode]>) -> Self {
        SubscriptionView { user, nodes }
    }
}

/// Makes node names unique (and distinct from group/policy names) by appending ` 2`, ` 3`, …
/// — several clients refuse duplicate proxy names.
pub fn unique_names(mut nodes: Vec<SubscriptionNode>) -> Arc<[SubscriptionNode]> {
    let mut seen: HashSet<String> = RESERVED_NAMES.iter().map(|s| (*s).to_owned()).collect();
    for node in &mut nodes {
        if !seen.contains(&node.name) {
            seen.insert(node.name.clone());
            continue;
        }
        let mut n = 2;
        let unique = loop {
            let candidate = format!("{} {n}", node.name);
            if !seen.contains(&candidate) {
                break candidate;
            }
            n += 1;
        };
        seen.insert(unique.clone());
        node.name = unique;
    }
    nodes.into()
}

/// The `types` and `filter` query parameters (B.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeFilter {
    protocols: Option<Vec<Protocol>>,
    keywords: Vec<String>,
}

fn split_list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(['|', ',', '｜']).map(str::trim).filter(|s| !s.is_empty())
}

impl NodeFilter {
    /// Keeps everything.
    pub fn all() -> Self {
        NodeFilter::default()
    }

    /// `types`: protocols split on `|` `,` `｜` (`all`/empty = every one); `filter`: keywords
    /// split the same way, ignored when longer than 20 characters in total.
    pub fn parse(types: Option<&str>, filter: Option<&str>) -> Self {
        let protocols = types.filter(|t| !t.trim().is_empty() && !t.trim().eq_ignore_ascii_case("all")).map(|t| {
            let mut list = Vec::new();
            for item in split_list(t) {
                let p = match item.to_ascii_lowercase().as_str() {
                    "vmess" | "v2ray" => Protocol::Vmess,
                    "vless" => Protocol::Vless,
                    "trojan" => Protocol::Trojan,
                    "ss" | "shadowsocks" => Protocol::Shadowsocks,
                    "hysteria" | "hysteria2" | "hy2" => Protocol::Hysteria2,
                    "tuic" => Protocol::Tuic,
                    "anytls" => Protocol::Anytls,
                    "socks" | "socks5" => Protocol::Socks,
                    "http" => Protocol::Http,
                    _ => continue,
                };
                list.push(p);
            }
            list
        });
        let keywords = filter
            .filter(|f| f.chars().count() <= 20)
            .map(|f| split_list(f).map(str::to_lowercase).collect())
            .unwrap_or_default();
        NodeFilter { protocols, keywords }
    }

    pub fn keeps(&self, node: &SubscriptionNode) -> bool {
        if let Some(ps) = &self.protocols
            && !ps.contains(&node.protocol())
        {
            return false;
        }
        if self.keywords.is_empty() {
            return true;
        }
        let name = node.name.to_lowercase();
        self.keywords.iter().any(|k| name.contains(k.as_str()) || node.tags.iter().any(|t| t.to_lowercase() == *k))
    }
}
