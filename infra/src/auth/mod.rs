//! Customer identity: the use cases (one service per group of them, all over one shared
//! [`AuthContext`]) and their SQL (`store`).

pub mod context;
pub mod customers;
pub mod email_change;
pub mod factors;
pub mod methods;
pub mod mfa;
pub mod oauth;
pub mod oauth_client;
pub mod profile;
pub mod reauth;
pub mod recovery;
pub mod registration;
pub mod sending;
pub mod session_cache;
pub mod sessions;
pub mod sign_in;
pub mod signin;
pub mod store;

use std::sync::Arc;

pub use context::AuthContext;

/// Every customer-identity service, built once over one context.
#[derive(Clone)]
pub struct AuthServices {
    pub context: Arc<AuthContext>,
    pub registration: registration::Registration,
    pub sign_in: sign_in::SignIn,
    pub sessions: sessions::Sessions,
    pub recovery: recovery::Recovery,
    pub email_change: email_change::EmailChange,
    pub mfa: mfa::Mfa,
    pub oauth: oauth::Oauth,
    pub methods: methods::Methods,
    pub profile: profile::Profile,
    pub reauth: reauth::Reauth,
    pub customers: customers::CustomerAccounts,
}

impl AuthServices {
    pub fn new(context: AuthContext) -> Self {
        let ctx = Arc::new(context);
        Self {
            registration: registration::Registration(ctx.clone()),
            sign_in: sign_in::SignIn(ctx.clone()),
            sessions: sessions::Sessions(ctx.clone()),
            recovery: recovery::Recovery(ctx.clone()),
            email_change: email_change::EmailChange(ctx.clone()),
            mfa: mfa::Mfa(ctx.clone()),
            oauth: oauth::Oauth(ctx.clone()),
            methods: methods::Methods(ctx.clone()),
            profile: profile::Profile(ctx.clone()),
            reauth: reauth::Reauth(ctx.clone()),
            customers: customers::CustomerAccounts(ctx.clone()),
            context: ctx,
        }
    }
}
