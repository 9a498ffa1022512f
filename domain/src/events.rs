//! Domain events: what happened, announced through the transactional outbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Event type names, `<domain>.<event>`.
pub mod types {
    pub const EMAIL_REQUESTED: &str = "email.requested";
    pub const SYSTEM_PROBE: &str = "system.probe";
    pub const USER_REGISTERED: &str = "user.registered";
    pub const USER_SIGNED_IN: &str = "user.signed_in";
    pub const USER_PASSWORD_CHANGED: &str = "user.password_changed";
    pub const USER_MFA_CHANGED: &str = "user.mfa_changed";
    pub const USER_BANNED: &str = "user.banned";
    pub const USER_UNBANNED: &str = "user.unbanned";
    /// An order was paid (wallet, gateway or staff); delivery follows.
    pub const ORDER_PAID: &str = "order.paid";
    /// The paid order's entitlement is recorded (`shop::model::OrderDelivered`).
    pub const ORDER_DELIVERED: &str = "order.delivered";
    pub const ORDER_CANCELLED: &str = "order.cancelled";
    /// Money went back to the wallet (`shop::model::OrderRefunded`).
    pub const ORDER_REFUNDED: &str = "order.refunded";
    pub const PAYMENT_SUCCEEDED: &str = "payment.succeeded";
    pub const PACKAGE_ACTIVATED: &str = "package.activated";
    pub const PACKAGE_EXPIRING: &str = "package.expiring";
    pub const PACKAGE_CONSUMED: &str = "package.consumed";
    pub const NODE_OFFLINE: &str = "node.offline";
    pub const NODE_ONLINE: &str = "node.online";
    pub const USER_EMAIL_CHANGED: &str = "user.email_changed";
    /// A commission was recorded for a referrer (`market`).
    pub const COMMISSION_CREATED: &str = "commission.created";
    pub const TICKET_CREATED: &str = "ticket.created";
    /// A message on a ticket, by the customer or staff (never an internal note).
    pub const TICKET_REPLIED: &str = "ticket.replied";
    pub const TICKET_STATUS_CHANGED: &str = "ticket.status_changed";
    pub const ANNOUNCEMENT_PUBLISHED: &str = "announcement.published";
    /// A staff-triggered test delivery to one outgoing webhook endpoint.
    pub const WEBHOOK_TEST: &str = "webhook.test";
}

/// The envelope every event travels in (also the AMQP message body).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// UUID v7: time-ordered, and the AMQP message id.
    pub id: Uuid,
    pub event_type: String,
    pub aggregate_id: String,
    pub occurred_at: DateTime<Utc>,
    pub schema_version: i32,
    pub payload: serde_json::Value,
}

impl Event {
    pub fn new(
        id: Uuid,
        event_type: impl Into<String>,
        aggregate_id: impl Into<String>,
        occurred_at: DateTime<Utc>,
        payload: serde_json::Value,
    ) -> Self {
        Self {
            id,
            event_type: event_type.into(),
            aggregate_id: aggregate_id.into(),
            occurred_at,
            schema_version: 1,
            payload,
        }
    }

    /// Whether `event_type` is well formed: lowercase `<domain>.<event>` segments.
    pub fn valid_type(event_type: &str) -> bool {
        let mut parts = event_type.split('.');
        let ok =
            |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        matches!((parts.next(), parts.next()), (Some(a), Some(b)) if ok(a) && ok(b)) && parts.all(ok)
    }
}

/// Every email the product sends; the name is the template file stem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailTemplate {
    RegisterMagicLink,
    RegisterExistingAccount,
    PasswordReset,
    SignInCode,
    EmailChangeConfirm,
    AdminInvitation,
    AdminSetup,
    SecurityPasswordChanged,
    SecurityMfaChanged,
    SecurityNewSignIn,
    SecurityMethodChanged,
    TicketReply,
    TicketStatusChanged,
    OrderPaid,
    PackageActivated,
    PackageExpiring,
    AutoRenewFailed,
    EmailChangeRequested,
    Announcement,
    PackageConsumed,
}

impl EmailTemplate {
    pub const ALL: [EmailTemplate; 20] = [
        EmailTemplate::RegisterMagicLink,
        EmailTemplate::RegisterExistingAccount,
        EmailTemplate::PasswordReset,
        EmailTemplate::SignInCode,
        EmailTemplate::EmailChangeConfirm,
        EmailTemplate::AdminInvitation,
        EmailTemplate::AdminSetup,
        EmailTemplate::SecurityPasswordChanged,
        EmailTemplate::SecurityMfaChanged,
        EmailTemplate::SecurityNewSignIn,
        EmailTemplate::SecurityMethodChanged,
        EmailTemplate::TicketReply,
        EmailTemplate::TicketStatusChanged,
        EmailTemplate::OrderPaid,
        EmailTemplate::PackageActivated,
        EmailTemplate::PackageExpiring,
        EmailTemplate::AutoRenewFailed,
        EmailTemplate::EmailChangeRequested,
        EmailTemplate::Announcement,
        EmailTemplate::PackageConsumed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EmailTemplate::RegisterMagicLink => "register_magic_link",
            EmailTemplate::RegisterExistingAccount => "register_existing_account",
            EmailTemplate::PasswordReset => "password_reset",
            EmailTemplate::SignInCode => "sign_in_code",
            EmailTemplate::EmailChangeConfirm => "email_change_confirm",
            EmailTemplate::AdminInvitation => "admin_invitation",
            EmailTemplate::AdminSetup => "admin_setup",
            EmailTemplate::SecurityPasswordChanged => "security_password_changed",
            EmailTemplate::SecurityMfaChanged => "security_mfa_changed",
            EmailTemplate::SecurityNewSignIn => "security_new_sign_in",
            EmailTemplate::SecurityMethodChanged => "security_method_changed",
            EmailTemplate::TicketReply => "ticket_reply",
            EmailTemplate::TicketStatusChanged => "ticket_status_changed",
            EmailTemplate::OrderPaid => "order_paid",
            EmailTemplate::PackageActivated => "package_activated",
            EmailTemplate::PackageExpiring => "package_expiring",
            EmailTemplate::AutoRenewFailed => "auto_renew_failed",
            EmailTemplate::EmailChangeRequested => "email_change_requested",
            EmailTemplate::Announcement => "announcement",
            EmailTemplate::PackageConsumed => "package_consumed",
        }
    }
}

/// Notification categories: every e-mail belongs to one; the mailer sends a non-security
/// e-mail only when its recipient has the category on (`notify::preferences`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum Category {
    /// Sign-in links, codes, password and MFA notices: always sent (locked on).
    Security,
    /// Service reminders: package activated, expiring, used up.
    Service,
    /// Orders, payments, renewals.
    Billing,
    /// Support ticket replies and status changes.
    Support,
    /// Announcements and other promotional mail.
    Marketing,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::Security, Category::Service, Category::Billing, Category::Support, Category::Marketing];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Service => "service",
            Category::Billing => "billing",
            Category::Support => "support",
            Category::Marketing => "marketing",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// A locked category cannot be turned off.
    pub fn locked(self) -> bool {
        self == Category::Security
    }
}

impl EmailTemplate {
    /// The preference category that decides whether this e-mail may be sent. Staff e-mails and every
    /// e-mail that grants or protects access are `Security`.
    pub fn category(self) -> Category {
        match self {
            EmailTemplate::RegisterMagicLink
            | EmailTemplate::RegisterExistingAccount
            | EmailTemplate::PasswordReset
            | EmailTemplate::SignInCode
            | EmailTemplate::EmailChangeConfirm
            | EmailTemplate::AdminInvitation
            | EmailTemplate::AdminSetup
            | EmailTemplate::SecurityPasswordChanged
            | EmailTemplate::SecurityMfaChanged
            | EmailTemplate::SecurityNewSignIn
            | EmailTemplate::SecurityMethodChanged
            | EmailTemplate::EmailChangeRequested => Category::Security,
            EmailTemplate::Announcement => Category::Marketing,
            EmailTemplate::TicketReply | EmailTemplate::TicketStatusChanged => Category::Support,
            EmailTemplate::OrderPaid | EmailTemplate::AutoRenewFailed => Category::Billing,
            EmailTemplate::PackageActivated | EmailTemplate::PackageExpiring | EmailTemplate::PackageConsumed => {
                Category::Service
            }
        }
    }
}

/// Payload of `email.requested`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EmailRequested {
    pub to: String,
    pub template: EmailTemplate,
    /// Template variables that may be seen (names, times). Never logged.
    #[serde(default)]
    pub context: serde_json::Map<String, serde_json::Value>,
    /// Template variables that must not be seen by anyone but the mailer (links, codes): a JSON
    /// object sealed under the data key and bound to the event id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
    #[serde(default)]
    pub locale: Option<String>,
    /// The preference category deciding whether it may be sent, when not the template's own
    /// (announcements go out as `marketing` or `service`). Never overrides `security`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
}

impl EmailRequested {
    /// The category the mailer checks the recipient's preferences against.
    pub fn category(&self) -> Category {
        match (self.template.category(), self.category) {
            (Category::Security, _) => Category::Security,
            (own, None) => own,
            (_, Some(chosen)) => chosen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_are_checked() {
        assert!(Event::valid_type("email.requested"));
        assert!(Event::valid_type("user.mfa_changed"));
        assert!(!Event::valid_type("email"));
        assert!(!Event::valid_type("Email.Requested"));
        assert!(!Event::valid_type("a..b"));
    }

    #[test]
    fn template_names_round_trip_through_serde() {
        for t in EmailTemplate::ALL {
            let json = serde_json::to_value(t).unwrap();
            assert_eq!(json, serde_json::Value::String(t.name().to_owned()));
            assert_eq!(serde_json::from_value::<EmailTemplate>(json).unwrap(), t);
        }
    }

    #[test]
    fn email_payload_rejects_unknown_fields() {
        let bad = serde_json::json!({"to": "a@b.c", "template": "password_reset", "bcc": "x@y.z"});
        assert!(serde_json::from_value::<EmailRequested>(bad).is_err());
    }
}

crate::pg_text!(Category);
