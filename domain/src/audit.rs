//! The staff audit log's vocabulary: who acted ([`Actor`]), what they did ([`AuditAction`])
//! and to what ([`Change`]). Infrastructure appends one entry in the transaction of each change.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::client::ClientInfo;

/// The kind of principal behind a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    Admin,
    ApiKey,
    Cli,
    System,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Admin => "admin",
            ActorKind::ApiKey => "api_key",
            ActorKind::Cli => "cli",
            ActorKind::System => "system",
        }
    }
}

/// Who did it, from where. `request_id`, `ip` and `user_agent` are absent for the CLI and jobs.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<Uuid>,
    pub role: Option<String>,
    pub request_id: Option<String>,
    pub client: ClientInfo,
}

impl Actor {
    pub fn cli() -> Self {
        Self { kind: ActorKind::Cli, id: None, role: None, request_id: None, client: ClientInfo::default() }
    }

    pub fn system() -> Self {
        Self { kind: ActorKind::System, ..Self::cli() }
    }

    /// A staff account acting for itself outside a session (setup link, invitation accept).
    pub fn admin(id: Uuid, role: &str) -> Self {
        Self { kind: ActorKind::Admin, id: Some(id), role: Some(role.to_owned()), ..Self::cli() }
    }
}

macro_rules! audit_actions {
    ($( $variant:ident = $name:literal ),+ $(,)?) => {
        /// Every action the audit log records; the name is stored and filtered on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction { $($variant),+ }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $(AuditAction::$variant => $name),+ }
            }
        }
    };
}

audit_actions! {
    AdminCreate = "admin.create",
    AdminSetup = "admin.setup",
    AdminUpdate = "admin.update",
    AdminDelete = "admin.delete",
    AdminUpdateMe = "admin.update_me",
    AdminPasswordChange = "admin.password_change",
    AdminMfaSetup = "admin.mfa_setup",
    AdminMfaEnable = "admin.mfa_enable",
    AdminMfaDisable = "admin.mfa_disable",
    AdminRecoveryCodesRegenerate = "admin.recovery_codes_regenerate",
    ApiKeyCreate = "api_key.create",
    ApiKeyRevoke = "api_key.revoke",
    InvitationCreate = "invitation.create",
    InvitationRevoke = "invitation.revoke",
    InvitationAccept = "invitation.accept",
    ConfigUpdate = "config.update",
    CustomerBan = "customer.ban",
    CustomerUnban = "customer.unban",
    CustomerMfaReset = "customer.mfa_reset",
    CustomerSessionsRevoke = "customer.sessions_revoke",
    AuditChainBroken = "audit.chain_broken",
    GroupCreate = "group.create",
    GroupUpdate = "group.update",
    GroupDelete = "group.delete",
    CustomerGroupsSet = "customer.groups_set",
    SeriesCreate = "package_series.create",
    SeriesUpdate = "package_series.update",
    VersionCreate = "package_version.create",
    VersionPublish = "package_version.publish",
    ProductCreate = "product.create",
    ProductUpdate = "product.update",
    ProductArchive = "product.archive",
    CouponCreate = "coupon.create",
    CouponUpdate = "coupon.update",
    CouponDelete = "coupon.delete",
    OrderCancel = "order.cancel",
    OrderMarkPaid = "order.mark_paid",
    OrderRefund = "order.refund",
    PaymentMethodCreate = "payment_method.create",
    PaymentMethodUpdate = "payment_method.update",
    PaymentMethodDisable = "payment_method.disable",
    WalletAdjust = "wallet.adjust",
    WalletDrift = "wallet.drift",
    GiftCardBatchCreate = "gift_card_batch.create",
    GiftCardBatchExport = "gift_card_batch.export",
    GiftCardSpecialCreate = "gift_card.create_special",
    GiftCardUpdate = "gift_card.update",
    SubscriptionRotate = "subscription.rotate",
    PackageCancel = "package.cancel",
    NodeServerCreate = "node_server.create",
    NodeServerUpdate = "node_server.update",
    NodeServerDelete = "node_server.delete",
    NodeServerMaintenance = "node_server.maintenance",
    NodeClientCreate = "node_client.create",
    NodeClientUpdate = "node_client.update",
    NodeClientDelete = "node_client.delete",
    AffiliatePolicyUpdate = "affiliate_policy.update",
    AnnouncementCreate = "announcement.create",
    AnnouncementUpdate = "announcement.update",
    AnnouncementDelete = "announcement.delete",
    TicketReply = "ticket.reply",
    TicketNote = "ticket.note",
    TicketAssign = "ticket.assign",
    TicketStatus = "ticket.status",
    WebhookEndpointCreate = "webhook_endpoint.create",
    WebhookEndpointUpdate = "webhook_endpoint.update",
    WebhookEndpointDelete = "webhook_endpoint.delete",
    WebhookSecretRotate = "webhook_endpoint.rotate_secret",
    WebhookTestSend = "webhook_endpoint.test",
    WebhookDeliveryRetry = "webhook_delivery.retry",
}

/// One change: `before`/`after` hold only the changed fields, secrets already redacted.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub action: AuditAction,
    pub target_type: &'a str,
    pub target_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<&'a str>,
}

impl<'a> Change<'a> {
    pub fn new(action: AuditAction, target_type: &'a str, target_id: impl ToString) -> Self {
        Self { action, target_type, target_id: Some(target_id.to_string()), before: None, after: None, reason: None }
    }

    pub fn before(mut self, v: Value) -> Self {
        self.before = Some(v);
        self
    }

    pub fn after(mut self, v: Value) -> Self {
        self.after = Some(v);
        self
    }

    pub fn reason(mut self, r: &'a str) -> Self {
        self.reason = Some(r);
        self
    }
}

/// One recorded entry, as staff read it.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_type: String,
    pub actor_id: Option<Uuid>,
    pub actor_role: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<String>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Filters of the audit list (all optional, combined with AND).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn action_names_are_unique_and_dotted() {
        let mut seen = HashSet::new();
        for a in AuditAction::ALL {
            assert!(seen.insert(a.as_str()), "{a:?}");
            assert!(a.as_str().contains('.'), "{a:?}");
        }
    }
}
