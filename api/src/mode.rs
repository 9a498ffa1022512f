//! Worker modes of the `helium` server.

use std::fmt;
use std::net::SocketAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkMode {
    Api,
    Grpc,
    SubscribeApi,
    WebhookApi,
    Consumer,
    Mailer,
    CronExecutor,
    All,
}

impl WorkMode {
    pub const ALL: [WorkMode; 8] = [
        WorkMode::Api,
        WorkMode::Grpc,
        WorkMode::SubscribeApi,
        WorkMode::WebhookApi,
        WorkMode::Consumer,
        WorkMode::Mailer,
        WorkMode::CronExecutor,
        WorkMode::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WorkMode::Api => "api",
            WorkMode::Grpc => "grpc",
            WorkMode::SubscribeApi => "subscribe_api",
            WorkMode::WebhookApi => "webhook_api",
            WorkMode::Consumer => "consumer",
            WorkMode::Mailer => "mailer",
            WorkMode::CronExecutor => "cron_executor",
            WorkMode::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<WorkMode> {
        WorkMode::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    pub fn valid_list() -> String {
        WorkMode::ALL.map(WorkMode::as_str).join(", ")
    }

    /// The main listener's default address (ARCHITECTURE.md; seed defaults for seed modes).
    pub fn default_listen_addr(self) -> Option<SocketAddr> {
        let port = match self {
            WorkMode::Api => 8000,
            WorkMode::Grpc => 50051,
            WorkMode::SubscribeApi | WorkMode::All => 8080,
            WorkMode::WebhookApi => 8081,
            WorkMode::Consumer | WorkMode::Mailer | WorkMode::CronExecutor => return None,
        };
        Some(SocketAddr::from(([0, 0, 0, 0], port)))
    }

    /// Service name used in logs (the seed's OpenTelemetry names).
    pub fn service_name(self) -> &'static str {
        match self {
            WorkMode::Api => "Helium.api",
            WorkMode::Grpc => "Helium.grpc",
            WorkMode::SubscribeApi => "Helium.subscribe-api",
            WorkMode::WebhookApi => "Helium.webhook-api",
            WorkMode::Consumer => "Helium.consumer",
            WorkMode::Mailer => "Helium.mailer",
            WorkMode::CronExecutor => "Helium.cron-executor",
            WorkMode::All => "Helium.all",
        }
    }
}

impl fmt::Display for WorkMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_round_trips() {
        for m in WorkMode::ALL {
            assert_eq!(WorkMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(WorkMode::parse("bogus"), None);
        assert!(WorkMode::valid_list().contains("cron_executor"));
    }

    #[test]
    fn listen_defaults_follow_the_architecture() {
        assert_eq!(WorkMode::Api.default_listen_addr().map(|a| a.port()), Some(8000));
        assert_eq!(WorkMode::Grpc.default_listen_addr().map(|a| a.port()), Some(50051));
        assert_eq!(WorkMode::SubscribeApi.default_listen_addr().map(|a| a.port()), Some(8080));
        assert_eq!(WorkMode::WebhookApi.default_listen_addr().map(|a| a.port()), Some(8081));
        assert_eq!(WorkMode::All.default_listen_addr().map(|a| a.port()), Some(8080));
        assert_eq!(WorkMode::Mailer.default_listen_addr(), None);
    }
}
