//! Validated shop inputs, built alike by REST and gRPC.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::model::{DiscountType, PackageTerms, TrafficReset};
use crate::error::{DomainError, FieldError};
use crate::text::Fields;

pub use crate::money::MAX_AMOUNT;
const MAX_IDS: usize = 100;

/// A money amount: `1..=MAX_AMOUNT` (`0..` when `allow_zero`).
pub fn amount(f: &mut Fields, field: &str, value: i64, allow_zero: bool) -> i64 {
    let min = i64::from(!allow_zero);
    if !(min..=MAX_AMOUNT).contains(&value) {
        f.push(FieldError::new(field, "out_of_range", format!("{min} to {MAX_AMOUNT} minor units")));
    }
    value
}

fn ids(f: &mut Fields, field: &str, ids: &[Uuid]) -> Vec<Uuid> {
    if ids.len() > MAX_IDS {
        f.push(FieldError::new(field, "too_long", format!("at most {MAX_IDS} entries")));
    }
    let mut out: Vec<Uuid> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    out
}

fn description(f: &mut Fields, value: Option<&str>) -> Option<String> {
    value.map(|d| f.body("description", d, 0, 2000)).filter(|d| !d.is_empty())
}

/// A staff reason, 1–500 characters.
pub fn reason(raw: &str) -> Result<String, DomainError> {
    crate::auth::commands::reason(raw)
}

#[derive(Debug, Clone)]
pub struct GroupInput {
    pub name: String,
    pub description: Option<String>,
}

impl GroupInput {
    pub fn new(name: &str, description: Option<&str>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let name = f.line("name", name, 1, 64);
        let description = description.map(|d| f.body("description", d, 0, 1000)).filter(|d| !d.is_empty());
        f.finish(Self { name, description })
    }
}

/// Changes to a group: absent = unchanged; `Some(None)` clears the description.
#[derive(Debug, Clone, Default)]
pub struct GroupPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
}

impl GroupPatch {
    pub fn new(name: Option<&str>, description: Option<Option<&str>>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let name = name.map(|n| f.line("name", n, 1, 64));
        let description = description.map(|d| d.map(|d| f.body("description", d, 0, 1000)).filter(|d| !d.is_empty()));
        f.finish(Self { name, description })
    }
}

#[derive(Debug, Clone)]
pub struct SeriesInput {
    pub name: String,
    pub description: Option<String>,
}

impl SeriesInput {
    pub fn new(name: &str, description_raw: Option<&str>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let name = f.line("name", name, 1, 100);
        let description = description(&mut f, description_raw);
        f.finish(Self { name, description })
    }
}

#[derive(Debug, Clone, Default)]
pub struct SeriesPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub archived: Option<bool>,
}

impl SeriesPatch {
    pub fn new(name: Option<&str>, desc: Option<Option<&str>>, archived: Option<bool>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let name = name.map(|n| f.line("name", n, 1, 100));
        let description = desc.map(|d| description(&mut f, d));
        f.finish(Self { name, description, archived })
    }
}

pub fn parse_traffic_reset(raw: &str) -> Option<TrafficReset> {
    match raw {
        "none" => Some(TrafficReset::None),
        "monthly_on_purchase_day" => Some(TrafficReset::MonthlyOnPurchaseDay),
        "first_of_month" => Some(TrafficReset::FirstOfMonth),
        _ => None,
    }
}

/// The terms of a new package version.
pub fn package_terms(
    traffic_bytes: i64,
    duration_days: i32,
    speed_limit_mbps: Option<i32>,
    device_limit: Option<i32>,
    traffic_reset: &str,
    group_ids: &[Uuid],
) -> Result<PackageTerms, DomainError> {
    let mut f = Fields::new();
    // 1 PiB: more than any plan sells, and far from overflow in traffic sums.
    if !(1..=(1_i64 << 50)).contains(&traffic_bytes) {
        f.push(FieldError::new("traffic_bytes", "out_of_range", "1 byte to 1 PiB"));
    }
    if !(1..=3660).contains(&duration_days) {
        f.push(FieldError::new("duration_days", "out_of_range", "1 to 3660 days"));
    }
    if speed_limit_mbps.is_some_and(|s| !(1..=100_000).contains(&s)) {
        f.push(FieldError::new("speed_limit_mbps", "out_of_range", "1 to 100000 Mbit/s, or null for none"));
    }
    if device_limit.is_some_and(|d| !(1..=1000).contains(&d)) {
        f.push(FieldError::new("device_limit", "out_of_range", "1 to 1000, or null for none"));
    }
    let reset = parse_traffic_reset(traffic_reset);
    if reset.is_none() {
        f.push(FieldError::new("traffic_reset", "invalid_enum", "none, monthly_on_purchase_day or first_of_month"));
    }
    let group_ids = ids(&mut f, "group_ids", group_ids);
    f.finish(PackageTerms {
        traffic_bytes,
        duration_days,
        speed_limit_mbps,
        device_limit,
        traffic_reset: reset.unwrap_or(TrafficReset::None),
        group_ids,
    })
}

#[derive(Debug, Clone)]
pub struct ProductInput {
    pub name: String,
    pub description: Option<String>,
    pub price: i64,
    pub series_id: Uuid,
    pub group_ids: Vec<Uuid>,
    pub on_sale: bool,
    pub sort: i32,
    pub commission_eligible: bool,
}

impl ProductInput {
    #[expect(clippy::too_many_arguments, reason = "one argument per field of the request")]
    pub fn new(
        name: &str,
        description_raw: Option<&str>,
        price: i64,
        series_id: Uuid,
        group_ids: &[Uuid],
        on_sale: bool,
        sort: i32,
        commission_eligible: bool,
    ) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let name = f.line("name", name, 1, 100);
        let description = description(&mut f, description_raw);
        let price = amount(&mut f, "price", price, true);
        let group_ids = ids(&mut f, "group_ids", group_ids);
        f.finish(Self { name, description, price, series_id, group_ids, on_sale, sort, commission_eligible })
    }
}

/// Changes to a product (new orders only).
#[derive(Debug, Clone, Default)]
pub struct ProductPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub price: Option<i64>,
    pub series_id: Option<Uuid>,
    pub group_ids: Option<Vec<Uuid>>,
    pub on_sale: Option<bool>,
    pub sort: Option<i32>,
    pub commission_eligible: Option<bool>,
}

impl ProductPatch {
    pub fn check(mut self) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        if let Some(n) = &self.name {
            self.name = Some(f.line("name", n, 1, 100));
        }
        if let Some(d) = self.description.take() {
            self.description = Some(description(&mut f, d.as_deref()));
        }
        if let Some(p) = self.price {
            amount(&mut f, "price", p, true);
        }
        if let Some(g) = &self.group_ids {
            self.group_ids = Some(ids(&mut f, "group_ids", g));
        }
        f.finish(self)
    }
}

/// A coupon code: 3–64 letters, digits, `-` or `_`; matched case-insensitively.
pub fn coupon_code(f: &mut Fields, field: &str, raw: &str) -> String {
    let code = raw.trim();
    if !(3..=64).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        f.push(FieldError::new(field, "invalid_format", "3 to 64 letters, digits, '-' or '_'"));
    }
    code.to_ascii_uppercase()
}

#[derive(Debug, Clone)]
pub struct CouponInput {
    pub code: String,
    pub discount_type: DiscountType,
    pub rate: Option<Decimal>,
    pub amount: Option<i64>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub max_uses: Option<i32>,
    pub max_uses_per_user: i32,
    pub min_amount: Option<i64>,
    pub product_ids: Vec<Uuid>,
    pub active: bool,
}

/// The raw coupon fields as clients send them.
#[derive(Debug, Clone, Default)]
pub struct CouponFields<'a> {
    pub code: &'a str,
    pub discount_type: &'a str,
    pub rate: Option<&'a str>,
    pub amount: Option<i64>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub max_uses: Option<i32>,
    pub max_uses_per_user: Option<i32>,
    pub min_amount: Option<i64>,
    pub product_ids: &'a [Uuid],
    pub active: Option<bool>,
}

impl CouponInput {
    pub fn new(raw: CouponFields<'_>, now: DateTime<Utc>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let code = coupon_code(&mut f, "code", raw.code);
        let discount_type = match raw.discount_type {
            "percentage" => Some(DiscountType::Percentage),
            "fixed" => Some(DiscountType::Fixed),
            _ => {
                f.push(FieldError::new("discount_type", "invalid_enum", "percentage or fixed"));
                None
            }
        };
        let mut rate = None;
        let mut amount_off = None;
        match discount_type {
            Some(DiscountType::Percentage) => match raw.rate.map(str::trim).map(str::parse::<Decimal>) {
                Some(Ok(r)) if r > Decimal::ZERO && r <= Decimal::ONE && r.normalize().scale() <= 4 => rate = Some(r),
                _ => f.push(FieldError::new("rate", "out_of_range", "a decimal string in (0, 1], e.g. \"0.15\"")),
            },
            Some(DiscountType::Fixed) => match raw.amount {
                Some(a) => amount_off = Some(amount(&mut f, "amount", a, false)),
                None => f.push(FieldError::new("amount", "required", "minor units taken off")),
            },
            None => {}
        }
        if discount_type == Some(DiscountType::Percentage) && raw.amount.is_some() {
            f.push(FieldError::new("amount", "invalid_format", "only for fixed coupons"));
        }
        if discount_type == Some(DiscountType::Fixed) && raw.rate.is_some() {
            f.push(FieldError::new("rate", "invalid_format", "only for percentage coupons"));
        }
        let starts_at = raw.starts_at.unwrap_or(now);
        let ends_at = raw.ends_at.unwrap_or(starts_at);
        if raw.ends_at.is_none() {
            f.push(FieldError::new("ends_at", "required", "when the coupon stops working"));
        } else if ends_at <= starts_at {
            f.push(FieldError::new("ends_at", "out_of_range", "after starts_at"));
        }
        if raw.max_uses.is_some_and(|m| m < 1) {
            f.push(FieldError::new("max_uses", "out_of_range", "at least 1, or null for no limit"));
        }
        let max_uses_per_user = raw.max_uses_per_user.unwrap_or(1);
        if max_uses_per_user < 1 {
            f.push(FieldError::new("max_uses_per_user", "out_of_range", "at least 1"));
        }
        let min_amount = raw.min_amount.map(|m| amount(&mut f, "min_amount", m, true));
        let product_ids = ids(&mut f, "product_ids", raw.product_ids);
        f.finish(Self {
            code,
            discount_type: discount_type.unwrap_or(DiscountType::Fixed),
            rate,
            amount: amount_off,
            starts_at,
            ends_at,
            max_uses: raw.max_uses,
            max_uses_per_user,
            min_amount,
            product_ids,
            active: raw.active.unwrap_or(true),
        })
    }
}

/// The coupon fields staff may change once it exists.
#[derive(Debug, Clone, Default)]
pub struct CouponPatch {
    pub active: Option<bool>,
    pub ends_at: Option<DateTime<Utc>>,
    pub max_uses: Option<Option<i32>>,
    pub max_uses_per_user: Option<i32>,
}

impl CouponPatch {
    pub fn check(self) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        if self.max_uses.flatten().is_some_and(|m| m < 1) {
            f.push(FieldError::new("max_uses", "out_of_range", "at least 1, or null for no limit"));
        }
        if self.max_uses_per_user.is_some_and(|m| m < 1) {
            f.push(FieldError::new("max_uses_per_user", "out_of_range", "at least 1"));
        }
        f.finish(self)
    }
}

/// `createOrder` / `previewCoupon`.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub product_id: Uuid,
    pub coupon_code: Option<String>,
}

impl NewOrder {
    pub fn new(product_id: Uuid, coupon: Option<&str>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let coupon_code = coupon.filter(|c| !c.trim().is_empty()).map(|c| coupon_code(&mut f, "coupon_code", c));
        f.finish(Self { product_id, coupon_code })
    }
}

#[derive(Debug, Clone)]
pub struct MarkPaid {
    pub reason: String,
    pub external_reference: Option<String>,
}

impl MarkPaid {
    pub fn new(reason_raw: &str, external_reference: Option<&str>) -> Result<Self, DomainError> {
        let reason = reason(reason_raw)?;
        let mut f = Fields::new();
        let external_reference = f.optional_line("external_reference", external_reference, 1, 200);
        f.finish(Self { reason, external_reference })
    }
}

#[derive(Debug, Clone)]
pub struct Refund {
    pub reason: String,
    /// Minor units; the whole total when absent.
    pub amount: Option<i64>,
    pub cancel_package: bool,
}

impl Refund {
    pub fn new(reason_raw: &str, amount_raw: Option<i64>, cancel_package: bool) -> Result<Self, DomainError> {
        let reason = reason(reason_raw)?;
        let mut f = Fields::new();
        let amount = amount_raw.map(|a| amount(&mut f, "amount", a, false));
        f.finish(Self { reason, amount, cancel_package })
    }
}

/// A gateway account. `url` is the gateway base (https; plain http only for a gateway on
/// this machine), without `/submit.php`.
#[derive(Debug, Clone)]
pub struct PaymentMethodInput {
    pub name: String,
    pub channel: String,
    pub url: String,
    pub pid: String,
    pub key: String,
    pub enabled: bool,
    pub sort: i32,
}

/// A gateway base URL: 422 `url_not_allowed` naming `url` unless https (or this machine).
pub fn gateway_url(raw: &str) -> Result<String, DomainError> {
    let mut f = Fields::new();
    let url = check_gateway_url(&mut f, raw);
    if f.is_empty() {
        return Ok(url);
    }
    Err(DomainError::Rejected {
        code: crate::ErrorCode::UrlNotAllowed,
        detail: "the gateway URL must be https (plain http only on this machine), without query".into(),
        fields: vec![FieldError::new("url", "url_not_allowed", "an https:// gateway base URL without query")],
    })
}

fn check_gateway_url(f: &mut Fields, raw: &str) -> String {
    let url = raw.trim().trim_end_matches('/').to_owned();
    let lower = url.to_ascii_lowercase();
    let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| lower.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/'])));
    let ok = (lower.starts_with("https://") && lower.len() > "https://".len()) || local;
    // No `user:password@` in the authority: it would be shown to staff and logged as a URL.
    let authority = url.split_once("://").map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""));
    if !ok
        || authority.contains('@')
        || url.len() > 500
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
        || url.contains(['?', '#'])
    {
        f.push(FieldError::new("url", "url_not_allowed", "an https:// gateway base URL without query"));
    }
    url
}

pub fn channel(f: &mut Fields, raw: &str) -> String {
    let c = raw.trim().to_ascii_lowercase();
    if c.is_empty() || c.len() > 32 || !c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        f.push(FieldError::new("channel", "invalid_format", "e.g. alipay, wxpay, usdt"));
    }
    c
}

impl PaymentMethodInput {
    pub fn new(
        name: &str,
        channel_raw: &str,
        url: &str,
        pid: &str,
        key: &str,
        enabled: bool,
        sort: i32,
    ) -> Result<Self, DomainError> {
        let url = gateway_url(url)?;
        let mut f = Fields::new();
        let name = f.line("name", name, 1, 64);
        let channel = channel(&mut f, channel_raw);
        let pid = f.line("pid", pid, 1, 64);
        let key = f.secret("key", key, 8, 256);
        f.finish(Self { name, channel, url, pid, key, enabled, sort })
    }
}

#[derive(Debug, Clone, Default)]
pub struct PaymentMethodPatch {
    pub name: Option<String>,
    pub channel: Option<String>,
    pub url: Option<String>,
    pub pid: Option<String>,
    pub key: Option<String>,
    pub enabled: Option<bool>,
    pub sort: Option<i32>,
}

impl PaymentMethodPatch {
    pub fn check(mut self) -> Result<Self, DomainError> {
        self.url = self.url.map(|u| gateway_url(&u)).transpose()?;
        let mut f = Fields::new();
        self.name = self.name.map(|n| f.line("name", &n, 1, 64));
        self.channel = self.channel.map(|c| channel(&mut f, &c));
        self.pid = self.pid.map(|p| f.line("pid", &p, 1, 64));
        self.key = self.key.map(|k| f.secret("key", &k, 8, 256));
        f.finish(self)
    }

    /// A new gateway URL without a new key would send the stored merchant key to the new
    /// host (signed requests, order queries): the key must be entered again with it.
    pub fn check_destination(&self, current_url: &str) -> Result<(), DomainError> {
        match &self.url {
            Some(url) if url != current_url && self.key.is_none() => {
                Err(DomainError::validation(vec![FieldError::new(
                    "key",
                    "required",
                    "enter the merchant key again: the gateway URL it is sent to has changed",
                )]))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(e: DomainError) -> Vec<(String, String)> {
        match e {
            DomainError::Rejected { fields, .. } => fields.into_iter().map(|f| (f.field, f.code)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_new_gateway_url_needs_the_key_again() {
        let url = "https://pay.example.test/submit.php";
        let moved =
            PaymentMethodPatch { url: Some("https://evil.example.test/submit.php".into()), ..Default::default() };
        assert_eq!(codes(moved.check_destination(url).unwrap_err()), vec![("key".into(), "required".into())]);
        let same = PaymentMethodPatch { url: Some(url.into()), ..Default::default() };
        assert!(same.check_destination(url).is_ok());
        let rekeyed = PaymentMethodPatch { key: Some("a-new-merchant-key".into()), ..moved };
        assert!(rekeyed.check_destination(url).is_ok());
        assert!(
            PaymentMethodPatch { name: Some("Alipay".into()), ..Default::default() }.check_destination(url).is_ok()
        );
    }

    #[test]
    fn coupons_name_each_bad_field() {
        let now = Utc::now();
        let raw =
            CouponFields { code: "no spaces!", discount_type: "percentage", rate: Some("1.5"), ..Default::default() };
        let got = codes(CouponInput::new(raw, now).unwrap_err());
        assert!(got.contains(&("code".into(), "invalid_format".into())), "{got:?}");
        assert!(got.contains(&("rate".into(), "out_of_range".into())), "{got:?}");
        assert!(got.contains(&("ends_at".into(), "required".into())), "{got:?}");
        let ok = CouponFields {
            code: "spring-25",
            discount_type: "fixed",
            amount: Some(500),
            ends_at: Some(now + chrono::Duration::days(1)),
            ..Default::default()
        };
        let c = CouponInput::new(ok, now).unwrap();
        assert_eq!((c.code.as_str(), c.amount, c.max_uses_per_user), ("SPRING-25", Some(500), 1));
    }

    #[test]
    fn amounts_are_bounded() {
        let mut f = Fields::new();
        amount(&mut f, "a", 0, false);
        amount(&mut f, "b", -1, true);
        amount(&mut f, "c", i64::MAX, true);
        amount(&mut f, "d", 0, true);
        let got = codes(f.finish(()).unwrap_err());
        assert_eq!(got.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn gateway_urls_are_https_or_this_machine() {
        for ok in ["https://pay.example.com", "https://pay.example.com/epay/", "http://127.0.0.1:9000"] {
            assert!(gateway_url(ok).is_ok(), "{ok}");
        }
        let creds = "https://user:secret@pay.example.com";
        for bad in
            ["http://pay.example.com", "ftp://x", "https://", "https://x/?a=1", "http://127.0.0.1.evil.com", creds]
        {
            assert_eq!(gateway_url(bad).unwrap_err().code(), crate::ErrorCode::UrlNotAllowed, "{bad}");
        }
    }

    #[test]
    fn package_terms_are_checked() {
        let got = codes(package_terms(0, 0, Some(0), Some(0), "weekly", &[]).unwrap_err());
        let fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["traffic_bytes", "duration_days", "speed_limit_mbps", "device_limit", "traffic_reset"]);
        let t = package_terms(1 << 30, 30, None, Some(3), "first_of_month", &[Uuid::nil(), Uuid::nil()]).unwrap();
        assert_eq!(t.group_ids.len(), 1, "duplicates collapse");
    }
}
