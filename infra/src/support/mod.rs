//! Support tickets: customers open and answer their own tickets ([`tickets::Tickets`]);
//! staff list, answer, annotate, assign and move them ([`staff::StaffTickets`]). Every state
//! change locks the ticket row, and writes its events (and e-mails) through the outbox in the
//! same transaction.

pub mod context;
mod notices;
pub mod staff;
pub mod store;
pub mod tickets;

use std::sync::Arc;

pub use context::SupportContext;

#[derive(Clone)]
pub struct SupportServices {
    pub context: Arc<SupportContext>,
    pub tickets: tickets::Tickets,
    pub staff: staff::StaffTickets,
}

impl SupportServices {
    pub fn new(context: SupportContext) -> Self {
        let ctx = Arc::new(context);
        Self { tickets: tickets::Tickets(ctx.clone()), staff: staff::StaffTickets(ctx.clone()), context: ctx }
    }
}
