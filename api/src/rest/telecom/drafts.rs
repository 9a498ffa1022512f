//! Staff node bodies → validated domain drafts. An update is the stored node with the given
//! fields replaced, validated whole, so a partial edit cannot leave an invalid node behind.

use helium_domain::telecom::commands::{NodeClientDraft, NodeServerDraft};
use helium_domain::telecom::model::{AgentNodeId, AlivelistShape, GroupId, NodeClient, PortRange, Rate};
use helium_domain::{DomainError, FieldError};
use helium_infra::telecom::store::nodes::ServerRecord;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::dto::{NodeClientCreateRequest, NodeClientUpdateRequest, NodeServerCreateRequest, NodeServerUpdateRequest};

/// `field` parsed as `T`, or a 422 naming it (serde's reason, shortened).
fn parse<T: DeserializeOwned>(field: &str, v: Value) -> Result<T, DomainError> {
    serde_json::from_value(v).map_err(|e| {
        let reason: String = e.to_string().chars().take(200).collect();
        DomainError::validation(vec![FieldError::new(field, "invalid_format", reason)])
    })
}

/// A rate given as a decimal string or a JSON number.
pub fn rate(field: &str, v: Value) -> Result<Rate, DomainError> {
    let text = match &v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    Rate::parse(&text).ok_or_else(|| DomainError::field(field, "invalid_format", "a decimal such as \"1\" or \"0.5\""))
}

fn shape(raw: &str) -> Result<AlivelistShape, DomainError> {
    parse("alivelist_shape", Value::String(raw.to_owned()))
}

pub fn new_server(r: NodeServerCreateRequest) -> Result<NodeServerDraft, DomainError> {
    Ok(NodeServerDraft {
        name: r.name,
        address: r.address,
        region: r.region,
        rate: r.rate.map(|v| rate("rate", v)).transpose()?.unwrap_or_default(),
        tags: r.tags,
        maintenance: false,
    })
}

pub fn changed_server(stored: ServerRecord, r: NodeServerUpdateRequest) -> Result<NodeServerDraft, DomainError> {
    let s = stored.server;
    Ok(NodeServerDraft {
        name: r.name.unwrap_or(s.name),
        address: r.address.unwrap_or(s.address),
        region: r.region.unwrap_or(s.region),
        rate: r.rate.map(|v| rate("rate", v)).transpose()?.unwrap_or(s.rate),
        tags: r.tags.unwrap_or(s.tags),
        maintenance: s.maintenance,
    })
}

pub fn new_client(r: NodeClientCreateRequest) -> Result<NodeClientDraft, DomainError> {
    Ok(NodeClientDraft {
        node_id: AgentNodeId(r.node_id),
        name: r.name,
        port: r.port,
        hop_ports: r.hop_ports.filter(|v| !v.is_null()).map(|v| parse::<PortRange>("hop_ports", v)).transpose()?,
        settings: parse("settings", r.settings)?,
        group_ids: r.group_ids.into_iter().map(GroupId).collect(),
        tags: r.tags,
        show: r.show.unwrap_or(true),
        sort: r.sort.unwrap_or(0),
        rate: r.rate.filter(|v| !v.is_null()).map(|v| rate("rate", v)).transpose()?,
        alivelist_shape: r.alivelist_shape.as_deref().map(shape).transpose()?.unwrap_or_default(),
        routes: r.routes.map(|v| parse("routes", v)).transpose()?.unwrap_or_default(),
    })
}

/// The stored client with the request's fields replaced (the server is chosen by the caller).
pub fn changed_client(stored: NodeClient, r: NodeClientUpdateRequest) -> Result<NodeClientDraft, DomainError> {
    let settings = match r.settings {
        Some(v) => {
            let mut s: helium_domain::telecom::model::ProtocolSettings = parse("settings", v)?;
            s.keep_secrets_of(&stored.settings);
            s
        }
        None => stored.settings,
    };
    let hop_ports = match r.hop_ports {
        Some(None) => None,
        Some(Some(v)) if v.is_null() => None,
        Some(Some(v)) => Some(parse::<PortRange>("hop_ports", v)?),
        None => stored.hop_ports,
    };
    let rate = match r.rate {
        Some(None) => None,
        Some(Some(v)) if v.is_null() => None,
        Some(Some(v)) => Some(rate("rate", v)?),
        None => stored.rate,
    };
    Ok(NodeClientDraft {
        node_id: r.node_id.map(AgentNodeId).unwrap_or(stored.node_id),
        name: r.name.unwrap_or(stored.name),
        port: r.port.unwrap_or(stored.port),
        hop_ports,
        settings,
        group_ids: r.group_ids.map(|g| g.into_iter().map(GroupId).collect()).unwrap_or(stored.group_ids),
        tags: r.tags.unwrap_or(stored.tags),
        show: r.show.unwrap_or(stored.show),
        sort: r.sort.unwrap_or(stored.sort),
        rate,
        alivelist_shape: r.alivelist_shape.as_deref().map(shape).transpose()?.unwrap_or(stored.alivelist_shape),
        routes: r.routes.map(|v| parse("routes", v)).transpose()?.unwrap_or(stored.routes),
    })
}
