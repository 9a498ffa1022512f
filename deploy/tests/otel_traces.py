"""OpenTelemetry export, end to end: `helium --mode all` with OTEL_COLLECTOR pointed at a real
OTLP/gRPC receiver (this file, decoding the exports with the official opentelemetry-proto
definitions). One trace must link the HTTP request `POST /api/v1/auth/register` to the SQL
it ran, the outbox relay's AMQP publish and the mailer's consume of the message it caused;
no exported attribute or event may carry the e-mailed token or the password; with
OTEL_SAMPLING_RATIO=0 nothing is exported.

Usage: .tools/venv/bin/python deploy/tests/otel_traces.py   (services on 127.0.0.1, debug build)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent import futures
from pathlib import Path

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.trace.v1 import trace_pb2

import harness as h

SERVER, PRODUCER, CONSUMER, CLIENT = (trace_pb2.Span.SPAN_KIND_SERVER, trace_pb2.Span.SPAN_KIND_PRODUCER,
                                      trace_pb2.Span.SPAN_KIND_CONSUMER, trace_pb2.Span.SPAN_KIND_CLIENT)


class Receiver(trace_service_pb2_grpc.TraceServiceServicer):
    """An OTLP/gRPC trace receiver keeping (service name, span) of every export; with `tls`
    (key PEM, certificate chain PEM) it serves gRPC over TLS."""

    def __init__(self, tls: tuple[bytes, bytes] | None = None) -> None:
        self.spans: list[tuple[str, trace_pb2.Span]] = []
        self.lock = threading.Lock()
        self.port = h.free_port()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(self, self.server)
        if tls:
            self.server.add_secure_port(f"127.0.0.1:{self.port}", grpc.ssl_server_credentials([tls]))
        else:
            self.server.add_insecure_port(f"127.0.0.1:{self.port}")
        self.server.start()

    def Export(self, request, context):  # noqa: N802 - the gRPC method name
        with self.lock:
            for rs in request.resource_spans:
                service = next((a.value.string_value for a in rs.resource.attributes if a.key == "service.name"), "")
                for ss in rs.scope_spans:
                    self.spans.extend((service, s) for s in ss.spans)
        return trace_service_pb2.ExportTraceServiceResponse()

    def snapshot(self) -> list[tuple[str, trace_pb2.Span]]:
        with self.lock:
            return list(self.spans)

    def close(self) -> None:
        self.server.stop(grace=1)


def attrs(span: trace_pb2.Span) -> dict[str, object]:
    out = {}
    for a in span.attributes:
        v = a.value
        out[a.key] = v.string_value if v.HasField("string_value") else v.int_value if v.HasField("int_value") else (
            v.double_value if v.HasField("double_value") else v.bool_value)
    return out


def all_text(span: trace_pb2.Span) -> str:
    """Every string the span exports: name, attribute values, event names and attributes."""
    parts = [span.name, *map(str, attrs(span).values())]
    for ev in span.events:
        parts.append(ev.name)
        parts.extend(str(a.value) for a in ev.attributes)
    return "\n".join(parts)


def prepare(db: h.Database, sink: h.Sink, prefix: str) -> dict:
    env = {"DATABASE_URL": db.url, "REDIS_URL": h.REDIS_URL, "REDIS_KEY_PREFIX": prefix}
    h.run([h.HELIUM, "migrate"], env)
    h.run([h.HELIUM_CLI, "--skip-migration", "init-config"], env)
    h.configure_mailer(db.url, sink.port)
    return env


def trace_links_request_to_consumer() -> None:
    db, sink, receiver = h.Database("otel"), h.Sink(), Receiver()
    helium = None
    try:
        prefix = f"otel-{db.name[-12:]}"
        env = prepare(db, sink, f"{prefix}:")
        helium = h.Helium("all", {
            **env, "MQ_PREFIX": prefix, "PUBLIC_URL": "https://app.helium.test",
            "OTEL_COLLECTOR": f"http://127.0.0.1:{receiver.port}", "OTEL_SAMPLING_RATIO": "1.0",
        })
        helium.wait_ready()
        customer = h.register_customer(helium.base, sink, h.unique_email("otel"))
        # A caller's W3C trace context is continued, over HTTP and over gRPC.
        caller_trace, http_parent, grpc_parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "00f067aa0ba902b8"
        req = h.urllib.request.Request(f"{helium.base}/api/v1/meta",
                                       headers={"traceparent": f"00-{caller_trace}-{http_parent}-01"})
        with h.urllib.request.urlopen(req, timeout=10) as res:
            assert res.status == 200
        with grpc.insecure_channel(f"127.0.0.1:{helium.grpc_port}") as channel:
            check = channel.unary_unary("/grpc.health.v1.Health/Check", request_serializer=lambda b: b,
                                        response_deserializer=lambda b: b)
            check(b"", metadata=[("traceparent", f"00-{caller_trace}-{grpc_parent}-01")], timeout=10)
        # Stopping flushes the batch exporter.
        assert helium.close() == 0, helium.output()[-3000:]
        spans = receiver.snapshot()
        assert spans, f"nothing exported:\n{helium.output()[-3000:]}"

        services = {svc for svc, _ in spans}
        assert services == {"Helium.all"}, services
        servers = [s for _, s in spans if s.kind == SERVER and attrs(s).get("http.route") == "/api/v1/auth/register"]
        assert len(servers) == 1, [s.name for _, s in spans]
        request = servers[0]
        a = attrs(request)
        assert request.name == "POST /api/v1/auth/register", request.name
        assert a.get("http.response.status_code") == 202 and a.get("http.request.method") == "POST", a
        assert len(str(a.get("request_id", ""))) >= 16, a
        trace = [s for _, s in spans if s.trace_id == request.trace_id]
        by_id = {s.span_id: s for s in trace}

        def chain_reaches_request(s: trace_pb2.Span) -> bool:
            seen = 0
            while s.parent_span_id and seen < 20:
                if s.parent_span_id == request.span_id:
                    return True
                s = by_id.get(s.parent_span_id)
                if s is None:
                    return False
                seen += 1
            return False

        sql = [s for s in trace if s.kind == CLIENT and attrs(s).get("db.system.name") == "postgresql"
               and s.parent_span_id == request.span_id]
        assert sql, "no SQL span under the request: " + ", ".join(s.name for s in trace) + " ALL: " + ", ".join(sorted({s.name for _, s in spans}))
        assert all("$" in str(attrs(s)["db.query.text"]) or "INSERT" not in s.name for s in sql)
        redis = [s for s in trace if attrs(s).get("db.system.name") == "redis"]
        assert redis, "no Redis span in the request's trace"
        publish = [s for s in trace if s.kind == PRODUCER]
        consume = [s for s in trace if s.kind == CONSUMER
                   and str(attrs(s).get("messaging.destination.name", "")).endswith(".mailer")]
        assert publish and consume, "trace lacks the AMQP publish/consume: " + ", ".join(s.name for s in trace)
        assert all(chain_reaches_request(s) for s in publish + consume), "publish/consume not descendants"
        assert consume[0].parent_span_id == publish[0].span_id, "the consumer span continues the publish span"
        assert any(s.parent_span_id == consume[0].span_id and s.kind == CLIENT for s in trace), \
            "the consumer's SQL is not under its span"
        h.log(f"{len(spans)} spans exported; the register trace has {len(trace)}: "
              + ", ".join(sorted({s.name for s in trace}))[:400])

        joined = {(s.kind, s.parent_span_id.hex(), attrs(s).get("http.route") or attrs(s).get("rpc.service"))
                  for _, s in spans if s.trace_id.hex() == caller_trace}
        assert (SERVER, http_parent, "/api/v1/meta") in joined, f"HTTP did not continue the caller's trace: {joined}"
        assert (SERVER, grpc_parent, "grpc.health.v1.Health") in joined, f"gRPC did not continue the caller's trace: {joined}"

        # No secret in any exported string.
        everything = "\n".join(all_text(s) for _, s in spans)
        for secret in (customer["link_token"], h.PASSWORD, customer["access"], customer["refresh"]):
            assert secret not in everything, "a secret reached the exported spans"
    finally:
        if helium:
            helium.close()
        receiver.close()
        sink.close()
        db.close()


def ratio_zero_exports_nothing() -> None:
    db, sink, receiver = h.Database("otel0"), h.Sink(), Receiver()
    helium = None
    try:
        prefix = f"otel0-{db.name[-12:]}"
        env = prepare(db, sink, f"{prefix}:")
        helium = h.Helium("api", {**env, "MQ_PREFIX": prefix, "SKIP_MIGRATIONS": "true",
                                  "OTEL_COLLECTOR": f"http://127.0.0.1:{receiver.port}", "OTEL_SAMPLING_RATIO": "0"})
        helium.wait_ready()
        for _ in range(5):
            h.expect(h.http("POST", f"{helium.base}/api/v1/auth/register", {"email": h.unique_email("z")}), 202, "reg")
        assert helium.close() == 0, helium.output()[-3000:]
        assert receiver.snapshot() == [], f"{len(receiver.snapshot())} spans exported at ratio 0"
    finally:
        if helium:
            helium.close()
        receiver.close()
        sink.close()
        db.close()


def test_ca(workdir: Path) -> tuple[Path, bytes, bytes]:
    """A throw-away CA and a localhost certificate it signed: (CA file, key, chain)."""
    def ossl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=workdir, check=True, capture_output=True, timeout=60)
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
         "-subj", "/CN=helium test CA")
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost")
    (workdir / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    ossl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.pem",
         "-days", "1", "-extfile", "ext.cnf")
    return workdir / "ca.pem", (workdir / "leaf.key").read_bytes(), (workdir / "leaf.pem").read_bytes()


def https_collector_over_tls() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="helium-otel-tls-"))
    ca, key, chain = test_ca(workdir)
    db, sink, receiver = h.Database("otels"), h.Sink(), Receiver(tls=(key, chain))
    helium = None
    try:
        prefix = f"otels-{db.name[-12:]}"
        env = prepare(db, sink, f"{prefix}:")
        # rustls-native-certs reads SSL_CERT_FILE: the test CA is the "system" trust store.
        helium = h.Helium("api", {**env, "MQ_PREFIX": prefix, "SKIP_MIGRATIONS": "true", "SSL_CERT_FILE": str(ca),
                                  "OTEL_COLLECTOR": f"https://localhost:{receiver.port}"})
        helium.wait_ready()
        h.expect(h.http("GET", f"{helium.base}/api/v1/meta"), 200, "meta")
        assert helium.close() == 0, helium.output()[-3000:]
        names = {s.name for _, s in receiver.snapshot()}
        assert "GET /api/v1/meta" in names, f"nothing arrived over TLS: {names}\n{helium.output()[-3000:]}"
    finally:
        if helium:
            helium.close()
        receiver.close()
        sink.close()
        db.close()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    checks = h.Checks("otel")
    checks.run("one trace links POST /api/v1/auth/register to the mailer's consumer span; callers' traceparent "
               "is continued over HTTP and gRPC", trace_links_request_to_consumer)
    checks.run("OTEL_SAMPLING_RATIO=0 exports nothing", ratio_zero_exports_nothing)
    checks.run("an https collector: OTLP over TLS (rustls/ring, system trust store)", https_collector_over_tls)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
