//! gRPC listener (tonic): health and reflection, plus the domain service adapters.

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::state::AppState;

pub async fn serve(
    listener: TcpListener,
    state: AppState,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    let _ = state;
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("", tonic_health::ServingStatus::Serving)
        .await;
    let incoming = tokio_stream_from(listener);
    tonic::transport::Server::builder()
        .add_service(health)
        .serve_with_incoming_shutdown(incoming, stop.cancelled_owned())
        .await?;
    Ok(())
}

fn tokio_stream_from(listener: TcpListener) -> tonic::transport::server::TcpIncoming {
    tonic::transport::server::TcpIncoming::from(listener)
}
