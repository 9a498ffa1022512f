//! Validated admin input for node servers and node clients.
//!
//! Nothing an agent or a client app would crash on can pass: ports in range, block-route
//! regexes that compile, well-formed REALITY keys and SS-2022 PSKs, no control characters,
//! bounded lengths. Field names are JSON paths into the request body.

use serde::{Deserialize, Serialize};

use super::checks::{Errors, check_settings};
pub use super::checks::{MAX_NAME_CHARS, MAX_TAG_CHARS, MAX_TAGS, check_rate};
use super::model::{
    AgentNodeId, AlivelistShape, GroupId, PortRange, Protocol, ProtocolSettings, Rate, Route, RouteAction,
};
use crate::FieldError;

pub const MAX_ROUTES: usize = 64;
pub const MAX_ROUTE_MATCHES: usize = 256;
pub const MAX_MATCH_CHARS: usize = 1024;

/// Create/replace body of a node server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeServerDraft {
    pub name: String,
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

impl NodeServerDraft {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.name("name", &self.name);
        e.host("address", &self.address);
        if let Some(region) = &self.region {
            e.text("region", region, MAX_NAME_CHARS, false);
        }
        e.rate("rate", self.rate);
        e.tags("tags", &self.tags);
        e.finish()
    }
}

/// Create/replace body of a node client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeClientDraft {
    pub node_id: AgentNodeId,
    pub name: String,
    pub port: u16,
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

impl NodeClientDraft {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        if self.node_id.0 == 0 {
            e.push("node_id", "out_of_range", "must be at least 1");
        }
        e.name("name", &self.name);
        e.port("port", self.port);
        if let Some(range) = self.hop_ports {
            if self.settings.protocol() != Protocol::Hysteria2 {
                e.push("hop_ports", "not_supported", "port hopping exists only for hysteria2");
            }
            e.port("hop_ports.start", range.start);
            e.port("hop_ports.end", range.end);
            if range.start > range.end {
                e.push("hop_ports.end", "out_of_range", "must not be below hop_ports.start");
            }
        }
        check_settings(&mut e, &self.settings);
        e.tags("tags", &self.tags);
        if let Some(rate) = self.rate {
            e.rate("rate", rate);
        }
        check_routes(&mut e, &self.routes);
        e.finish()
    }
}

fn check_routes(e: &mut Errors, routes: &[Route]) {
    if routes.len() > MAX_ROUTES {
        e.push("routes", "too_long", format!("at most {MAX_ROUTES} routes"));
        return;
    }
    let mut ids = std::collections::HashSet::new();
    for (i, route) in routes.iter().enumerate() {
        let at = format!("routes[{i}]");
        if !ids.insert(route.id) {
            e.push(format!("{at}.id"), "duplicate", "route ids must be unique");
        }
        if route.matches.is_empty() {
            e.push(format!("{at}.match"), "required", "at least one entry");
        }
        if route.matches.len() > MAX_ROUTE_MATCHES {
            e.push(format!("{at}.match"), "too_long", format!("at most {MAX_ROUTE_MATCHES} entries"));
            continue;
        }
        for (j, m) in route.matches.iter().enumerate() {
            let path = format!("{at}.match[{j}]");
            if e.text(&path, m, MAX_MATCH_CHARS, true) && route.action == RouteAction::Block {
                e.regex(&path, m.strip_prefix("regexp:").unwrap_or(m));
            }
        }
        if route.action == RouteAction::Block && route.matches.len() > 1 {
            // XrayR joins every entry with `|` into one regex and panics if it does not compile.
            e.regex(&format!("{at}.match"), &route.matches.join("|"));
        }
        if let RouteAction::Dns { server } = &route.action {
            e.text(&format!("{at}.server"), server, 255, true);
        }
    }
}

#[cfg(test)]
#[path = "commands_tests.rs"]
mod tests;
