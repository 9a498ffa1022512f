//! Staff permissions and the role → permission table of API.md §3. Default deny: a
//! permission not listed for a role is refused.

use super::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Own profile, password, MFA and the roles list: every staff member.
    SelfService,
    AdminsManage,
    InvitationsManage,
    ApiKeysManage,
    ConfigManage,
    AuditRead,
    CatalogRead,
    CatalogWrite,
    CouponsRead,
    CouponsWrite,
    GiftCardsRead,
    GiftCardsWrite,
    GiftCardsExport,
    OrdersRead,
    OrdersCancel,
    OrdersMarkPaid,
    OrdersRefund,
    WalletAdjust,
    CustomersRead,
    CustomersBan,
    CustomersMfaReset,
    TicketsRead,
    TicketsReply,
    TicketsManage,
    AnnouncementsRead,
    AnnouncementsWrite,
    NodesRead,
    NodesWrite,
    WebhooksManage,
    AffiliateRead,
    AffiliateWrite,
    PackagesCancel,
}

use Permission::*;

impl Permission {
    pub const ALL: [Permission; 32] = [
        SelfService,
        AdminsManage,
        InvitationsManage,
        ApiKeysManage,
        ConfigManage,
        AuditRead,
        CatalogRead,
        CatalogWrite,
        CouponsRead,
        CouponsWrite,
        GiftCardsRead,
        GiftCardsWrite,
        GiftCardsExport,
        OrdersRead,
        OrdersCancel,
        OrdersMarkPaid,
        OrdersRefund,
        WalletAdjust,
        CustomersRead,
        CustomersBan,
        CustomersMfaReset,
        TicketsRead,
        TicketsReply,
        TicketsManage,
        AnnouncementsRead,
        AnnouncementsWrite,
        NodesRead,
        NodesWrite,
        WebhooksManage,
        AffiliateRead,
        AffiliateWrite,
        PackagesCancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SelfService => "self",
            AdminsManage => "admins.manage",
            InvitationsManage => "invitations.manage",
            ApiKeysManage => "api_keys.manage",
            ConfigManage => "config.manage",
            AuditRead => "audit.read",
            CatalogRead => "catalog.read",
            CatalogWrite => "catalog.write",
            CouponsRead => "coupons.read",
            CouponsWrite => "coupons.write",
            GiftCardsRead => "gift_cards.read",
            GiftCardsWrite => "gift_cards.write",
            GiftCardsExport => "gift_cards.export",
            OrdersRead => "orders.read",
            OrdersCancel => "orders.cancel",
            OrdersMarkPaid => "orders.mark_paid",
            OrdersRefund => "orders.refund",
            WalletAdjust => "wallet.adjust",
            CustomersRead => "customers.read",
            CustomersBan => "customers.ban",
            CustomersMfaReset => "customers.mfa_reset",
            TicketsRead => "tickets.read",
            TicketsReply => "tickets.reply",
            TicketsManage => "tickets.manage",
            AnnouncementsRead => "announcements.read",
            AnnouncementsWrite => "announcements.write",
            NodesRead => "nodes.read",
            NodesWrite => "nodes.write",
            WebhooksManage => "webhooks.manage",
            AffiliateRead => "affiliate.read",
            AffiliateWrite => "affiliate.write",
            PackagesCancel => "packages.cancel",
        }
    }

    pub fn parse(raw: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    /// Reveals secrets (every code of a gift-card batch) and changes state although it is a
    /// GET: guarded like a write (TOTP required).
    pub fn reveals_secrets(self) -> bool {
        matches!(self, GiftCardsExport)
    }

    /// Human-only: an API key never holds these (API.md §1).
    pub fn human_only(self) -> bool {
        matches!(self, SelfService | AdminsManage | InvitationsManage | ApiKeysManage | ConfigManage | WebhooksManage)
    }
}

const SUPER_ADMIN: &[Permission] = &Permission::ALL;

const MODERATOR: &[Permission] = &[
    SelfService,
    CatalogRead,
    CatalogWrite,
    CouponsRead,
    CouponsWrite,
    GiftCardsRead,
    GiftCardsWrite,
    GiftCardsExport,
    OrdersRead,
    OrdersCancel,
    WalletAdjust,
    CustomersRead,
    CustomersBan,
    CustomersMfaReset,
    TicketsRead,
    TicketsReply,
    TicketsManage,
    AnnouncementsRead,
    AnnouncementsWrite,
    NodesRead,
    NodesWrite,
    AffiliateRead,
    AffiliateWrite,
    PackagesCancel,
];

const CUSTOMER_SUPPORT: &[Permission] = &[
    SelfService,
    CatalogRead,
    CouponsRead,
    GiftCardsRead,
    OrdersRead,
    OrdersCancel,
    CustomersRead,
    CustomersBan,
    CustomersMfaReset,
    TicketsRead,
    TicketsReply,
    TicketsManage,
    AnnouncementsRead,
    NodesRead,
    AffiliateRead,
];

const SUPPORT_BOT: &[Permission] = &[SelfService, OrdersRead, CustomersRead, TicketsRead, TicketsReply];

impl Role {
    /// The role's permissions (API.md §3).
    pub fn permissions(self) -> &'static [Permission] {
        match self {
            Role::SuperAdmin => SUPER_ADMIN,
            Role::Moderator => MODERATOR,
            Role::CustomerSupport => CUSTOMER_SUPPORT,
            Role::SupportBot => SUPPORT_BOT,
        }
    }

    pub fn can(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_parse_back() {
        let mut seen = HashSet::new();
        for p in Permission::ALL {
            assert!(seen.insert(p.as_str()), "{}", p.as_str());
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        assert_eq!(Permission::parse("everything"), None);
    }

    #[test]
    fn the_matrix_matches_api_md() {
        assert!(Role::ALL.iter().all(|r| r.can(SelfService) && r.can(CustomersRead) && r.can(OrdersRead)));
        for p in [AdminsManage, InvitationsManage, ApiKeysManage, ConfigManage, AuditRead, WebhooksManage] {
            assert!(Role::SuperAdmin.can(p));
            assert!(!Role::Moderator.can(p) && !Role::CustomerSupport.can(p) && !Role::SupportBot.can(p), "{p:?}");
        }
        for p in [CustomersBan, CustomersMfaReset] {
            assert!(Role::Moderator.can(p) && Role::CustomerSupport.can(p) && !Role::SupportBot.can(p));
        }
        assert!(!Role::CustomerSupport.can(WalletAdjust) && Role::Moderator.can(WalletAdjust));
        assert!(!Role::Moderator.can(OrdersRefund) && !Role::Moderator.can(OrdersMarkPaid));
        assert!(Role::SupportBot.can(TicketsReply) && !Role::SupportBot.can(TicketsManage));
    }

    #[test]
    fn lower_roles_hold_subsets_of_higher_ones() {
        for pair in [Role::SuperAdmin, Role::Moderator, Role::CustomerSupport, Role::SupportBot].windows(2) {
            let (high, low) = (pair[0], pair[1]);
            assert!(low.permissions().iter().all(|p| high.can(*p)), "{low:?} ⊄ {high:?}");
        }
    }
}
