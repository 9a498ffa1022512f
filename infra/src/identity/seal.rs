//! Sealing small secrets at rest with XChaCha20-Poly1305 under the data key: TOTP seeds (bound
//! to their owner) and the secret fields of e-mail events (bound to the event), so a copy of a
//! row or a message is useless without the key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(********)")
    }
}

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Self {
        Self { cipher: XChaCha20Poly1305::new(key.into()) }
    }

    /// `v1.<base64url(nonce ‖ ciphertext)>`; `aad` is authenticated, not stored: the same `aad`
    /// must be given to open it.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> anyhow::Result<String> {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad })
            .map_err(|_| anyhow::anyhow!("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(format!("v1.{}", URL_SAFE_NO_PAD.encode(out)))
    }

    pub fn open(&self, sealed: &str, aad: &[u8]) -> anyhow::Result<Vec<u8>> {
        let raw = sealed.strip_prefix("v1.").ok_or_else(|| anyhow::anyhow!("unknown sealed format"))?;
        let bytes = URL_SAFE_NO_PAD.decode(raw)?;
        anyhow::ensure!(bytes.len() > 24, "sealed value too short");
        let (nonce, body) = bytes.split_at(24);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad })
            .map_err(|_| anyhow::anyhow!("the value does not open with this key and binding"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_binding() {
        let sealer = Sealer::new(&[7u8; 32]);
        let secret = b"a secret seed";
        let sealed = sealer.seal(secret, b"user-1").unwrap();
        assert!(!sealed.contains("secret"));
        assert_eq!(sealer.open(&sealed, b"user-1").unwrap(), secret);
        assert!(sealer.open(&sealed, b"user-2").is_err());
        assert!(Sealer::new(&[8u8; 32]).open(&sealed, b"user-1").is_err());
        assert_ne!(sealer.seal(secret, b"user-1").unwrap(), sealed, "fresh nonce each time");
    }
}
