//! `helium.v1.MetaService`: the gRPC face of `GET /api/v1/meta`.

use tonic::{Request, Response, Status};

use super::pb;
use crate::rest::meta::load_meta;
use crate::state::AppState;

pub struct MetaGrpc {
    state: AppState,
}

impl MetaGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::meta_service_server::MetaService for MetaGrpc {
    async fn get_meta(&self, _req: Request<pb::GetMetaRequest>) -> Result<Response<pb::Meta>, Status> {
        let m = load_meta(&self.state).await?;
        Ok(Response::new(pb::Meta {
            helium_version: m.helium_version,
            api_version: m.api_version,
            registration_open: m.registration_open,
            oauth_providers: m.oauth_providers,
            password_policy: Some(pb::PasswordPolicy {
                min_length: m.password_policy.min_length,
                max_length: m.password_policy.max_length,
            }),
            subscription_formats: m.subscription_formats,
        }))
    }
}
