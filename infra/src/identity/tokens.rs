//! Opaque secrets (magic links, refresh tokens) and access JWTs.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// 256 random bits, URL-safe.
pub fn opaque_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores instead of the token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A six-digit e-mail sign-in code.
pub fn numeric_code() -> String {
    format!("{:06}", rand::rng().next_u32() % 1_000_000)
}

pub const ACCESS_TYP: &str = "access";

/// Claims of a customer access token (SECURITY.md §1.6).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub sid: String,
    pub jti: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub typ: String,
}

pub fn sign(claims: &AccessClaims, secret: &str) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtError {
    Expired,
    Invalid,
}

/// Verifies signature first (HS256 pinned), then iss, aud, exp, nbf (30 s leeway) and typ.
pub fn verify(token: &str, secret: &str, issuer: &str, audience: &str, typ: &str) -> Result<AccessClaims, JwtError> {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_issuer(&[issuer]);
    v.set_audience(&[audience]);
    v.leeway = 30;
    v.validate_nbf = true;
    v.set_required_spec_claims(&["exp", "iat", "nbf", "sub", "iss", "aud"]);
    let data =
        jsonwebtoken::decode::<AccessClaims>(token, &DecodingKey::from_secret(secret.as_bytes()), &v).map_err(|e| {
            match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => JwtError::Expired,
                _ => JwtError::Invalid,
            }
        })?;
    if data.claims.typ != typ {
        return Err(JwtError::Invalid);
    }
    Ok(data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp_offset: i64) -> AccessClaims {
        let now = chrono::Utc::now().timestamp();
        AccessClaims {
            iss: "https://h.test".into(),
            aud: "helium_cloud".into(),
            sub: "u".into(),
            sid: "s".into(),
            jti: "j".into(),
            iat: now,
            nbf: now,
            exp: now + exp_offset,
            typ: ACCESS_TYP.into(),
        }
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trip_and_claim_checks() {
        let t = sign(&claims(900), SECRET).unwrap();
        assert!(verify(&t, SECRET, "https://h.test", "helium_cloud", ACCESS_TYP).is_ok());
        assert_eq!(
            verify(&t, "another-secret-another-secret-xx", "https://h.test", "helium_cloud", ACCESS_TYP),
            Err(JwtError::Invalid)
        );
        assert_eq!(verify(&t, SECRET, "https://evil", "helium_cloud", ACCESS_TYP), Err(JwtError::Invalid));
        assert_eq!(verify(&t, SECRET, "https://h.test", "HeliumAdmin", ACCESS_TYP), Err(JwtError::Invalid));
        assert_eq!(verify(&t, SECRET, "https://h.test", "helium_cloud", "mfa"), Err(JwtError::Invalid));
        let old = sign(&claims(-31), SECRET).unwrap();
        assert_eq!(verify(&old, SECRET, "https://h.test", "helium_cloud", ACCESS_TYP), Err(JwtError::Expired));
        let in_leeway = sign(&claims(-29), SECRET).unwrap();
        assert!(verify(&in_leeway, SECRET, "https://h.test", "helium_cloud", ACCESS_TYP).is_ok());
    }

    #[test]
    fn alg_none_is_refused() {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(900)).unwrap());
        let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#), body);
        assert_eq!(verify(&none, SECRET, "https://h.test", "helium_cloud", ACCESS_TYP), Err(JwtError::Invalid));
    }

    #[test]
    fn tokens_are_long_and_hashed() {
        let a = opaque_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, opaque_token());
        assert_eq!(token_hash(&a).len(), 32);
        assert_eq!(numeric_code().len(), 6);
    }
}
