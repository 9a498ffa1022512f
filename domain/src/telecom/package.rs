//! Packages: what a delivered order gives a customer, and the rules of the queue.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::shop::model::TrafficReset;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum PackageStatus {
    InQueue,
    Active,
    Consumed,
    Cancelled,
}

impl PackageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PackageStatus::InQueue => "in_queue",
            PackageStatus::Active => "active",
            PackageStatus::Consumed => "consumed",
            PackageStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::InQueue, Self::Active, Self::Consumed, Self::Cancelled].into_iter().find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub id: Uuid,
    pub user_id: Uuid,
    pub order_id: Option<Uuid>,
    pub product_id: Option<Uuid>,
    pub name: String,
    pub status: PackageStatus,
    pub traffic_bytes: i64,
    pub duration_days: i32,
    pub speed_limit_mbps: Option<i32>,
    pub device_limit: Option<i32>,
    pub traffic_reset: String,
    pub group_ids: Vec<Uuid>,
    pub upload: i64,
    pub download: i64,
    pub activated_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Package {
    pub fn used(&self) -> i64 {
        self.upload.saturating_add(self.download)
    }

    pub fn remaining(&self) -> i64 {
        (self.traffic_bytes - self.used()).max(0)
    }

    /// Usable right now: active, not expired, traffic left.
    pub fn usable(&self, now: DateTime<Utc>) -> bool {
        self.status == PackageStatus::Active && self.expires_at.is_some_and(|e| e > now) && self.remaining() > 0
    }
}

/// When a package activated at `at` for `days` days ends.
pub fn expiry(at: DateTime<Utc>, days: i32) -> DateTime<Utc> {
    at + Duration::days(i64::from(days))
}

/// The last traffic reset at or before `now` for a package activated at `activated`, or
/// `None` when the policy never resets (the whole duration shares one quota).
pub fn last_reset(policy: TrafficReset, activated: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let month_start = |y: i32, m: u32, d: u32| -> Option<DateTime<Utc>> {
        // Days past the month's end fall on its last day (31 → 30, 28 or 29).
        let last = (28..=d.min(31)).rev().find(|day| Utc.with_ymd_and_hms(y, m, *day, 0, 0, 0).single().is_some());
        let day = if d <= 28 { d } else { last.unwrap_or(28) };
        Utc.with_ymd_and_hms(y, m, day, 0, 0, 0).single()
    };
    let day = match policy {
        TrafficReset::None => return None,
        TrafficReset::FirstOfMonth => 1,
        TrafficReset::MonthlyOnPurchaseDay => activated.day(),
    };
    let this_month = month_start(now.year(), now.month(), day)?;
    let candidate = if this_month <= now {
        this_month
    } else {
        let (y, m) = if now.month() == 1 { (now.year() - 1, 12) } else { (now.year(), now.month() - 1) };
        month_start(y, m, day)?
    };
    (candidate > activated).then_some(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn resets_fall_on_the_policy_day_and_never_before_activation() {
        let act = at("2026-01-31T10:00:00Z");
        assert_eq!(last_reset(TrafficReset::None, act, at("2026-05-01T00:00:00Z")), None);
        assert_eq!(last_reset(TrafficReset::FirstOfMonth, act, at("2026-01-31T12:00:00Z")), None);
        assert_eq!(
            last_reset(TrafficReset::FirstOfMonth, act, at("2026-02-03T00:00:00Z")),
            Some(at("2026-02-01T00:00:00Z"))
        );
        // The 31st in February is its last day.
        let feb = last_reset(TrafficReset::MonthlyOnPurchaseDay, act, at("2026-03-05T00:00:00Z"));
        assert_eq!(feb, Some(at("2026-02-28T00:00:00Z")));
        let mar = last_reset(TrafficReset::MonthlyOnPurchaseDay, act, at("2026-03-31T01:00:00Z"));
        assert_eq!(mar, Some(at("2026-03-31T00:00:00Z")));
    }

    #[test]
    fn usable_means_active_unexpired_with_traffic() {
        let now = at("2026-06-01T00:00:00Z");
        let mut p = Package {
            id: Uuid::nil(),
            user_id: Uuid::nil(),
            order_id: None,
            product_id: None,
            name: "p".into(),
            status: PackageStatus::Active,
            traffic_bytes: 100,
            duration_days: 30,
            speed_limit_mbps: None,
            device_limit: None,
            traffic_reset: "none".into(),
            group_ids: vec![],
            upload: 40,
            download: 59,
            activated_at: Some(now),
            expires_at: Some(expiry(now, 30)),
            ended_at: None,
            end_reason: None,
            created_at: now,
        };
        assert!(p.usable(now));
        p.download = 60;
        assert!(!p.usable(now), "quota used up");
        p.download = 0;
        assert!(!p.usable(expiry(now, 30)), "expired");
    }
}

crate::pg_text!(PackageStatus);
