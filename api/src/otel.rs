//! OpenTelemetry trace export (`OTEL_COLLECTOR`, the seed's variable): OTLP over gRPC to a
//! collector, batched on a background thread, sampled by `OTEL_SAMPLING_RATIO` (parent-based,
//! so a trace is kept or dropped whole).
//!
//! What becomes a span: each HTTP request (`api/src/http/request_id.rs`: route template,
//! method, status, request id), each SQL statement run inside a traced operation (from sqlx's
//! own query events, see [`SqlSpans`]), each Redis command and AMQP publish/consume
//! (`helium_infra::trace`). Attributes carry templates, statement text with placeholders,
//! command and queue names — never parameters, bodies, headers or tokens.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use opentelemetry::trace::{SpanKind, TraceContextExt, Tracer, TracerProvider as _};
use opentelemetry::{KeyValue, global};
use opentelemetry_otlp::{SpanExporter, WithExportConfig, WithTonicConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler, SdkTracer, SdkTracerProvider};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Dispatch, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{Targets, filter_fn};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// Export settings from the environment.
#[derive(Debug, Clone, PartialEq)]
pub struct OtelSettings {
    /// `http://host:port` of an OTLP/gRPC receiver (an OpenTelemetry Collector, usually :4317).
    pub endpoint: String,
    /// Fraction of new traces kept, 0.0–1.0 (`OTEL_SAMPLING_RATIO`, default 1.0).
    pub sampling_ratio: f64,
}

impl OtelSettings {
    /// `None` when `OTEL_COLLECTOR` is unset; an error names the variable.
    pub fn from_env(get: &dyn Fn(&str) -> Option<String>) -> Result<Option<Self>, (&'static str, String, String)> {
        let Some(endpoint) = get("OTEL_COLLECTOR").map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        let host = endpoint.strip_prefix("http://").or_else(|| endpoint.strip_prefix("https://")).unwrap_or_default();
        if host.is_empty() || host.contains('@') {
            return Err((
                "OTEL_COLLECTOR",
                endpoint,
                "expected http(s)://host:port of an OTLP/gRPC collector (credentials go in OTEL_EXPORTER_OTLP_HEADERS)"
                    .into(),
            ));
        }
        let sampling_ratio = match get("OTEL_SAMPLING_RATIO").map(|v| v.trim().to_owned()) {
            None => 1.0,
            Some(v) => match v.parse::<f64>() {
                Ok(r) if (0.0..=1.0).contains(&r) => r,
                _ => return Err(("OTEL_SAMPLING_RATIO", v, "expected a number from 0.0 to 1.0".into())),
            },
        };
        Ok(Some(Self { endpoint, sampling_ratio }))
    }
}

/// Builds the exporter and the tracer provider, and installs the W3C propagator. Must run
/// inside a Tokio runtime (the gRPC channel's worker is spawned on it); the provider must be
/// shut down (see [`shutdown`]) before that runtime ends, so buffered spans are flushed.
pub fn provider(settings: &OtelSettings, service_name: &'static str) -> anyhow::Result<SdkTracerProvider> {
    // https: rustls (ring) trusting the system's CA store; headers such as an API key come
    // from OTEL_EXPORTER_OTLP_HEADERS (read by the exporter itself).
    let mut builder = SpanExporter::builder()
        .with_tonic()
        .with_endpoint(settings.endpoint.clone())
        .with_timeout(Duration::from_secs(5));
    if settings.endpoint.starts_with("https://") {
        builder = builder.with_tls_config(tonic::transport::ClientTlsConfig::new().with_native_roots());
    }
    let exporter = builder.build()?;
    let resource = Resource::builder()
        .with_service_name(service_name)
        .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(settings.sampling_ratio))))
        .with_resource(resource)
        .build();
    global::set_text_map_propagator(TraceContextPropagator::new());
    Ok(provider)
}

/// Flushes and stops the exporter; blocks, so it runs on a blocking thread.
pub async fn shutdown(provider: SdkTracerProvider) {
    let done = tokio::task::spawn_blocking(move || provider.shutdown());
    match tokio::time::timeout(Duration::from_secs(10), done).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => eprintln!("helium: trace export shutdown: {e}"),
        _ => eprintln!("helium: trace export shutdown did not finish"),
    }
}

/// The layers that turn spans into OpenTelemetry spans, each with its own filter (the log
/// filter, RUST_LOG, applies only to the log output).
pub fn layers<S>(provider: &SdkTracerProvider) -> Box<dyn Layer<S> + Send + Sync + 'static>
where
    S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
{
    let tracer = provider.tracer("helium");
    // Spans of our own at info (requests) and the client spans of helium_infra::trace at debug;
    // the HTTP/2 and gRPC stacks stay out (the exporter's own calls would trace themselves).
    let spans = Targets::new()
        .with_default(LevelFilter::INFO)
        .with_target(helium_infra::trace::TARGET, LevelFilter::DEBUG)
        .with_target("h2", LevelFilter::OFF)
        .with_target("hyper", LevelFilter::OFF)
        .with_target("hyper_util", LevelFilter::OFF)
        .with_target("tonic", LevelFilter::OFF)
        .with_target("tower", LevelFilter::OFF)
        .with_target("opentelemetry", LevelFilter::OFF)
        .with_target("opentelemetry_sdk", LevelFilter::OFF)
        .with_target("sqlx", LevelFilter::OFF)
        .with_target("lapin", LevelFilter::OFF)
        .with_target("pinky_swear", LevelFilter::OFF);
    // The SQL layer sees sqlx's statement events, and the same spans as the OpenTelemetry
    // layer (a filtered layer's context only shows the spans its own filter enabled).
    let span_rule = spans.clone();
    let sql_filter = filter_fn(move |meta| {
        // `sqlx::query` by target alone: sqlx first asks `enabled!` (a hint, not an event).
        if meta.target() == "sqlx::query" {
            true
        } else {
            !meta.is_event() && span_rule.would_enable(meta.target(), meta.level())
        }
    });
    let otel = tracing_opentelemetry::layer().with_tracer(tracer.clone()).with_filter(spans);
    let sql = SqlSpans { tracer, dispatch: OnceLock::new() }.with_filter(sql_filter);
    // One layer, not a Vec: a Vec of layers does not pass on `on_register_dispatch`.
    Box::new(otel.and_then(sql))
}

/// The server span of one gRPC call (tonic's `trace_fn`): `rpc.service`/`rpc.method` from
/// the path, a W3C `traceparent` header continues the caller's trace. Debug under the
/// OpenTelemetry target, so logs are unchanged; only exported traces carry it.
pub fn grpc_span(req: &axum::http::Request<()>) -> tracing::Span {
    let path = req.uri().path().trim_start_matches('/');
    let (service, method) = path.split_once('/').unwrap_or((path, ""));
    let span = tracing::debug_span!(
        target: helium_infra::trace::TARGET,
        "grpc",
        otel.name = %path,
        otel.kind = "server",
        rpc.system = "grpc",
        rpc.service = %service,
        rpc.method = %method,
    );
    if let Some(parent) = req.headers().get(helium_infra::trace::TRACEPARENT).and_then(|v| v.to_str().ok()) {
        helium_infra::trace::adopt_parent(&span, helium_infra::trace::context_from_traceparent(parent));
    }
    span
}

/// Turns sqlx's per-statement events (target `sqlx::query`, emitted when a statement
/// finishes, with its elapsed time) into client spans under the span that ran the statement.
/// Statements outside any traced operation (background polling) make no span.
pub struct SqlSpans {
    tracer: SdkTracer,
    dispatch: OnceLock<tracing::dispatcher::WeakDispatch>,
}

#[derive(Default)]
struct SqlFields {
    summary: String,
    statement: String,
    elapsed_secs: f64,
    rows_affected: Option<u64>,
    rows_returned: Option<u64>,
}

impl Visit for SqlFields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.elapsed_secs = value;
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "rows_affected" => self.rows_affected = Some(value),
            "rows_returned" => self.rows_returned = Some(value),
            _ => {}
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_owned(),
            "db.statement" => self.statement = value.trim().to_owned(),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "summary" => self.summary = format!("{value:?}").trim_matches('"').to_owned(),
            "db.statement" => self.statement = format!("{value:?}").trim_matches('"').trim().to_owned(),
            _ => {}
        }
    }
}

/// Statement text is bounded: placeholders only, but some statements are long.
const MAX_STATEMENT: usize = 2000;

impl<S> Layer<S> for SqlSpans
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_register_dispatch(&self, subscriber: &Dispatch) {
        let _ = self.dispatch.set(subscriber.downgrade());
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        let Some(id) = ctx.event_span(event).map(|s| s.id()) else { return };
        let Some(dispatch) = self.dispatch.get().and_then(|d| d.upgrade()) else { return };
        let Some(parent) = tracing_opentelemetry::get_otel_context(&id, &dispatch) else { return };
        if !parent.span().span_context().is_sampled() {
            return;
        }
        let mut f = SqlFields::default();
        event.record(&mut f);
        let end = SystemTime::now();
        let start = end.checked_sub(Duration::from_secs_f64(f.elapsed_secs.max(0.0))).unwrap_or(end);
        let text = if f.statement.is_empty() { f.summary.trim_end_matches(" …").to_owned() } else { f.statement };
        let operation = text.split_whitespace().next().unwrap_or("SQL").to_ascii_uppercase();
        let mut attributes = vec![
            KeyValue::new("db.system.name", "postgresql"),
            KeyValue::new("db.operation.name", operation.clone()),
            KeyValue::new("db.query.text", text.chars().take(MAX_STATEMENT).collect::<String>()),
        ];
        if let Some(n) = f.rows_affected {
            attributes.push(KeyValue::new("db.response.rows_affected", n as i64));
        }
        if let Some(n) = f.rows_returned {
            attributes.push(KeyValue::new("db.response.returned_rows", n as i64));
        }
        let mut span = self
            .tracer
            .span_builder(format!("postgresql {operation}"))
            .with_kind(SpanKind::Client)
            .with_start_time(start)
            .with_attributes(attributes)
            .start_with_context(&self.tracer, &parent);
        opentelemetry::trace::Span::end_with_timestamp(&mut span, end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[tokio::test]
    async fn plain_and_tls_collectors_build() {
        for endpoint in ["http://127.0.0.1:4317", "https://127.0.0.1:4317"] {
            let settings = OtelSettings { endpoint: endpoint.into(), sampling_ratio: 0.5 };
            let provider = provider(&settings, "Helium.test").unwrap();
            let _ = provider.shutdown();
        }
    }

    fn parse(pairs: &[(&str, &str)]) -> Result<Option<OtelSettings>, (&'static str, String, String)> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        OtelSettings::from_env(&move |k| map.get(k).cloned())
    }

    #[test]
    fn unset_means_no_export_and_values_are_checked() {
        assert_eq!(parse(&[]), Ok(None));
        let s = parse(&[("OTEL_COLLECTOR", "http://otel-collector:4317")]).unwrap().unwrap();
        assert_eq!((s.endpoint.as_str(), s.sampling_ratio), ("http://otel-collector:4317", 1.0));
        let s = parse(&[("OTEL_COLLECTOR", "http://c:4317"), ("OTEL_SAMPLING_RATIO", "0.25")]).unwrap().unwrap();
        assert_eq!(s.sampling_ratio, 0.25);
        let s = parse(&[("OTEL_COLLECTOR", "https://otlp.example.com:443")]).unwrap().unwrap();
        assert_eq!(s.endpoint, "https://otlp.example.com:443");
        for (k, v) in [("OTEL_COLLECTOR", "otel:4317"), ("OTEL_COLLECTOR", "http://user:pw@c:4317")] {
            assert_eq!(parse(&[(k, v)]).unwrap_err().0, "OTEL_COLLECTOR");
        }
        for ratio in ["1.5", "-0.1", "half", "NaN"] {
            let err = parse(&[("OTEL_COLLECTOR", "http://c:4317"), ("OTEL_SAMPLING_RATIO", ratio)]).unwrap_err();
            assert_eq!(err.0, "OTEL_SAMPLING_RATIO");
        }
    }
}
