//! The ticket state machine, as pure functions: who may move a ticket where.

use super::model::TicketStatus::{self, Closed, Open, Pending, Resolved};
use crate::admin::{Permission, StaffPrincipal};
use crate::error::{DomainError, ErrorCode};

/// How many open or pending tickets one customer may have at once; one more is refused
/// (409 `invalid_state`) until one is resolved or closed.
pub const MAX_UNRESOLVED_PER_CUSTOMER: i64 = 20;

/// How many messages (replies and notes) one ticket holds; a conversation longer than that
/// continues in a new ticket (409 `invalid_state`). Keeps getTicket's answer bounded.
pub const MAX_MESSAGES_PER_TICKET: i64 = 200;

/// Whether a ticket holding `count` messages takes one more.
pub fn room_for_message(count: i64) -> Result<(), DomainError> {
    if count < MAX_MESSAGES_PER_TICKET {
        Ok(())
    } else {
        Err(DomainError::rejected(
            ErrorCode::InvalidState,
            format!("a ticket holds at most {MAX_MESSAGES_PER_TICKET} messages; open a new one"),
        ))
    }
}

fn closed() -> DomainError {
    DomainError::rejected(ErrorCode::TicketClosed, "this ticket is closed")
}

/// Whether staff may set a ticket from `from` to `to` (adminSetTicketStatus):
/// open ⇄ pending, open/pending → resolved, resolved → open (reopen), any live state →
/// closed. Nothing leaves `closed`, and setting the current state again is refused.
pub fn staff_may_set(from: TicketStatus, to: TicketStatus) -> bool {
    matches!(
        (from, to),
        (Open, Pending)
            | (Pending, Open)
            | (Open | Pending, Resolved)
            | (Resolved, Open)
            | (Open | Pending | Resolved, Closed)
    )
}

/// adminSetTicketStatus: the new state, or 409 `invalid_ticket_transition`.
pub fn staff_set(from: TicketStatus, to: TicketStatus) -> Result<TicketStatus, DomainError> {
    if staff_may_set(from, to) {
        Ok(to)
    } else {
        Err(DomainError::rejected(
            ErrorCode::InvalidTicketTransition,
            format!("a ticket cannot go from {} to {}", from.as_str(), to.as_str()),
        ))
    }
}

/// The state after a customer's reply: it is staff's turn again (a resolved ticket reopens).
pub fn after_customer_reply(from: TicketStatus) -> Result<TicketStatus, DomainError> {
    match from {
        Open | Pending | Resolved => Ok(Open),
        Closed => Err(closed()),
    }
}

/// The state after a staff message: a reply on an open ticket hands the turn to the customer;
/// an internal note changes nothing. A resolved ticket stays resolved.
pub fn after_staff_message(from: TicketStatus, internal: bool) -> Result<TicketStatus, DomainError> {
    match (from, internal) {
        (Closed, _) => Err(closed()),
        (Open, false) => Ok(Pending),
        (s, _) => Ok(s),
    }
}

/// closeTicket by the customer: from any live state; a closed ticket answers 409 ticket_closed.
pub fn customer_close(from: TicketStatus) -> Result<TicketStatus, DomainError> {
    match from {
        Closed => Err(closed()),
        _ => Ok(Closed),
    }
}

/// Internal notes are for staff who manage tickets: SupportBot may reply, not annotate
/// (403 `permission_denied`).
pub fn may_write_note(staff: &StaffPrincipal) -> Result<(), DomainError> {
    if staff.can(Permission::TicketsManage) {
        Ok(())
    } else {
        Err(DomainError::rejected(ErrorCode::PermissionDenied, "internal notes need the `tickets.manage` permission"))
    }
}

/// Whether the customer is e-mailed about a staff status change to `to`.
pub fn notify_customer_of(to: TicketStatus) -> bool {
    matches!(to, Resolved | Closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<TicketStatus, DomainError>) -> Option<ErrorCode> {
        r.err().map(|e| e.code())
    }

    #[test]
    fn staff_transition_table() {
        let allowed = [
            (Open, Pending),
            (Pending, Open),
            (Open, Resolved),
            (Pending, Resolved),
            (Resolved, Open),
            (Open, Closed),
            (Pending, Closed),
            (Resolved, Closed),
        ];
        for from in TicketStatus::ALL {
            for to in TicketStatus::ALL {
                let ok = allowed.contains(&(from, to));
                assert_eq!(staff_may_set(from, to), ok, "{from:?} -> {to:?}");
                if ok {
                    assert_eq!(staff_set(from, to).ok(), Some(to));
                } else {
                    assert_eq!(code(staff_set(from, to)), Some(ErrorCode::InvalidTicketTransition));
                }
            }
        }
    }

    #[test]
    fn closed_is_final() {
        for to in TicketStatus::ALL {
            assert!(!staff_may_set(Closed, to));
        }
        assert_eq!(code(after_customer_reply(Closed)), Some(ErrorCode::TicketClosed));
        assert_eq!(code(after_staff_message(Closed, false)), Some(ErrorCode::TicketClosed));
        assert_eq!(code(after_staff_message(Closed, true)), Some(ErrorCode::TicketClosed));
        assert_eq!(code(customer_close(Closed)), Some(ErrorCode::TicketClosed));
    }

    #[test]
    fn replies_pass_the_turn() {
        assert_eq!(after_staff_message(Open, false).ok(), Some(Pending));
        assert_eq!(after_staff_message(Pending, false).ok(), Some(Pending));
        assert_eq!(after_staff_message(Resolved, false).ok(), Some(Resolved));
        assert_eq!(after_staff_message(Open, true).ok(), Some(Open));
        assert_eq!(after_staff_message(Pending, true).ok(), Some(Pending));
        for from in [Open, Pending, Resolved] {
            assert_eq!(after_customer_reply(from).ok(), Some(Open), "{from:?}");
            assert_eq!(customer_close(from).ok(), Some(Closed), "{from:?}");
        }
    }

    #[test]
    fn tickets_hold_a_bounded_number_of_messages() {
        assert!(room_for_message(0).is_ok());
        assert!(room_for_message(MAX_MESSAGES_PER_TICKET - 1).is_ok());
        let full = room_for_message(MAX_MESSAGES_PER_TICKET).err().map(|e| e.code());
        assert_eq!(full, Some(ErrorCode::InvalidState));
    }

    #[test]
    fn customers_hear_of_resolution_and_closing_only() {
        assert!(notify_customer_of(Resolved) && notify_customer_of(Closed));
        assert!(!notify_customer_of(Open) && !notify_customer_of(Pending));
    }
}
