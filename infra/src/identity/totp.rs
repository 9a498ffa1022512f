//! TOTP building blocks (RFC 6238: SHA-1, 6 digits, 30 s steps) for customer and staff MFA:
//! 160-bit seeds (sealed at rest by [`super::seal::Sealer`], bound to their owner); code
//! matching that reports the step so the store can refuse replays (`last_step`); one-time
//! recovery codes of 80 bits.

use helium_domain::auth::totp::{STEP_SECS, candidate_steps, code_well_formed};
use rand::RngCore;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

/// Seed length: 160 bits (RFC 4226 recommends ≥ 128, SECURITY.md asks 160).
pub const SEED_BYTES: usize = 20;
/// Recovery codes issued at a time.
pub const RECOVERY_CODES: usize = 10;

pub fn new_seed() -> Vec<u8> {
    let mut seed = vec![0u8; SEED_BYTES];
    rand::rng().fill_bytes(&mut seed);
    seed
}

fn totp(seed: &[u8], issuer: Option<String>, account: String) -> Result<TOTP, totp_rs::TotpUrlError> {
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECS, seed.to_vec(), issuer, account)
}

/// The base32 secret users type into an authenticator app.
pub fn base32(seed: &[u8]) -> String {
    totp_rs::Secret::Raw(seed.to_vec()).to_encoded().to_string()
}

/// `otpauth://totp/Issuer:account?secret=…&issuer=…` for QR codes. ':' is not allowed in the
/// issuer or account, so it is replaced.
pub fn otpauth_uri(seed: &[u8], issuer: &str, account: &str) -> anyhow::Result<String> {
    let clean = |s: &str| s.replace(':', " ");
    Ok(totp(seed, Some(clean(issuer)), clean(account)).map_err(|e| anyhow::anyhow!("{e:?}"))?.get_url())
}

/// The code of one step (for tests and clients of this module).
pub fn code_at_step(seed: &[u8], step: u64) -> anyhow::Result<String> {
    Ok(totp(seed, None, String::new()).map_err(|e| anyhow::anyhow!("{e:?}"))?.generate(step * STEP_SECS))
}

/// The step a presented code belongs to, among the accepted window (current, previous)
/// and only steps after `last_used`; compared in constant time. None = refuse.
pub fn matching_step(seed: &[u8], code: &str, now_unix: u64, last_used: Option<u64>) -> Option<u64> {
    let code = code.trim();
    if !code_well_formed(code) {
        return None;
    }
    let mut found = None;
    for step in candidate_steps(now_unix, last_used) {
        let expected = code_at_step(seed, step).ok()?;
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// Ten codes like `k7q2-9xm4-t3wd-p8fa`: 16 base32 characters = 80 bits each.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 16];
            rand::rng().fill_bytes(&mut bytes);
            let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[(*b & 31) as usize] as char).collect();
            chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
        })
        .collect()
}

/// Canonical form a user may type a recovery code in (case, spaces and dashes ignored).
pub fn normalize_recovery_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (codes truncated to 6 digits).
    #[test]
    fn rfc6238_vectors() {
        let seed = b"12345678901234567890";
        assert_eq!(code_at_step(seed, 59 / 30).unwrap(), "287082");
        assert_eq!(code_at_step(seed, 1_111_111_109 / 30).unwrap(), "081804");
        assert_eq!(code_at_step(seed, 1_234_567_890 / 30).unwrap(), "005924");
    }

    #[test]
    fn window_and_replay() {
        let seed = new_seed();
        let now = 1_700_000_000u64;
        let step = now / 30;
        let current = code_at_step(&seed, step).unwrap();
        let previous = code_at_step(&seed, step - 1).unwrap();
        let next = code_at_step(&seed, step + 1).unwrap();
        let two_old = code_at_step(&seed, step - 2).unwrap();
        assert_eq!(matching_step(&seed, &current, now, None), Some(step));
        assert_eq!(matching_step(&seed, &previous, now, None), Some(step - 1));
        assert_eq!(matching_step(&seed, &two_old, now, None), None, "two steps old");
        assert_eq!(matching_step(&seed, &next, now, None), None, "a code from the future");
        assert_eq!(matching_step(&seed, &current, now, Some(step)), None, "replay of a used step");
        assert_eq!(matching_step(&seed, "12345", now, None), None);
    }

    #[test]
    fn seeds_are_160_bits_and_uri_names_the_issuer() {
        let seed = new_seed();
        assert_eq!(seed.len(), 20);
        assert_eq!(base32(&seed).len(), 32);
        let uri = otpauth_uri(&seed, "Helium: Test", "alice@example.test").unwrap();
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(uri.contains("secret=") && uri.contains("issuer=Helium"), "{uri}");
    }

    #[test]
    fn recovery_codes_are_distinct_80_bit_codes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 10);
        for c in &codes {
            assert_eq!(normalize_recovery_code(c).len(), 16, "{c}");
            assert_eq!(normalize_recovery_code(&c.to_uppercase().replace('-', " ")), normalize_recovery_code(c));
        }
    }
}
