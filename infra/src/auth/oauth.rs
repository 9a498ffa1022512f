//! OAuth / OIDC sign-in and linking. A flow starts with `authorization_url`, which keeps the
//! state, PKCE verifier and nonce in Redis for `challenge_expiration`; the callback consumes
//! them with GETDEL, so a state works once. The state is also bound to the client that began
//! the flow: the caller keeps a secret (`binding`) only it knows and presents it with the
//! callback (SECURITY.md §1.11, login CSRF). Accounts are found by (provider, subject) only:
//! an e-mail match never signs anyone in, and linking needs a recent re-authentication.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use helium_domain::auth::oauth::{self, Resolved};
use helium_domain::auth::{CustomerPrincipal, CustomerStatus, LinkedIdentity, LoginOutcome};
use helium_domain::config::{AuthConfig, OauthProviderConfig};
use helium_domain::events::{EmailTemplate, Event, types};
use helium_domain::{ClientInfo, DomainError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::context::{AuthContext, internal, redis_down};
use super::oauth_client::ExternalIdentity;
use super::reauth;
use super::sending::registration_allowed;
use super::signin::{banned, finish_first_factor};
use super::store::{identities, one_time, users};
use crate::events::outbox;
use crate::identity::tokens;
use crate::mail::email_event;

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
    /// SHA-256 of the browser binding secret, when the flow was started with one.
    binding: Option<String>,
}

/// The start of a flow: where to send the browser, and the binding secret the client keeps
/// (a cookie on the web, memory in an app) and presents with the callback.
#[derive(Debug, Clone)]
pub struct AuthorizationStart {
    pub authorization_url: String,
    pub binding: String,
}

fn state_invalid() -> DomainError {
    DomainError::rejected(ErrorCode::OauthStateInvalid, "the sign-in state is invalid, expired or already used")
}

fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn binding_hash(binding: &str) -> String {
    hex::encode(Sha256::digest(binding.as_bytes()))
}

#[derive(Clone)]
pub struct Oauth(pub(crate) Arc<AuthContext>);

impl Oauth {
    fn provider<'a>(cfg: &'a AuthConfig, name: &str) -> Result<(&'a OauthProviderConfig, Resolved), DomainError> {
        let unknown = || DomainError::rejected(ErrorCode::OauthProviderUnknown, format!("no OAuth provider `{name}`"));
        let p = oauth::find(&cfg.oauth_providers.providers, name).ok_or_else(unknown)?;
        let resolved = oauth::resolve(p).ok_or_else(unknown)?;
        Ok((p, resolved))
    }

    fn state_key(&self, state: &str) -> String {
        self.0.redis.key(&format!("oauth:state:{}", hex::encode(tokens::token_hash(state))))
    }

    /// Starts a flow. `link_user` binds the state to a signed-in customer (linking); without it
    /// the state is for signing in.
    pub async fn authorization_url(
        &self,
        provider: &str,
        redirect_uri: Option<&str>,
        link_user: Option<Uuid>,
    ) -> Result<AuthorizationStart, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.auth_config().await?;
        let (p, resolved) = Self::provider(&cfg, provider)?;
        let redirect = oauth::redirect_uri(p, redirect_uri).ok_or_else(|| {
            DomainError::rejected(ErrorCode::RedirectUriNotAllowed, "redirect_uri is not in this provider's allow list")
        })?;
        let state = tokens::opaque_token();
        let verifier = tokens::opaque_token();
        let binding = tokens::opaque_token();
        let nonce = matches!(resolved, Resolved::Oidc { .. }).then(tokens::opaque_token);
        let endpoint = ctx.oauth.authorization_endpoint(&resolved).await?;
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
            binding: Some(binding_hash(&binding)),
        };
        let ttl = cfg.oauth_providers.challenge_expiration.0.max(1);
        let mut conn = ctx.redis.conn().await.map_err(redis_down)?;
        let value = serde_json::to_string(&challenge).map_err(internal)?;
        redis::cmd("SET")
            .arg(self.state_key(&state))
            .arg(value)
            .arg("EX")
            .arg(ttl)
            .query_async::<()>(&mut conn)
            .await
            .map_err(redis_down)?;
        Ok(AuthorizationStart { authorization_url: url.to_string(), binding })
    }

    /// Consumes a state (once) and identifies the provider's account behind the code.
    async fn finish_flow(
        &self,
        cfg: &AuthConfig,
        provider: &str,
        code: &str,
        state: &str,
        binding: Option<&str>,
        link_user: Option<Uuid>,
    ) -> Result<(String, ExternalIdentity), DomainError> {
        let ctx = &self.0;
        let (p, resolved) = Self::provider(cfg, provider)?;
        let mut conn = ctx.redis.conn().await.map_err(redis_down)?;
        let raw: Option<String> =
            redis::cmd("GETDEL").arg(self.state_key(state)).query_async(&mut conn).await.map_err(redis_down)?;
        let challenge: Challenge = raw.and_then(|r| serde_json::from_str(&r).ok()).ok_or_else(state_invalid)?;
        if challenge.provider != p.name.to_ascii_lowercase() || challenge.link_user != link_user {
            tracing::warn!(provider, "oauth state presented for another provider or purpose");
            return Err(state_invalid());
        }
        let bound = match (&challenge.binding, binding) {
            (Some(expected), Some(given)) => expected.as_bytes().ct_eq(binding_hash(given).as_bytes()).into(),
            _ => false,
        };
        if !bound {
            tracing::warn!(provider, "oauth callback without the binding of the client that started the flow");
            return Err(state_invalid());
        }
        let identity = ctx
            .oauth
            .identify(p, &resolved, code, &challenge.redirect_uri, &challenge.verifier, challenge.nonce.as_deref())
            .await?;
        Ok((challenge.provider, identity))
    }

    /// Signs in with a provider. A new identity creates an account; one whose verified
    /// e-mail already has an account is refused (409): the owner signs in and links it.
    pub async fn login(
        &self,
        provider: &str,
        code: &str,
        state: &str,
        binding: Option<&str>,
        client: &ClientInfo,
    ) -> Result<LoginOutcome, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.auth_config().await?;
        let (provider, identity) = self.finish_flow(&cfg, provider, code, state, binding, None).await?;
        crate::transaction!(ctx.db, |tx| {
            let user_id = match identities::owner(tx, &provider, &identity.subject).await? {
                Some(o) => {
                    if o.status == CustomerStatus::Banned {
                        return Err(banned());
                    }
                    identities::touch(tx, o.identity_id).await?;
                    o.user_id
                }
                None => oauth_register(tx, &cfg, &provider, &identity).await?,
            };
            finish_first_factor(tx, &cfg, user_id, client).await
        })
    }

    /// Links a provider identity to the signed-in customer who started the flow, after a
    /// recent re-authentication; the owner is told by e-mail.
    pub async fn link(
        &self,
        me: CustomerPrincipal,
        reauth_proof: Option<&str>,
        provider: &str,
        code: &str,
        state: &str,
        binding: Option<&str>,
    ) -> Result<LinkedIdentity, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.auth_config().await?;
        reauth::require(&cfg, me, reauth_proof)?;
        let (provider, identity) = self.finish_flow(&cfg, provider, code, state, binding, Some(me.user_id)).await?;
        crate::transaction!(ctx.db, |tx| {
            let user = users::by_id(tx, me.user_id).await?.ok_or_else(state_invalid)?;
            users::lock(tx, me.user_id).await?;
            let email = identity.email.as_deref().and_then(helium_domain::auth::rules::normalize_email);
            let row = match identities::insert(tx, me.user_id, &provider, &identity.subject, email.as_deref()).await? {
                Some(row) => row,
                None => match identities::owner(tx, &provider, &identity.subject).await? {
                    Some(o) if o.user_id == me.user_id => {
                        return identities::get(tx, me.user_id, o.identity_id)
                            .await?
                            .ok_or_else(|| internal("linked identity vanished"));
                    }
                    _ => {
                        return Err(DomainError::rejected(
                            ErrorCode::OauthIdentityInUse,
                            "this provider account is linked to another Helium account",
                        ));
                    }
                },
            };
            let notice = email_event(
                tx,
                &ctx.keys,
                &user.email,
                EmailTemplate::SecurityMethodChanged,
                json!({ "change": "linked", "method": provider, "occurred_at": Utc::now().to_rfc3339(), "recipient": user.email }),
                json!({}),
            )
            .await?;
            outbox::append(tx, &notice).await?;
            Ok(row)
        })
    }
}

async fn oauth_register(
    c: &mut PgConnection,
    cfg: &AuthConfig,
    provider: &str,
    identity: &ExternalIdentity,
) -> Result<Uuid, DomainError> {
    let email = identity.email.as_deref().and_then(helium_domain::auth::rules::normalize_email).ok_or_else(|| {
        DomainError::rejected(
            ErrorCode::OauthEmailRequired,
            "the provider did not share a verified e-mail address; register with e-mail instead",
        )
    })?;
    registration_allowed(cfg, &email)?;
    one_time::lock_address(c, "register", &email).await?;
    let Some(user) = users::insert(c, Uuid::now_v7(), &email, None, None).await? else {
        return Err(DomainError::rejected(
            ErrorCode::AccountExistsLinkRequired,
            "an account with this e-mail exists: sign in to it, then link this provider",
        ));
    };
    if let Some(name) = identity.name.as_deref() {
        let name: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
        if !name.trim().is_empty() {
            users::set_display_name(c, user.id, name.trim()).await?;
        }
    }
    if identities::insert(c, user.id, provider, &identity.subject, Some(&email)).await?.is_none() {
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
    outbox::append(c, &registered).await?;
    Ok(user.id)
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
