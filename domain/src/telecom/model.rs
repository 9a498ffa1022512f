//! Telecom identifiers, node servers and node clients: the shapes the store persists.
//!
//! Everything here is plain data with serde (snake_case) so the lead can keep a node
//! client's `settings` as one JSONB column and the rest as ordinary columns.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use super::protocols::*;
pub use super::settings::*;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A physical or virtual machine (`telecom.node_server`).
    NodeServerId
);
uuid_id!(
    /// One protocol endpoint on a server (`telecom.node_client`).
    NodeClientId
);
uuid_id!(
    /// A customer segment; nodes are visible to the groups they list.
    GroupId
);

/// The integer `node_id` an agent is configured with (unique per protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgentNodeId(pub u32);

/// The integer user id agents key `push`/`alive` by (the `id` in `/user`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgentUserId(pub u64);

impl fmt::Display for AgentNodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for AgentUserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Proxy protocols Helium can configure. Serialized names are the settings tags;
/// [`Protocol::node_type`] is the UniProxy `node_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    Vmess,
    Vless,
    Trojan,
    Shadowsocks,
    /// Hysteria 2 (UniProxy `node_type=hysteria`, `version: 2`).
    Hysteria2,
    Tuic,
    Anytls,
    Socks,
    Http,
}

impl Protocol {
    pub const ALL: [Protocol; 9] = [
        Protocol::Vmess,
        Protocol::Vless,
        Protocol::Trojan,
        Protocol::Shadowsocks,
        Protocol::Hysteria2,
        Protocol::Tuic,
        Protocol::Anytls,
        Protocol::Socks,
        Protocol::Http,
    ];

    /// Stable lower-case name (settings tag, API value).
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Vmess => "vmess",
            Protocol::Vless => "vless",
            Protocol::Trojan => "trojan",
            Protocol::Shadowsocks => "shadowsocks",
            Protocol::Hysteria2 => "hysteria2",
            Protocol::Tuic => "tuic",
            Protocol::Anytls => "anytls",
            Protocol::Socks => "socks",
            Protocol::Http => "http",
        }
    }

    /// The UniProxy `node_type` agents send and the config's `protocol` key.
    pub fn node_type(self) -> &'static str {
        match self {
            Protocol::Hysteria2 => "hysteria",
            other => other.as_str(),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Traffic multiplier of a node: billed bytes = raw bytes × rate. Stored as a decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rate(pub Decimal);

impl Rate {
    pub const ONE: Rate = Rate(Decimal::ONE);
    /// Largest accepted multiplier.
    pub const MAX: Rate = Rate(Decimal::from_parts(100, 0, 0, false, 0));
    /// Most fractional digits accepted (`0.0001`).
    pub const MAX_SCALE: u32 = 4;

    /// Billed bytes for `bytes` raw bytes, rounded down, saturating at `u64::MAX`.
    pub fn apply(self, bytes: u64) -> u64 {
        if self.0 == Decimal::ONE {
            return bytes;
        }
        let scale = self.0.scale();
        let mantissa = self.0.mantissa();
        if mantissa <= 0 {
            return 0;
        }
        let product = u128::from(bytes) * mantissa.unsigned_abs();
        let divided = product / 10u128.pow(scale);
        u64::try_from(divided).unwrap_or(u64::MAX)
    }
}

impl Rate {
    /// A rate written as a decimal (`"1.5"`) or in scientific notation; range and scale are
    /// checked by the draft's validation.
    pub fn parse(text: &str) -> Option<Rate> {
        let t = text.trim();
        t.parse::<Decimal>().ok().or_else(|| Decimal::from_scientific(t).ok()).map(Rate)
    }
}

impl Default for Rate {
    fn default() -> Self {
        Rate::ONE
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.normalize().fmt(f)
    }
}

/// A port or an inclusive port range (hysteria 2 port hopping).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PortRange {
    pub start: u16,
    pub end: u16,
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// A machine that runs one or more node clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeServer {
    pub id: NodeServerId,
    pub name: String,
    /// Host name or IP address clients connect to.
    pub address: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub rate: Rate,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub maintenance: bool,
}

/// How `alivelist` reports online devices to this node's agent (WIRE-FORMATS A.8).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlivelistShape {
    /// `{"alive":{"7":2}}` (V2bX).
    #[default]
    Count,
    /// `{"alive":{"7":["203.0.113.5"]}}` (XrayR fork).
    Ips,
}

/// One protocol endpoint served by an agent on a [`NodeServer`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeClient {
    pub id: NodeClientId,
    pub server_id: NodeServerId,
    pub node_id: AgentNodeId,
    pub name: String,
    /// Listening port for the agent and the port in subscriptions.
    pub port: u16,
    /// Extra ports clients may hop across (hysteria 2 only).
    #[serde(default)]
    pub hop_ports: Option<PortRange>,
    pub settings: ProtocolSettings,
    #[serde(default)]
    pub group_ids: Vec<GroupId>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default = "yes")]
    pub show: bool,
    #[serde(default)]
    pub sort: i32,
    /// Overrides the server's rate when set.
    #[serde(default)]
    pub rate: Option<Rate>,
    #[serde(default)]
    pub alivelist_shape: AlivelistShape,
    #[serde(default)]
    pub routes: Vec<Route>,
}

fn yes() -> bool {
    true
}

impl NodeClient {
    pub fn protocol(&self) -> Protocol {
        self.settings.protocol()
    }

    /// The effective rate: the client's own, else the server's.
    pub fn effective_rate(&self, server: &NodeServer) -> Rate {
        self.rate.unwrap_or(server.rate)
    }
}

/// What an agent does with traffic matching a route (UniProxy `routes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum RouteAction {
    /// `match` entries are regexes (or `protocol:<name>` for V2bX).
    Block,
    Direct,
    Proxy,
    /// Resolve the `match` domains with `server`.
    Dns {
        server: String,
    },
}

/// One routing rule sent to agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub id: u32,
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    #[serde(flatten)]
    pub action: RouteAction,
}
