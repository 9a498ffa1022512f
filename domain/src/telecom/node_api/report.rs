//! What agents send: `push` traffic, `alive` IPs, `status` load; and the `alivelist` answer
//! (WIRE-FORMATS A.6–A.10, A.12b). Parsing is lenient per entry (junk entries are skipped and
//! counted, never failing the batch) and strict about the envelope (non-JSON is an error).

use std::fmt::Write as _;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::telecom::model::AgentUserId;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("body is not JSON: {0}")]
    NotJson(String),
    #[error("body has the wrong shape: {0}")]
    Shape(&'static str),
}

/// Raw bytes moved by one user since the agent's last push (before the node rate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrafficDelta {
    pub user: AgentUserId,
    pub upload: u64,
    pub download: u64,
}

/// A parsed push: deltas sorted by user, one per user, zero-traffic entries dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushBatch {
    pub deltas: Vec<TrafficDelta>,
    /// Entries ignored as malformed (bad uid, negative or non-integer counters, wrong arity).
    pub skipped: usize,
}

/// Parses `{"<uid>":[up,down],…}`; also accepts `[{"user_id"|"uid"|"id":n,"u":up,"d":down},…]`.
pub fn parse_push(body: &[u8]) -> Result<PushBatch, ReportError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| ReportError::NotJson(e.to_string()))?;
    let mut batch = PushBatch::default();
    match value {
        Value::Object(map) => {
            for (key, v) in &map {
                match (parse_uid_str(key), pair(v)) {
                    (Some(user), Some((upload, download))) => {
                        batch.deltas.push(TrafficDelta { user, upload, download })
                    }
                    _ => batch.skipped += 1,
                }
            }
        }
        Value::Array(items) => {
            for item in &items {
                match object_delta(item) {
                    Some(d) => batch.deltas.push(d),
                    None => batch.skipped += 1,
                }
            }
        }
        _ => return Err(ReportError::Shape("expected an object of uid → [upload, download]")),
    }
    batch.deltas.sort_by_key(|d| d.user);
    batch.deltas.dedup_by(|later, kept| {
        if later.user == kept.user {
            kept.upload = kept.upload.saturating_add(later.upload);
            kept.download = kept.download.saturating_add(later.download);
            true
        } else {
            false
        }
    });
    batch.deltas.retain(|d| d.upload > 0 || d.download > 0);
    Ok(batch)
}

fn parse_uid_str(key: &str) -> Option<AgentUserId> {
    let key = key.trim();
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u64>().ok().filter(|&n| n > 0 && n <= i64::MAX as u64).map(AgentUserId)
}

fn counter(v: &Value) -> Option<u64> {
    v.as_u64().filter(|&n| n <= i64::MAX as u64)
}

fn pair(v: &Value) -> Option<(u64, u64)> {
    match v.as_array()?.as_slice() {
        [up, down] => Some((counter(up)?, counter(down)?)),
        _ => None,
    }
}

fn object_delta(item: &Value) -> Option<TrafficDelta> {
    let obj = item.as_object()?;
    let uid = ["user_id", "uid", "id"].iter().find_map(|k| obj.get(*k))?;
    let user = match uid {
        Value::String(s) => parse_uid_str(s)?,
        other => AgentUserId(counter(other).filter(|&n| n > 0)?),
    };
    let upload = counter(obj.get("u").or_else(|| obj.get("upload"))?)?;
    let download = counter(obj.get("d").or_else(|| obj.get("download"))?)?;
    Some(TrafficDelta { user, upload, download })
}

/// Online IPs one agent saw for one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliveEntry {
    pub user: AgentUserId,
    /// Canonical, sorted, distinct.
    pub ips: Vec<IpAddr>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AliveBatch {
    pub entries: Vec<AliveEntry>,
    /// IP strings or entries that could not be read.
    pub skipped: usize,
}

/// Parses `{"<uid>":["ip", "ip_nodeId", "[v6]:port", …],…}` (V2bX bare IPs and XrayR `ip_nodeId`).
pub fn parse_alive(body: &[u8]) -> Result<AliveBatch, ReportError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| ReportError::NotJson(e.to_string()))?;
    let Value::Object(map) = value else {
        return Err(ReportError::Shape("expected an object of uid → [ip]"));
    };
    let mut batch = AliveBatch::default();
    for (key, v) in &map {
        let Some(user) = parse_uid_str(key) else {
            batch.skipped += 1;
            continue;
        };
        let mut ips = Vec::new();
        let mut take = |s: &str| match normalize_ip(s) {
            Some(ip) => ips.push(ip),
            None => batch.skipped += 1,
        };
        match v {
            Value::Array(items) => items.iter().for_each(|i| take(i.as_str().unwrap_or_default())),
            Value::String(s) => s.split(',').for_each(&mut take),
            _ => take(""),
        }
        ips.sort();
        ips.dedup();
        if !ips.is_empty() {
            batch.entries.push(AliveEntry { user, ips });
        }
    }
    batch.entries.sort_by_key(|e| e.user);
    batch.entries.dedup_by(|later, kept| {
        if later.user != kept.user {
            return false;
        }
        kept.ips.append(&mut later.ips);
        kept.ips.sort();
        kept.ips.dedup();
        true
    });
    Ok(batch)
}

/// `203.0.113.5:443` → `203.0.113.5`; `[2001:db8::1]:443` → `2001:db8::1`; `198.51.100.7_42` →
/// `198.51.100.7`; IPv4-mapped IPv6 → IPv4. `None` when no address is left.
pub fn normalize_ip(raw: &str) -> Option<IpAddr> {
    let mut s = raw.trim();
    if let Some((head, tail)) = s.rsplit_once('_')
        && !tail.is_empty()
        && tail.bytes().all(|b| b.is_ascii_digit())
    {
        s = head;
    }
    if let Some(rest) = s.strip_prefix('[') {
        s = rest.split_once(']').map(|(inner, _)| inner)?;
    } else if let Some((host, port)) = s.rsplit_once(':')
        && host.contains('.')
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        s = host;
    }
    s.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

/// `{"alive":{"<uid>":count,…}}` in uid order; zero counts are left out.
pub fn render_alivelist_counts(counts: &[(AgentUserId, u32)]) -> Vec<u8> {
    let mut sorted: Vec<&(AgentUserId, u32)> = counts.iter().filter(|(_, n)| *n > 0).collect();
    sorted.sort_by_key(|(u, _)| *u);
    let mut out = String::with_capacity(12 + sorted.len() * 12);
    out.push_str(r#"{"alive":{"#);
    for (i, (user, n)) in sorted.into_iter().enumerate() {
        let sep = if i > 0 { "," } else { "" };
        let _ = write!(out, r#"{sep}"{}":{n}"#, user.0);
    }
    out.push_str("}}");
    out.into_bytes()
}

/// `{"alive":{"<uid>":["ip",…],…}}` (the per-node IP-array shape), uid and IP order.
pub fn render_alivelist_ips(entries: &[AliveEntry]) -> Vec<u8> {
    let mut sorted: Vec<&AliveEntry> = entries.iter().filter(|e| !e.ips.is_empty()).collect();
    sorted.sort_by_key(|e| e.user);
    let mut out = String::with_capacity(12 + sorted.len() * 24);
    out.push_str(r#"{"alive":{"#);
    for (i, e) in sorted.into_iter().enumerate() {
        let sep = if i > 0 { "," } else { "" };
        let _ = write!(out, r#"{sep}"{}":["#, e.user.0);
        let mut ips = e.ips.clone();
        ips.sort();
        ips.dedup();
        for (k, ip) in ips.iter().enumerate() {
            let sep = if k > 0 { "," } else { "" };
            let _ = write!(out, r#"{sep}"{ip}""#);
        }
        out.push(']');
    }
    out.push_str("}}");
    out.into_bytes()
}

/// `total`/`used` in percent as agents report them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct UsagePercent {
    pub total: f64,
    pub used: f64,
}

/// `POST status` body (XrayR fork).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NodeStatus {
    pub cpu: f64,
    pub mem: UsagePercent,
    pub swap: UsagePercent,
    pub disk: UsagePercent,
}

/// Parses and range-checks a `status` body.
pub fn parse_status(body: &[u8]) -> Result<NodeStatus, ReportError> {
    let s: NodeStatus = serde_json::from_slice(body).map_err(|e| ReportError::NotJson(e.to_string()))?;
    let pct = |v: f64| v.is_finite() && (0.0..=100.0).contains(&v);
    let usage = |u: UsagePercent| pct(u.total) && pct(u.used) && u.used <= u.total;
    if !(pct(s.cpu) && usage(s.mem) && usage(s.swap) && usage(s.disk)) {
        return Err(ReportError::Shape("percentages must be within 0..=100 and used <= total"));
    }
    Ok(s)
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
