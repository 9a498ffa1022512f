//! Settles gateway payments whose notify never arrived: asks the gateway
//! (`api.php?act=order`, WIRE-FORMATS C.1) about each payment still pending after a minute
//! and settles those it reports paid, through the same checks as a notify.

use std::time::Duration;

use helium_domain::DomainError;
use serde_json::Value;

use super::checkout::{Checkout, GatewayReport, open_key};
use super::store::payments;
use crate::cron::{BATCH, Job, JobContext};

/// How long a payment may wait for its notify before the gateway is asked.
const MIN_AGE_SECS: f64 = 60.0;

/// One gateway's answer about one payment, when it says "paid".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryAnswer {
    pub trade_no: String,
    pub money: String,
    pub pid: String,
}

/// Reads an `act=order` answer: `code` 1 and `status` 1 mean paid. Numbers may come as
/// strings or numbers depending on the gateway's PHP.
pub fn paid_answer(body: &Value, out_trade_no: &str) -> Option<QueryAnswer> {
    let text = |k: &str| match body.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let one = |k: &str| text(k).as_deref() == Some("1");
    if !one("code") || !one("status") || text("out_trade_no").as_deref() != Some(out_trade_no) {
        return None;
    }
    Some(QueryAnswer { trade_no: text("trade_no")?, money: text("money")?, pid: text("pid")? })
}

impl Checkout {
    /// Asks the gateway about up to `batch` unresolved payments; returns how many settled.
    pub async fn query_unresolved(&self, http: &reqwest::Client, batch: i64) -> Result<u64, DomainError> {
        let pending = {
            let mut c = self.0.db.conn().await?;
            payments::unresolved(&mut c, MIN_AGE_SECS, batch).await?
        };
        let mut settled = 0;
        for out_trade_no in pending {
            match self.query_one(http, &out_trade_no).await {
                Ok(true) => settled += 1,
                Ok(false) => {}
                // One gateway being down must not stop the others; the next run retries.
                Err(e) => tracing::warn!(out_trade_no, error = %e, "gateway query failed"),
            }
        }
        Ok(settled)
    }

    async fn query_one(&self, http: &reqwest::Client, out_trade_no: &str) -> Result<bool, DomainError> {
        let (payment, key) = {
            let mut tx = self.0.db.begin().await?;
            let Some(p) = payments::gateway_by_out_trade_no(&mut tx, out_trade_no).await? else {
                return Ok(false);
            };
            let key = open_key(&self.0, &mut tx, p.method_id, &p.key_sealed).await?;
            tx.commit().await.map_err(crate::db::DbError::from)?;
            (p, key)
        };
        let url = crate::gateways::epay::query_url(&payment.url, &payment.pid, &key, out_trade_no);
        // The URL carries the key: errors are reported without it.
        let sent = match http.get(&url).build() {
            Ok(req) => crate::trace::send_http(http, req).await,
            Err(e) => Err(e),
        };
        let body: Value = match sent.and_then(reqwest::Response::error_for_status) {
            Ok(res) => {
                res.json().await.map_err(|e| DomainError::Internal(format!("gateway answer: {}", e.without_url())))?
            }
            Err(e) => return Err(DomainError::Internal(format!("gateway query: {}", e.without_url()))),
        };
        let Some(answer) = paid_answer(&body, out_trade_no) else {
            return Ok(false);
        };
        let report = GatewayReport {
            out_trade_no,
            trade_no: &answer.trade_no,
            money: &answer.money,
            pid: &answer.pid,
            paid: true,
        };
        self.settle(&report).await?;
        Ok(true)
    }
}

/// The cron job around [`Checkout::query_unresolved`].
pub struct QueryGatewayPayments {
    checkout: Checkout,
    http: reqwest::Client,
}

impl QueryGatewayPayments {
    pub fn new(checkout: Checkout) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { checkout, http }
    }
}

#[async_trait::async_trait]
impl Job for QueryGatewayPayments {
    fn name(&self) -> &'static str {
        "query_gateway_payments"
    }

    async fn run(&self, _ctx: &JobContext) -> anyhow::Result<u64> {
        Ok(self.checkout.query_unresolved(&self.http, BATCH).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_a_paid_answer_for_this_payment_counts() {
        let paid =
            json!({"code": 1, "status": "1", "out_trade_no": "P1", "trade_no": "G9", "money": "1.50", "pid": 1001});
        assert_eq!(
            paid_answer(&paid, "P1"),
            Some(QueryAnswer { trade_no: "G9".into(), money: "1.50".into(), pid: "1001".into() })
        );
        assert_eq!(paid_answer(&paid, "P2"), None, "another payment's answer");
        let unpaid =
            json!({"code": 1, "status": 0, "out_trade_no": "P1", "trade_no": "G9", "money": "1.50", "pid": "1001"});
        assert_eq!(paid_answer(&unpaid, "P1"), None);
        assert_eq!(paid_answer(&json!({"code": -1, "msg": "no such order"}), "P1"), None);
    }
}
