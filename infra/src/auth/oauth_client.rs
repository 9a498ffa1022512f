//! The outbound half of OAuth / OIDC: discovery, the code exchange, ID-token verification
//! (JWKS signature, exact issuer, audience, expiry, nonce) and the non-OIDC user endpoints.
//! Discovery documents and key sets are cached per issuer; an unknown `kid` refetches once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use helium_domain::auth::oauth::{self, ProviderKind, Resolved};
use helium_domain::config::OauthProviderConfig;
use helium_domain::{DomainError, ErrorCode};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::Mutex;

const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
const DISCOVERY_TTL: Duration = Duration::from_secs(3600);
const USER_AGENT: &str = concat!("helium/", env!("CARGO_PKG_VERSION"));

/// The provider's account as Helium sees it. `email` is set only when the provider says it
/// is verified: an unverified address must never decide which account someone reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalIdentity {
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
}

struct CachedIssuer {
    discovery: Discovery,
    jwks: JwkSet,
    fetched: Instant,
}

#[derive(Clone)]
pub struct OauthClient {
    http: reqwest::Client,
    issuers: Arc<Mutex<HashMap<String, Arc<CachedIssuer>>>>,
}

impl Default for OauthClient {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    id_token: Option<String>,
}

#[derive(Deserialize)]
struct IdClaims {
    iss: String,
    sub: String,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    tid: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
    #[serde(default)]
    name: Option<String>,
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> DomainError {
    tracing::warn!(error = %e, "oauth provider call failed: {what}");
    DomainError::Unavailable(format!("oauth provider: {what}"))
}

fn failed(detail: &str) -> DomainError {
    DomainError::rejected(ErrorCode::OauthExchangeFailed, detail.to_owned())
}

/// `email_verified` is a boolean in the spec, a string in some providers' tokens.
fn verified(v: &Option<serde_json::Value>) -> bool {
    match v {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

impl OauthClient {
    /// Built at start-up; a TLS stack that cannot initialise stops the process there.
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .build()
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "OAuth HTTP client: falling back to defaults");
                reqwest::Client::new()
            });
        Self { http, issuers: Arc::new(Mutex::new(HashMap::new())) }
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        bearer: Option<&str>,
    ) -> Result<T, DomainError> {
        let mut req = self.http.get(url).header(reqwest::header::ACCEPT, "application/json");
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        let req = req.build().map_err(|e| unavailable(url, e))?;
        let resp = crate::trace::send_http(&self.http, req).await.map_err(|e| unavailable(url, e))?;
        if resp.status().is_server_error() {
            return Err(unavailable(url, resp.status()));
        }
        if !resp.status().is_success() {
            tracing::warn!(status = %resp.status(), url, "oauth provider refused a request");
            return Err(failed("the provider refused the request"));
        }
        resp.json::<T>().await.map_err(|e| unavailable(url, e))
    }

    async fn issuer(&self, issuer: &str, force_refresh: bool) -> Result<Arc<CachedIssuer>, DomainError> {
        let mut cache = self.issuers.lock().await;
        if let Some(hit) = cache.get(issuer)
            && !force_refresh
            && hit.fetched.elapsed() < DISCOVERY_TTL
        {
            return Ok(hit.clone());
        }
        let url = format!("{issuer}/.well-known/openid-configuration");
        let discovery: Discovery = self.get_json(&url, None).await?;
        if discovery.issuer.trim_end_matches('/') != issuer && issuer != oauth::MICROSOFT_ISSUER {
            return Err(unavailable("discovery", "the discovery document names another issuer"));
        }
        let jwks: JwkSet = self.get_json(&discovery.jwks_uri, None).await?;
        let fresh = Arc::new(CachedIssuer { discovery, jwks, fetched: Instant::now() });
        cache.insert(issuer.to_owned(), fresh.clone());
        Ok(fresh)
    }

    /// The provider's authorization endpoint.
    pub async fn authorization_endpoint(&self, resolved: &Resolved) -> Result<String, DomainError> {
        match resolved {
            Resolved::Oidc { issuer } => Ok(self.issuer(issuer, false).await?.discovery.authorization_endpoint.clone()),
            Resolved::Plain { endpoints, .. } => Ok(endpoints.authorize.to_owned()),
        }
    }

    /// Exchanges the code (with the PKCE verifier) and identifies the provider's account.
    pub async fn identify(
        &self,
        cfg: &OauthProviderConfig,
        resolved: &Resolved,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
        nonce: Option<&str>,
    ) -> Result<ExternalIdentity, DomainError> {
        let token_endpoint = match resolved {
            Resolved::Oidc { issuer } => self.issuer(issuer, false).await?.discovery.token_endpoint.clone(),
            Resolved::Plain { endpoints, .. } => endpoints.token.to_owned(),
        };
        let tokens = self.exchange(cfg, &token_endpoint, code, redirect_uri, verifier).await?;
        match resolved {
            Resolved::Oidc { issuer } => {
                let id_token = tokens.id_token.as_deref().ok_or_else(|| failed("the provider sent no ID token"))?;
                let claims = self.verify_id_token(issuer, &cfg.client_id, id_token, nonce).await?;
                self.oidc_identity(issuer, claims, &tokens.access_token).await
            }
            Resolved::Plain { kind: ProviderKind::Github, .. } => self.github_identity(&tokens.access_token).await,
            Resolved::Plain { .. } => self.discord_identity(&tokens.access_token).await,
        }
    }

    async fn exchange(
        &self,
        cfg: &OauthProviderConfig,
        token_endpoint: &str,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<TokenResponse, DomainError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", cfg.client_id.as_str()),
            ("client_secret", cfg.client_secret.expose()),
            ("code_verifier", verifier),
        ];
        let req = self
            .http
            .post(token_endpoint)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .build()
            .map_err(|e| unavailable("token endpoint", e))?;
        let resp = crate::trace::send_http(&self.http, req).await.map_err(|e| unavailable("token endpoint", e))?;
        let status = resp.status();
        if status.is_server_error() {
            return Err(unavailable("token endpoint", status));
        }
        if !status.is_success() {
            tracing::warn!(%status, provider = %cfg.name, "oauth code exchange refused");
            return Err(failed("the provider refused the authorization code"));
        }
        // GitHub answers 200 with `{"error": …}` for a bad code: no access_token means failure.
        resp.json::<TokenResponse>().await.map_err(|_| failed("the provider refused the authorization code"))
    }

    async fn verify_id_token(
        &self,
        issuer: &str,
        client_id: &str,
        id_token: &str,
        nonce: Option<&str>,
    ) -> Result<IdClaims, DomainError> {
        let header = jsonwebtoken::decode_header(id_token).map_err(|_| failed("malformed ID token"))?;
        let mut cached = self.issuer(issuer, false).await?;
        let kid = header.kid.clone().unwrap_or_default();
        let find = |set: &JwkSet| {
            set.keys.iter().find(|k| header.kid.is_none() || k.common.key_id.as_deref() == Some(&kid)).cloned()
        };
        let jwk = match find(&cached.jwks) {
            Some(k) => k,
            None => {
                cached = self.issuer(issuer, true).await?;
                find(&cached.jwks).ok_or_else(|| failed("ID token signed with an unknown key"))?
            }
        };
        let key = DecodingKey::from_jwk(&jwk).map_err(|_| failed("the provider's key is unusable"))?;
        // The algorithm comes from the header but must suit the key type (no `none`, no HMAC).
        if matches!(
            header.alg,
            jsonwebtoken::Algorithm::HS256 | jsonwebtoken::Algorithm::HS384 | jsonwebtoken::Algorithm::HS512
        ) {
            return Err(failed("ID token uses a symmetric algorithm"));
        }
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&[client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 60;
        let data = jsonwebtoken::decode::<IdClaims>(id_token, &key, &validation).map_err(|e| {
            tracing::warn!(error = %e, "ID token rejected");
            failed("the ID token did not verify")
        })?;
        let claims = data.claims;
        if !oauth::issuer_matches(issuer, &claims.iss, claims.tid.as_deref()) {
            tracing::warn!(expected = issuer, got = %claims.iss, "ID token issuer mismatch");
            return Err(failed("the ID token names another issuer"));
        }
        let nonce_ok = match (nonce, claims.nonce.as_deref()) {
            (Some(expected), Some(got)) => subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), got.as_bytes()).into(),
            _ => false,
        };
        if !nonce_ok {
            tracing::warn!("ID token nonce mismatch");
            return Err(failed("the ID token's nonce does not match this sign-in"));
        }
        Ok(claims)
    }

    async fn oidc_identity(
        &self,
        issuer: &str,
        claims: IdClaims,
        access_token: &str,
    ) -> Result<ExternalIdentity, DomainError> {
        let mut email = claims.email.filter(|_| verified(&claims.email_verified));
        let mut name = claims.name;
        if email.is_none() {
            let userinfo_endpoint = self.issuer(issuer, false).await?.discovery.userinfo_endpoint.clone();
            if let Some(endpoint) = userinfo_endpoint {
                let info: IdClaimsUserinfo = self.get_json(&endpoint, Some(access_token)).await?;
                // Userinfo is trusted only for the subject the signed ID token named.
                if info.sub == claims.sub {
                    email = info.email.filter(|_| verified(&info.email_verified));
                    name = name.or(info.name);
                }
            }
        }
        Ok(ExternalIdentity { subject: claims.sub, email, name })
    }

    async fn github_identity(&self, access_token: &str) -> Result<ExternalIdentity, DomainError> {
        #[derive(Deserialize)]
        struct User {
            id: u64,
            #[serde(default)]
            name: Option<String>,
            #[serde(default)]
            login: Option<String>,
        }
        #[derive(Deserialize)]
        struct Email {
            email: String,
            primary: bool,
            verified: bool,
        }
        let user: User = self.get_json("https://api.github.com/user", Some(access_token)).await?;
        let emails: Vec<Email> = self.get_json("https://api.github.com/user/emails", Some(access_token)).await?;
        let email = emails.into_iter().find(|e| e.primary && e.verified).map(|e| e.email);
        Ok(ExternalIdentity { subject: user.id.to_string(), email, name: user.name.or(user.login) })
    }

    async fn discord_identity(&self, access_token: &str) -> Result<ExternalIdentity, DomainError> {
        #[derive(Deserialize)]
        struct User {
            id: String,
            #[serde(default)]
            email: Option<String>,
            #[serde(default)]
            verified: bool,
            #[serde(default)]
            global_name: Option<String>,
        }
        let user: User = self.get_json("https://discord.com/api/users/@me", Some(access_token)).await?;
        Ok(ExternalIdentity { subject: user.id, email: user.email.filter(|_| user.verified), name: user.global_name })
    }
}

#[derive(Deserialize)]
struct IdClaimsUserinfo {
    sub: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_verified: Option<serde_json::Value>,
    #[serde(default)]
    name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_explicitly_verified_emails_count() {
        assert!(verified(&Some(serde_json::json!(true))));
        assert!(verified(&Some(serde_json::json!("true"))));
        assert!(!verified(&Some(serde_json::json!(false))));
        assert!(!verified(&Some(serde_json::json!("yes"))));
        assert!(!verified(&None));
    }
}
