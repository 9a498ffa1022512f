//! Epay (易支付) MD5 v1, as WIRE-FORMATS.md Part C describes it: parameters sorted by name,
//! empty values and `sign`/`sign_type` dropped, `k=v` joined with `&` over the raw values,
//! the key appended directly, MD5 in lower-case hex; compared in constant time.

use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

/// The signature of `params` under `key`.
pub fn sign(params: &[(&str, &str)], key: &str) -> String {
    let mut kept: Vec<&(&str, &str)> =
        params.iter().filter(|(k, v)| !v.is_empty() && *k != "sign" && *k != "sign_type").collect();
    kept.sort_by(|a, b| a.0.cmp(b.0));
    let mut h = Md5::new();
    for (i, (k, v)) in kept.iter().enumerate() {
        if i > 0 {
            h.update(b"&");
        }
        h.update(k.as_bytes());
        h.update(b"=");
        h.update(v.as_bytes());
    }
    h.update(key.as_bytes());
    hex::encode(h.finalize())
}

/// Whether `params` carry a valid `sign` for `key` (case-insensitive hex, constant time).
pub fn verify(params: &[(&str, &str)], key: &str) -> bool {
    let Some((_, given)) = params.iter().find(|(k, _)| *k == "sign") else { return false };
    let expected = sign(params, key);
    let given = given.to_ascii_lowercase();
    given.len() == expected.len() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// The browser redirect to the gateway: `<base>/submit.php?<params>&sign=…&sign_type=MD5`.
pub fn submit_url(base: &str, params: &[(&str, &str)], key: &str) -> String {
    let signature = sign(params, key);
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(k, v);
    }
    query.append_pair("sign", &signature).append_pair("sign_type", "MD5");
    // Spaces as %20 (gateways decode both; the signature is over the raw value either way).
    format!("{}/submit.php?{}", base.trim_end_matches('/'), query.finish().replace('+', "%20"))
}

/// The order query of a gateway: `<base>/api.php?act=order&pid=…&key=…&out_trade_no=…`.
pub fn query_url(base: &str, pid: &str, key: &str, out_trade_no: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("act", "order")
        .append_pair("pid", pid)
        .append_pair("key", key)
        .append_pair("out_trade_no", out_trade_no)
        .finish();
    format!("{}/api.php?{query}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of WIRE-FORMATS C.2.
    #[test]
    fn the_documented_example_signs_alike() {
        let params = [
            ("money", "25.5"),
            ("name", "Helium Pro 30d"),
            ("notify_url", "https://api.helium.example/pay/epay/notify"),
            ("out_trade_no", "H20250101000123"),
            ("pid", "1024"),
            ("return_url", "https://app.helium.example/orders/H20250101000123"),
            ("type", "alipay"),
            ("param", ""),
        ];
        assert_eq!(sign(&params, "demoKEY123"), "ca11bd910fc3533021cc60c045f5cf6f");
        let mut signed: Vec<(&str, &str)> = params.to_vec();
        signed.push(("sign", "CA11BD910FC3533021CC60C045F5CF6F"));
        signed.push(("sign_type", "MD5"));
        assert!(verify(&signed, "demoKEY123"));
        assert!(!verify(&signed, "otherKEY"));
        signed[0] = ("money", "255");
        assert!(!verify(&signed, "demoKEY123"));
        assert!(!verify(&params, "demoKEY123"), "no sign at all");
    }

    #[test]
    fn the_submit_url_carries_the_raw_signature() {
        let url = submit_url("https://pay.example/", &[("name", "Helium Pro 30d"), ("money", "10")], "k");
        assert!(url.starts_with("https://pay.example/submit.php?name=Helium%20Pro%2030d&money=10&sign="), "{url}");
        assert!(url.ends_with("&sign_type=MD5"));
    }
}
