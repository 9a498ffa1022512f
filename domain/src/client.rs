//! Facts about the caller recorded on sessions and audit rows.

/// Stored user agents are cut to this many bytes (at a character boundary).
pub const USER_AGENT_MAX_BYTES: usize = 512;

/// User agent and address of a request (behind trusted proxies, the forwarded address).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub device: Option<String>,
    pub ip: Option<String>,
}

impl ClientInfo {
    /// Builds the facts, cutting an over-long user agent and dropping control characters.
    pub fn new(user_agent: Option<&str>, ip: Option<String>) -> Self {
        let device = user_agent.map(|ua| truncate_bytes(&ua.replace(char::is_control, ""), USER_AGENT_MAX_BYTES));
        Self { device, ip }
    }
}

/// `s` cut to at most `max` bytes without splitting a character.
pub fn truncate_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_are_cut_at_a_character_boundary() {
        let long = "é".repeat(400);
        let c = ClientInfo::new(Some(&long), None);
        let d = c.device.unwrap_or_default();
        assert!(d.len() <= USER_AGENT_MAX_BYTES && d.len() >= USER_AGENT_MAX_BYTES - 1);
        assert_eq!(ClientInfo::new(Some("a\u{0}b"), None).device.as_deref(), Some("ab"));
    }
}
