//! TOTP on the test side: decode the base32 secret a setup answers and compute codes, so tests
//! can sign in with a second factor like an authenticator app would.

use std::collections::HashSet;

/// RFC 4648 base32 (A–Z, 2–7), no padding.
pub fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut acc, mut out) = (0u32, 0u64, Vec::new());
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c).unwrap_or_else(|| panic!("not base32: {text}"));
        acc = (acc << 5) | v as u64;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// The current 30-second step.
pub fn now_step() -> u64 {
    chrono::Utc::now().timestamp() as u64 / 30
}

/// The code of `seed` at `step`.
pub fn totp(seed: &[u8], step: u64) -> String {
    helium_infra::identity::totp::code_at_step(seed, step).expect("TOTP code")
}

/// A six-digit code that is valid for none of the steps around now.
pub fn wrong_totp(seed: &[u8]) -> String {
    let s = now_step();
    let valid: HashSet<String> = (s - 2..=s + 2).map(|st| totp(seed, st)).collect();
    (0..).map(|n| format!("{:06}", 123_456 + n)).find(|c| !valid.contains(c)).expect("a wrong code")
}

/// Sleeps into the start of the next 30 s step when the current one has less than
/// `needed_secs` left, so a flow that enables TOTP with the previous step and then signs in
/// with the next one stays within the accepted window however slow the machine is.
pub async fn early_in_step(needed_secs: u64) {
    let into_step = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() % 30)
        .unwrap_or_default();
    if 30 - into_step < needed_secs {
        tokio::time::sleep(std::time::Duration::from_secs(30 - into_step + 1)).await;
    }
}
