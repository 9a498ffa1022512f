//! Structured logging with `tracing` (RUST_LOG filter; JSON with LOG_FORMAT=json), plus the
//! OpenTelemetry layers when traces are exported (`crate::otel`).

use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::settings::LogFormat;

pub fn init(format: LogFormat, default_filter: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // try_init: a second call (tests) must not panic.
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).try_init(),
        LogFormat::Text => builder.with_target(false).try_init(),
    };
}

/// Logs as [`init`] (RUST_LOG filters the log output only), and every span also exported
/// through `provider`'s OpenTelemetry layers, which have their own filters.
pub fn init_with_traces(
    format: LogFormat,
    default_filter: &str,
    provider: &opentelemetry_sdk::trace::SdkTracerProvider,
) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let logs = match format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_writer(std::io::stderr)
            .with_filter(filter)
            .boxed(),
        LogFormat::Text => {
            tracing_subscriber::fmt::layer().with_target(false).with_writer(std::io::stderr).with_filter(filter).boxed()
        }
    };
    let _ = tracing_subscriber::registry().with(logs).with(crate::otel::layers(provider)).try_init();
}
