-- W3C `traceparent` of the traced operation that wrote the event (OpenTelemetry, when
-- OTEL_COLLECTOR is set): the relay puts it in the AMQP headers so the consumer's span joins
-- the request's trace. NULL when nothing was traced.
ALTER TABLE outbox ADD COLUMN trace_parent TEXT;
