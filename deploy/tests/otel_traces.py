"""OpenTelemetry export, end to end: `helium --mode all` with OTEL_COLLECTOR pointed at a real
OTLP/gRPC receiver (this file, decoding the exports with the official opentelemetry-proto
definitions). One trace must link the HTTP request `POST /api/v1/auth/register` to the SQL
it ran, the outbox relay's AMQP publish and the mailer's consume of the message it caused;
no exported attribute or event may carry the e-mailed token or the password; an outbound HTTP
request (OIDC discovery for a local provider) is a CLIENT span under the request's span and
carries that span's W3C `traceparent`; with OTEL_SAMPLING_RATIO=0 nothing is exported.

Usage: .tools/venv/bin/python deploy/tests/otel_traces.py   (services on 127.0.0.1, debug build)
"""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
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


class OidcProvider:
    """A minimal OpenID Connect provider on 127.0.0.1 (plain http: issuer URLs may be http://
    on loopback): the discovery document naming itself as issuer, and an empty JWKS. Keeps
    (path, lower-cased headers) of every request it answers."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.port = h.free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server method name
                with provider.lock:
                    provider.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                if self.path == "/.well-known/openid-configuration":
                    body = {
                        "issuer": provider.issuer,
                        "authorization_endpoint": f"{provider.issuer}/authorize",
                        "token_endpoint": f"{provider.issuer}/token",
                        "jwks_uri": f"{provider.issuer}/jwks",
                        "userinfo_endpoint": f"{provider.issuer}/userinfo",
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                    }
                elif self.path == "/jwks":
                    body = {"keys": []}
                else:
                    self.send_error(404)
                    return
                raw = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *_args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self) -> list[tuple[str, dict[str, str]]]:
        with self.lock:
            return list(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def configure_oidc_provider(db_url: str, name: str, issuer: str, client_secret: str, redirect_uri: str) -> None:
    """One generic OIDC provider in the `auth` module's configuration (the document
    init-config wrote), the way harness.configure_mailer points the mailer at the sink."""
    providers = json.dumps([{"name": name, "client_id": "helium-otel-test", "client_secret": client_secret,
                             "redirect_uri": redirect_uri, "issuer": issuer}])
    assert "'" not in providers
    done = h.psql(
        "UPDATE application__config SET value = jsonb_set(value, '{oauth_providers,providers}', '" + providers
        + "'::jsonb), version = version + 1, updated_at = now() WHERE key = 'auth' RETURNING key",
        db_url,
    )
    assert done == "auth", "auth configuration missing (run helium-cli init-config first)"


def parse_traceparent(value: str) -> tuple[str, str, str]:
    """(trace id, span id, flags) of a W3C `traceparent` (version 00)."""
    parts = value.split("-")
    assert len(parts) == 4 and parts[0] == "00" and len(parts[1]) == 32 and len(parts[2]) == 16 \
        and len(parts[3]) == 2, f"malformed traceparent {value!r}"
    int(parts[1], 16), int(parts[2], 16), int(parts[3], 16)
    assert set(parts[1]) != {"0"} and set(parts[2]) != {"0"}, f"invalid (all-zero) traceparent {value!r}"
    return parts[1], parts[2], parts[3]


def outbound_http_is_a_client_span() -> None:
    db, sink, receiver, idp = h.Database("otelh"), h.Sink(), Receiver(), OidcProvider()
    helium = None
    try:
        prefix = f"otelh-{db.name[-12:]}"
        env = prepare(db, sink, f"{prefix}:")
        client_secret = f"oidc-client-secret-{uuid.uuid4().hex}"
        redirect = "https://app.helium.test/oauth/callback"
        configure_oidc_provider(db.url, "acme", idp.issuer, client_secret, redirect)
        helium = h.Helium("api", {**env, "MQ_PREFIX": prefix, "SKIP_MIGRATIONS": "true",
                                  "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
                                  "OTEL_COLLECTOR": f"http://127.0.0.1:{receiver.port}", "OTEL_SAMPLING_RATIO": "1.0"})
        helium.wait_ready()
        # getOauthAuthorizationUrl: Helium fetches the provider's discovery document (and JWKS).
        started = h.expect(h.http("GET", f"{helium.base}/api/v1/auth/oauth/acme/authorize"), 200, "authorize")
        assert str(started.get("authorization_url", "")).startswith(f"{idp.issuer}/authorize?"), started
        assert helium.close() == 0, helium.output()[-3000:]
        spans = [s for _, s in receiver.snapshot()]
        assert spans, f"nothing exported:\n{helium.output()[-3000:]}"
        received = idp.received()
        paths = [p for p, _ in received]
        assert "/.well-known/openid-configuration" in paths, f"the provider saw {paths}"

        def describe(s: trace_pb2.Span) -> str:
            return (f"{s.name!r} kind={trace_pb2.Span.SpanKind.Name(s.kind)} trace={s.trace_id.hex()} "
                    f"span={s.span_id.hex()} parent={s.parent_span_id.hex() or '-'} attrs={attrs(s)}")

        clients = [s for s in spans if s.kind == CLIENT and "http.request.method" in attrs(s)]
        exported = "\n  ".join(describe(s) for s in clients) or "(no HTTP client span)"
        # (a) the discovery request carried a traceparent.
        headers = dict(received)["/.well-known/openid-configuration"]
        assert "traceparent" in headers, f"no traceparent on the discovery request: {headers}\n  {exported}"
        trace_id, span_id, flags = parse_traceparent(headers["traceparent"])
        assert int(flags, 16) & 1, f"the traceparent is not sampled: {headers['traceparent']}"
        # (b) + (c): the CLIENT span it names, with method, address, port and status.
        named = [s for s in spans if s.trace_id.hex() == trace_id and s.span_id.hex() == span_id]
        assert len(named) == 1, f"no exported span is the traceparent {headers['traceparent']}:\n  {exported}"
        client = named[0]
        # Every mismatch is collected, then reported together (one run shows all of them).
        problems: list[str] = []

        def want(span: trace_pb2.Span, key: str, value: object) -> None:
            got = attrs(span).get(key)
            if got != value or type(got) is not type(value):
                problems.append(f"{span.name!r} {span.span_id.hex()}: {key} = {got!r} ({type(got).__name__}), "
                                f"expected {value!r} ({type(value).__name__})")

        assert client.kind == CLIENT and client.name == "GET", describe(client)
        want(client, "http.request.method", "GET")
        want(client, "server.address", "127.0.0.1")
        want(client, "server.port", idp.port)  # semantic conventions: int
        want(client, "http.response.status_code", 200)  # int
        if client.status.code == trace_pb2.Status.STATUS_CODE_ERROR:
            problems.append(f"a 200 answer marked ERROR: {describe(client)}")
        # (d) its parent is the authorize request's SERVER span, in the same trace.
        servers = [s for s in spans if s.kind == SERVER
                   and attrs(s).get("http.route") == "/api/v1/auth/oauth/{provider}/authorize"]
        assert len(servers) == 1, "authorize SERVER spans: " + "; ".join(describe(s) for s in servers)
        request = servers[0]
        assert client.trace_id == request.trace_id and client.parent_span_id == request.span_id, \
            f"client span {describe(client)}\n  is not a child of {describe(request)}"
        # Every request the provider got (discovery, JWKS) names an exported CLIENT span
        # under the same SERVER span.
        for path, hdrs in received:
            assert "traceparent" in hdrs, f"no traceparent on GET {path}: {hdrs}"
            t, sid, _ = parse_traceparent(hdrs["traceparent"])
            match = [s for s in clients if s.trace_id.hex() == t and s.span_id.hex() == sid]
            assert len(match) == 1 and match[0].parent_span_id == request.span_id, \
                f"GET {path} ({hdrs['traceparent']}) has no CLIENT span under the request:\n  {exported}"
            want(match[0], "server.port", idp.port)
            want(match[0], "http.response.status_code", 200)
        # (e) never the URL path or the client secret.
        for s in spans:
            text = all_text(s)
            if "/.well-known" in text or "/jwks" in text:
                problems.append(f"a provider URL path was exported: {describe(s)}")
            if client_secret in text:
                problems.append(f"the client secret reached the exported span {s.name!r}")
        assert not problems, "\n  ".join(["exported HTTP client spans differ:", *dict.fromkeys(problems),
                                           "exported:", *map(describe, clients)])
        h.log(f"{len(received)} provider request(s) ({', '.join(paths)}), each with a traceparent naming "
              f"an exported CLIENT span under {request.name!r}: " + "; ".join(
                  f"{s.name} {attrs(s).get('server.address')}:{attrs(s).get('server.port')} "
                  f"-> {attrs(s).get('http.response.status_code')}" for s in clients))
    finally:
        if helium:
            helium.close()
        idp.close()
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
    checks.run("an outbound HTTP request (OIDC discovery during getOauthAuthorizationUrl) is a CLIENT span under "
               "the request's span and carries its traceparent; no URL path or client secret exported",
               outbound_http_is_a_client_span)
    checks.run("OTEL_SAMPLING_RATIO=0 exports nothing", ratio_zero_exports_nothing)
    checks.run("an https collector: OTLP over TLS (rustls/ring, system trust store)", https_collector_over_tls)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
