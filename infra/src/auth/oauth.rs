//! OAuth / OIDC sign-in and linking. A flow starts with `authorization_url`, which keeps the
//! state, PKCE verifier and nonce in Redis for `challenge_expiration`; the callback consumes
//! them with GETDEL, so a state works once. Accounts are found by (provider, subject) only:
//! an e-mail match never signs anyone in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use helium_domain::auth::oauth::{self, Resolved};
use helium_domain::config::{AuthConfig, OauthProviderConfig};
use helium_domain::events::{Event, types};
use helium_domain::{DomainError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::identity_store::{self, IdentityOwner};
use super::mfa::LoginOutcome;
use super::service::{AuthService, ClientInfo, db, internal};
use super::{store, tokens};

/// What the callback needs to finish the flow the state names.
#[derive(Debug, Serialize, Deserialize)]
struct Challenge {
    provider: String,
    redirect_uri: String,
    verifier: String,
    nonce: Option<String>,
    /// Set when a signed-in customer started the flow to link an identity: such a state is
    /// good only for linking, by that customer.
    link_user: Option<Uuid>,
}

fn state_invalid() -> DomainError {
    DomainError::rejected(ErrorCode::OauthStateInvalid, "the sign-in state is invalid, expired or already used")
}

fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A linked identity as the methods API shows it.
pub use super::identity_store::IdentityRow;

impl AuthService {
    fn provider<'a>(cfg: &'a AuthConfig, name: &str) -> Result<(&'a OauthProviderConfig, Resolved), DomainError> {
        let unknown = || DomainError::rejected(ErrorCode::OauthProviderUnknown, format!("no OAuth provider `{name}`"));
        let p = oauth::find(&cfg.oauth_providers.providers, name).ok_or_else(unknown)?;
        let resolved = oauth::resolve(p).ok_or_else(unknown)?;
        Ok((p, resolved))
    }

    fn state_key(&self, state: &str) -> String {
        self.redis.key(&format!("oauth:state:{}", hex::encode(tokens::token_hash(state))))
    }

    /// Starts a flow: the URL to send the browser to. `link_user` binds the state to a
    /// signed-in customer (linking); without it the state is for signing in.
    pub async fn oauth_authorization_url(
        &self,
        provider: &str,
        redirect_uri: Option<&str>,
        link_user: Option<Uuid>,
    ) -> Result<String, DomainError> {
        let cfg = self.auth_config().await?;
        let (p, resolved) = Self::provider(&cfg, provider)?;
        let redirect = oauth::redirect_uri(p, redirect_uri).ok_or_else(|| {
            DomainError::rejected(ErrorCode::RedirectUriNotAllowed, "redirect_uri is not in this provider's allow list")
        })?;
        let state = tokens::opaque_token();
        let verifier = tokens::opaque_token();
        let nonce = matches!(resolved, Resolved::Oidc { .. }).then(tokens::opaque_token);
        let endpoint = self.oauth.authorization_endpoint(&resolved).await?;
        let mut params = vec![
            ("response_type", "code".to_owned()),
            ("client_id", p.client_id.clone()),
            ("redirect_uri", redirect.to_owned()),
            ("scope", oauth::scopes(p, &resolved)),
            ("state", state.clone()),
            ("code_challenge", pkce_challenge(&verifier)),
            ("code_challenge_method", "S256".to_owned()),
        ];
        if let Some(n) = &nonce {
            params.push(("nonce", n.clone()));
        }
        let url = reqwest::Url::parse_with_params(&endpoint, &params)
            .map_err(|e| DomainError::Unavailable(format!("oauth provider authorization endpoint: {e}")))?;
        let challenge = Challenge {
            provider: p.name.to_ascii_lowercase(),
            redirect_uri: redirect.to_owned(),
            verifier,
            nonce,
            link_user,
        };
        let ttl = cfg.oauth_providers.challenge_expiration.0.max(1);
        let mut conn = self.redis.conn().await.map_err(|e| DomainError::Unavailable(format!("redis: {e}")))?;
        let value = serde_json::to_string(&challenge).map_err(internal)?;
        redis::cmd("SET")
            .arg(self.state_key(&state))
            .arg(value)
            .arg("EX")
            .arg(ttl)
            .query_async::<()>(&mut conn)
            .await
            .map_err(|e| DomainError::Unavailable(format!("redis: {e}")))?;
        Ok(url.to_string())
    }

    /// Consumes a state (once) and identifies the provider's account behind the code.
    async fn finish_flow(
        &self,
        cfg: &AuthConfig,
        provider: &str,
        code: &str,
        state: &str,
        link_user: Option<Uuid>,
    ) -> Result<(String, super::oauth_client::ExternalIdentity), DomainError> {
        let (p, resolved) = Self::provider(cfg, provider)?;
        let mut conn = self.redis.conn().await.map_err(|e| DomainError::Unavailable(format!("redis: {e}")))?;
        let raw: Option<String> = redis::cmd("GETDEL")
            .arg(self.state_key(state))
            .query_async(&mut conn)
            .await
            .map_err(|e| DomainError::Unavailable(format!("redis: {e}")))?;
        let challenge: Challenge = raw.and_then(|r| serde_json::from_str(&r).ok()).ok_or_else(state_invalid)?;
        if challenge.provider != p.name.to_ascii_lowercase() || challenge.link_user != link_user {
            tracing::warn!(provider, "oauth state presented for another provider or purpose");
            return Err(state_invalid());
        }
        let identity = self
            .oauth
            .identify(p, &resolved, code, &challenge.redirect_uri, &challenge.verifier, challenge.nonce.as_deref())
            .await?;
        Ok((challenge.provider, identity))
    }

    /// Signs in with a provider. A new identity creates an account; one whose verified
    /// e-mail already has an account is refused (409): the owner signs in and links it.
    pub async fn oauth_login(
        &self,
        provider: &str,
        code: &str,
        state: &str,
        client: &ClientInfo,
    ) -> Result<LoginOutcome, DomainError> {
        let cfg = self.auth_config().await?;
        let (provider, identity) = self.finish_flow(&cfg, provider, code, state, None).await?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let user_id = match identity_store::owner(&mut tx, &provider, &identity.subject).await.map_err(db)? {
            Some(IdentityOwner { identity_id, user_id, status }) => {
                if status == "banned" {
                    return Err(DomainError::rejected(ErrorCode::AccountBanned, "this account is banned"));
                }
                identity_store::touch(&mut tx, identity_id).await.map_err(db)?;
                user_id
            }
            None => self.oauth_register(&mut tx, &cfg, &provider, &identity).await?,
        };
        let outcome = self.finish_first_factor(&mut tx, &cfg, user_id, client).await?;
        tx.commit().await.map_err(db)?;
        Ok(outcome)
    }

    async fn oauth_register(
        &self,
        tx: &mut sqlx::PgConnection,
        cfg: &AuthConfig,
        provider: &str,
        identity: &super::oauth_client::ExternalIdentity,
    ) -> Result<Uuid, DomainError> {
        let email =
            identity.email.as_deref().and_then(helium_domain::auth::rules::normalize_email).ok_or_else(|| {
                DomainError::rejected(
                    ErrorCode::OauthEmailRequired,
                    "the provider did not share a verified e-mail address; register with e-mail instead",
                )
            })?;
        super::service::registration_allowed(cfg, &email)?;
        store::lock_address(tx, "register", &email).await.map_err(db)?;
        let Some(user) = store::insert_user(tx, Uuid::now_v7(), &email, None, None).await.map_err(db)? else {
            return Err(DomainError::rejected(
                ErrorCode::AccountExistsLinkRequired,
                "an account with this e-mail exists: sign in to it, then link this provider",
            ));
        };
        if let Some(name) = identity.name.as_deref() {
            let name: String = name.chars().take(100).collect();
            store::set_display_name(tx, user.id, &name).await.map_err(db)?;
        }
        let inserted =
            identity_store::insert(tx, user.id, provider, &identity.subject, Some(&email)).await.map_err(db)?;
        if inserted.is_none() {
            // A concurrent callback for the same identity won the race.
            return Err(state_invalid());
        }
        let registered = Event::new(
            Uuid::now_v7(),
            types::USER_REGISTERED,
            user.id.to_string(),
            Utc::now(),
            json!({ "user_id": user.id, "referral_code": null, "method": "oauth", "provider": provider }),
        );
        store::emit(tx, &registered).await.map_err(db)?;
        Ok(user.id)
    }

    /// Links a provider identity to the signed-in customer who started the flow.
    pub async fn oauth_link(
        &self,
        user_id: Uuid,
        provider: &str,
        code: &str,
        state: &str,
    ) -> Result<IdentityRow, DomainError> {
        let cfg = self.auth_config().await?;
        let (provider, identity) = self.finish_flow(&cfg, provider, code, state, Some(user_id)).await?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        store::lock_user(&mut tx, user_id).await.map_err(db)?;
        let email = identity.email.as_deref().and_then(helium_domain::auth::rules::normalize_email);
        let row = match identity_store::insert(&mut tx, user_id, &provider, &identity.subject, email.as_deref())
            .await
            .map_err(db)?
        {
            Some(row) => row,
            None => match identity_store::owner(&mut tx, &provider, &identity.subject).await.map_err(db)? {
                Some(o) if o.user_id == user_id => identity_store::get(&mut tx, user_id, o.identity_id)
                    .await
                    .map_err(db)?
                    .ok_or_else(|| internal("linked identity vanished"))?,
                _ => {
                    return Err(DomainError::rejected(
                        ErrorCode::OauthIdentityInUse,
                        "this provider account is linked to another Helium account",
                    ));
                }
            },
        };
        tx.commit().await.map_err(db)?;
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
