//! Announcements: targeted by customer group (none = everyone), ordered pinned first, then
//! priority, then newest; visible between `publish_at` and `expires_at`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::preferences::Category;
use crate::error::{DomainError, FieldError};
use crate::text::Fields;

pub const MAX_GROUPS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    pub group_ids: Vec<Uuid>,
    pub pinned: bool,
    pub priority: i32,
    pub publish_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub email: bool,
    pub email_category: Category,
    pub emailed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Announcement {
    /// Whether customers see it at `now`.
    pub fn live_at(&self, now: DateTime<Utc>) -> bool {
        self.publish_at <= now && self.expires_at.is_none_or(|e| e > now)
    }
}

/// A validated announcement as staff write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncementInput {
    pub title: String,
    pub body: String,
    pub group_ids: Vec<Uuid>,
    pub pinned: bool,
    pub priority: i32,
    pub publish_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub email: bool,
    pub email_category: Category,
}

/// The raw fields of a create or (merged) update.
#[derive(Debug, Clone, Default)]
pub struct AnnouncementFields<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub group_ids: &'a [Uuid],
    pub pinned: bool,
    pub priority: i64,
    pub publish_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub email: bool,
    pub email_category: Option<&'a str>,
    /// When the request is made: an absent `publish_at` means now.
    pub now: DateTime<Utc>,
}

/// Times an announcement may name: the database's range is wider, people's is not.
fn plausible(t: DateTime<Utc>) -> bool {
    (2000..=9999).contains(&chrono::Datelike::year(&t))
}

impl AnnouncementInput {
    pub fn new(raw: &AnnouncementFields<'_>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let title = f.line("title", raw.title, 1, 200);
        let body = f.body("body", raw.body, 1, 20_000);
        if raw.group_ids.len() > MAX_GROUPS {
            f.push(FieldError::new("group_ids", "too_long", format!("at most {MAX_GROUPS} groups")));
        }
        let mut group_ids = raw.group_ids.to_vec();
        group_ids.sort_unstable();
        group_ids.dedup();
        if !(0..=100).contains(&raw.priority) {
            f.push(FieldError::new("priority", "out_of_range", "0 to 100"));
        }
        for (field, value) in [("publish_at", raw.publish_at), ("expires_at", raw.expires_at)] {
            if value.is_some_and(|t| !plausible(t)) {
                f.push(FieldError::new(field, "out_of_range", "a time between the years 2000 and 9999"));
            }
        }
        if let Some(e) = raw.expires_at
            && e <= raw.publish_at.unwrap_or(raw.now)
        {
            f.push(FieldError::new("expires_at", "out_of_range", "must be after publish_at (or now)"));
        }
        let email_category = match raw.email_category.unwrap_or("marketing") {
            "marketing" => Category::Marketing,
            "service" => Category::Service,
            _ => {
                f.push(FieldError::new("email_category", "invalid_enum", "marketing or service"));
                Category::Marketing
            }
        };
        f.finish(Self {
            title,
            body,
            group_ids,
            pinned: raw.pinned,
            priority: raw.priority.clamp(0, 100) as i32,
            publish_at: raw.publish_at,
            expires_at: raw.expires_at,
            email: raw.email,
            email_category,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn raw<'a>() -> AnnouncementFields<'a> {
        AnnouncementFields { title: "Maintenance", body: "Tonight", now: Utc::now(), ..AnnouncementFields::default() }
    }

    #[test]
    fn validates_each_field() {
        assert!(AnnouncementInput::new(&raw()).is_ok());
        let bad = |r: AnnouncementFields<'_>, field: &str| {
            let DomainError::Rejected { fields, .. } = AnnouncementInput::new(&r).unwrap_err() else { panic!() };
            assert_eq!(fields[0].field, field);
        };
        bad(AnnouncementFields { title: " ", ..raw() }, "title");
        bad(AnnouncementFields { title: "a\u{0}b", ..raw() }, "title");
        bad(AnnouncementFields { priority: 101, ..raw() }, "priority");
        bad(AnnouncementFields { email_category: Some("security"), ..raw() }, "email_category");
        let now = Utc::now();
        bad(
            AnnouncementFields { publish_at: Some(now), expires_at: Some(now - TimeDelta::hours(1)), ..raw() },
            "expires_at",
        );
        let long = "x".repeat(20_001);
        bad(AnnouncementFields { body: &long, ..raw() }, "body");
    }

    #[test]
    fn groups_are_deduplicated_and_visibility_follows_the_window() {
        let g = Uuid::now_v7();
        let a = AnnouncementInput::new(&AnnouncementFields { group_ids: &[g, g], ..raw() }).unwrap();
        assert_eq!(a.group_ids, vec![g]);
        let now = Utc::now();
        let ann = Announcement {
            id: g,
            title: "t".into(),
            body: "b".into(),
            group_ids: vec![],
            pinned: false,
            priority: 0,
            publish_at: now,
            expires_at: Some(now + TimeDelta::hours(1)),
            email: false,
            email_category: Category::Marketing,
            emailed_at: None,
            created_at: now,
            updated_at: now,
        };
        assert!(ann.live_at(now));
        assert!(!ann.live_at(now - TimeDelta::seconds(1)));
        assert!(!ann.live_at(now + TimeDelta::hours(1)));
    }
}
