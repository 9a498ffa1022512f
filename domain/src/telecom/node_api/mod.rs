//! UniProxy v1 node API (WIRE-FORMATS Part A) as pure functions over bytes and typed values.

mod config;
mod report;
mod users;

pub use config::{BaseConfig, render_config};
pub use report::{
    AliveBatch, AliveEntry, NodeStatus, PushBatch, ReportError, TrafficDelta, UsagePercent, normalize_ip, parse_alive,
    parse_push, parse_status, render_alivelist_counts, render_alivelist_ips,
};
pub use users::{NodeUser, etag, if_none_match_matches, render_users};

use super::model::Protocol;

/// JSON body agents read as success for `push`, `alive` and `status` (both agents accept it).
pub const OK_BODY: &[u8] = br#"{"data":true}"#;

/// The `node_type` query parameter after alias resolution (WIRE-FORMATS A.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Protocol(Protocol),
    /// `v2node`: look the node up by id alone.
    Any,
}

impl NodeType {
    /// Parses `node_type` (`v2ray` → vmess, `hysteria2` → hysteria). Unknown → `None`.
    pub fn parse(raw: &str) -> Option<NodeType> {
        let t = raw.trim();
        let p = match t.to_ascii_lowercase().as_str() {
            "vmess" | "v2ray" => Protocol::Vmess,
            "vless" => Protocol::Vless,
            "trojan" => Protocol::Trojan,
            "shadowsocks" => Protocol::Shadowsocks,
            "hysteria" | "hysteria2" => Protocol::Hysteria2,
            "tuic" => Protocol::Tuic,
            "anytls" => Protocol::Anytls,
            "socks" => Protocol::Socks,
            "http" => Protocol::Http,
            "v2node" => return Some(NodeType::Any),
            _ => return None,
        };
        Some(NodeType::Protocol(p))
    }

    /// Whether a node of `protocol` answers to this type.
    pub fn accepts(self, protocol: Protocol) -> bool {
        match self {
            NodeType::Any => true,
            NodeType::Protocol(p) => p == protocol,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_type_aliases() {
        assert_eq!(NodeType::parse("v2ray"), Some(NodeType::Protocol(Protocol::Vmess)));
        assert_eq!(NodeType::parse("vmess"), Some(NodeType::Protocol(Protocol::Vmess)));
        assert_eq!(NodeType::parse("hysteria2"), Some(NodeType::Protocol(Protocol::Hysteria2)));
        assert_eq!(NodeType::parse("hysteria"), Some(NodeType::Protocol(Protocol::Hysteria2)));
        assert_eq!(NodeType::parse("Trojan"), Some(NodeType::Protocol(Protocol::Trojan)));
        assert_eq!(NodeType::parse("v2node"), Some(NodeType::Any));
        assert_eq!(NodeType::parse("naive"), None);
        assert_eq!(NodeType::parse(""), None);
        assert!(NodeType::Any.accepts(Protocol::Tuic));
        assert!(!NodeType::Protocol(Protocol::Vless).accepts(Protocol::Vmess));
    }
}
