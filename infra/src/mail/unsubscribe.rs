//! One-click unsubscribe tokens (RFC 8058): who and which category, MACed under a key derived
//! from the data key, so a link flips exactly one category of one account without signing in
//! and cannot be forged or pointed at another account.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use helium_domain::notify::preferences::Category;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use uuid::Uuid;

pub const KEY_LABEL: &str = "helium unsubscribe v1";
const MAC_LEN: usize = 16;

fn index(c: Category) -> u8 {
    Category::ALL.iter().position(|x| *x == c).unwrap_or(0) as u8
}

fn mac(key: &[u8; 32], body: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length; 32 bytes cannot fail.
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else { return Vec::new() };
    m.update(body);
    m.finalize().into_bytes()[..MAC_LEN].to_vec()
}

pub fn token(key: &[u8; 32], user_id: Uuid, category: Category) -> String {
    let mut body = user_id.as_bytes().to_vec();
    body.push(index(category));
    let tag = mac(key, &body);
    body.extend(tag);
    URL_SAFE_NO_PAD.encode(body)
}

/// The account and category of a genuine token.
pub fn open(key: &[u8; 32], raw: &str) -> Option<(Uuid, Category)> {
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).ok()?;
    if bytes.len() != 17 + MAC_LEN {
        return None;
    }
    let (body, tag) = bytes.split_at(17);
    if !bool::from(mac(key, body).ct_eq(tag)) {
        return None;
    }
    let user_id = Uuid::from_slice(&body[..16]).ok()?;
    let category = *Category::ALL.get(usize::from(body[16]))?;
    (!category.locked()).then_some((user_id, category))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_open_only_with_their_key_and_unchanged() {
        let (k1, k2) = ([7u8; 32], [8u8; 32]);
        let user = Uuid::now_v7();
        let t = token(&k1, user, Category::Marketing);
        assert_eq!(open(&k1, &t), Some((user, Category::Marketing)));
        assert_eq!(open(&k2, &t), None);
        let mut bytes = URL_SAFE_NO_PAD.decode(&t).unwrap();
        bytes[16] = index(Category::Billing);
        assert_eq!(open(&k1, &URL_SAFE_NO_PAD.encode(&bytes)), None, "category swapped");
        assert_eq!(open(&k1, "garbage"), None);
        assert_eq!(open(&k1, &token(&k1, user, Category::Security)), None, "security cannot be unsubscribed");
    }
}
