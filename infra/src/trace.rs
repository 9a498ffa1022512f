//! Trace context for OpenTelemetry (`OTEL_COLLECTOR`): client spans around Redis commands and
//! outbound HTTP requests (which carry `traceparent`), and W3C `traceparent` carried from a
//! request through the outbox row and the AMQP message headers, so a consumer's span joins
//! the trace of the request that caused the event.
//!
//! Everything here is a no-op when the process exports no traces: the spans are `debug`
//! under the target [`TARGET`], which the log filter leaves out and only the OpenTelemetry
//! layer enables; without it the global propagator injects nothing. Span attributes name
//! operations and queues only — never keys, arguments, payloads or tokens.

use std::collections::HashMap;

use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use opentelemetry::propagation::{Extractor, Injector};
use redis::aio::{ConnectionLike, ConnectionManager};
use redis::{Arg, Cmd, Pipeline, RedisFuture, Value};
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Target of the spans created here (the OpenTelemetry layer enables it at debug).
pub const TARGET: &str = "helium::otel";
/// The W3C trace-context header (and AMQP header) name.
pub const TRACEPARENT: &str = "traceparent";

/// The current span's context as a `traceparent` value, when a trace is being recorded.
pub fn current_traceparent() -> Option<String> {
    let span = tracing::Span::current();
    if span.is_none() {
        return None;
    }
    let cx = span.context();
    let mut carrier: HashMap<String, String> = HashMap::new();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&cx, &mut carrier));
    carrier.remove(TRACEPARENT)
}

/// The OpenTelemetry context a `traceparent` value names.
pub fn context_from_traceparent(traceparent: &str) -> opentelemetry::Context {
    let carrier = HashMap::from([(TRACEPARENT.to_owned(), traceparent.to_owned())]);
    opentelemetry::global::get_text_map_propagator(|p| p.extract(&carrier))
}

/// Sets `parent` as the span's parent when it names a valid remote span. Returns whether it did.
pub fn adopt_parent(span: &tracing::Span, parent: opentelemetry::Context) -> bool {
    use opentelemetry::trace::TraceContextExt;
    if !parent.span().span_context().is_valid() {
        return false;
    }
    span.set_parent(parent).is_ok()
}

/// AMQP headers as a propagation carrier (read side).
pub struct HeaderExtractor<'a>(pub &'a FieldTable);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        match self.0.inner().get(key)? {
            AMQPValue::LongString(s) => std::str::from_utf8(s.as_bytes()).ok(),
            AMQPValue::ShortString(s) => Some(s.as_str()),
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        self.0.inner().keys().map(|k| k.as_str()).collect()
    }
}

/// AMQP headers as a propagation carrier (write side).
pub struct HeaderInjector<'a>(pub &'a mut FieldTable);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(ShortString::from(key.to_owned()), AMQPValue::LongString(LongString::from(value)));
    }
}

/// The trace context a delivery carries in its headers (empty when none).
pub fn context_from_headers(headers: Option<&FieldTable>) -> opentelemetry::Context {
    match headers {
        Some(h) => opentelemetry::global::get_text_map_propagator(|p| p.extract(&HeaderExtractor(h))),
        None => opentelemetry::Context::new(),
    }
}

/// Writes `span`'s context into `headers` (nothing when no trace is recorded).
pub fn inject_span(span: &tracing::Span, headers: &mut FieldTable) {
    let cx = span.context();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&cx, &mut HeaderInjector(headers)));
}

/// The command name of a Redis request (`GET`, `EVALSHA`…), never its arguments.
fn command_name(cmd: &Cmd) -> String {
    match cmd.args_iter().next() {
        Some(Arg::Simple(name)) => String::from_utf8_lossy(name).to_ascii_uppercase(),
        _ => "UNKNOWN".to_owned(),
    }
}

/// A Redis connection whose commands are client spans of the current trace.
#[derive(Clone)]
pub struct TracedConnection(pub ConnectionManager);

impl TracedConnection {
    fn span(operation: &str) -> tracing::Span {
        // A command outside any traced operation (background refreshes) starts no trace.
        if tracing::Span::current().is_none() {
            return tracing::Span::none();
        }
        tracing::debug_span!(
            target: TARGET,
            "redis",
            otel.name = %format!("redis {operation}"),
            otel.kind = "client",
            db.system.name = "redis",
            db.operation.name = %operation,
        )
    }
}

impl ConnectionLike for TracedConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        let span = Self::span(&command_name(cmd));
        Box::pin(self.0.req_packed_command(cmd).instrument(span))
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        let span = Self::span("PIPELINE");
        Box::pin(self.0.req_packed_commands(cmd, offset, count).instrument(span))
    }

    fn get_db(&self) -> i64 {
        self.0.get_db()
    }
}

/// HTTP request headers as a propagation carrier (write side).
struct HttpHeaderInjector<'a>(&'a mut reqwest::header::HeaderMap);

impl Injector for HttpHeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        let name = reqwest::header::HeaderName::from_bytes(key.as_bytes());
        if let (Ok(name), Ok(value)) = (name, reqwest::header::HeaderValue::from_str(&value)) {
            self.0.insert(name, value);
        }
    }
}

/// The span of one outbound HTTP request: method, server address and port, the answer's
/// status — never the path or the query (a gateway query or a webhook URL may carry a key).
/// A child of the current span; a root of its own for background work (webhook deliveries,
/// gateway queries), which has none.
fn http_span(request: &reqwest::Request) -> tracing::Span {
    let url = request.url();
    tracing::debug_span!(
        target: TARGET,
        "http",
        otel.name = %request.method(),
        otel.kind = "client",
        otel.status_code = tracing::field::Empty,
        http.request.method = %request.method(),
        server.address = url.host_str().unwrap_or_default(),
        // Signed: tracing-opentelemetry exports unsigned values as strings.
        server.port = i64::from(url.port_or_known_default().unwrap_or_default()),
        http.response.status_code = tracing::field::Empty,
    )
}

/// Sends `request` as a client span, with the W3C `traceparent` header so the receiving side
/// can join the trace (nothing is added when no trace is recorded).
pub async fn send_http(client: &reqwest::Client, mut request: reqwest::Request) -> reqwest::Result<reqwest::Response> {
    let span = http_span(&request);
    let cx = span.context();
    opentelemetry::global::get_text_map_propagator(|p| {
        p.inject_context(&cx, &mut HttpHeaderInjector(request.headers_mut()));
    });
    let result = client.execute(request).instrument(span.clone()).await;
    match &result {
        Ok(res) => {
            span.record("http.response.status_code", i64::from(res.status().as_u16()));
            if res.status().is_server_error() {
                span.record("otel.status_code", "ERROR");
            }
        }
        Err(_) => {
            span.record("otel.status_code", "ERROR");
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_headers_take_the_traceparent() {
        let mut headers = reqwest::header::HeaderMap::new();
        HttpHeaderInjector(&mut headers)
            .set(TRACEPARENT, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into());
        assert_eq!(headers[TRACEPARENT], "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        HttpHeaderInjector(&mut headers).set("bad header\n", "x".into());
        assert_eq!(headers.len(), 1, "an invalid name is skipped, never a panic");
    }

    #[test]
    fn only_the_command_name_is_named() {
        let mut cmd = redis::cmd("get");
        cmd.arg("helium:session:secret-ish");
        assert_eq!(command_name(&cmd), "GET");
    }

    #[test]
    fn headers_round_trip_through_the_carriers() {
        let mut headers = FieldTable::default();
        HeaderInjector(&mut headers).set(TRACEPARENT, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into());
        let reader = HeaderExtractor(&headers);
        assert_eq!(reader.get(TRACEPARENT), Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        assert_eq!(reader.keys(), vec![TRACEPARENT]);
    }

    #[test]
    fn no_trace_no_traceparent() {
        assert_eq!(current_traceparent(), None);
    }
}
