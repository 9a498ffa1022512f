-- Traffic per node client per hour, as the agents reported it (before node rates), for the
-- staff dashboard's traffic-per-day series. Written by the push that counts the traffic, in
-- its transaction (a duplicate push adds nothing); hours let the dashboard bucket days in any
-- whole-hour time zone. No foreign key: a deleted node's history still counts.
CREATE TABLE telecom.traffic_hourly (
    hour           TIMESTAMPTZ NOT NULL,
    node_client_id UUID        NOT NULL,
    upload         BIGINT      NOT NULL DEFAULT 0 CHECK (upload >= 0),
    download       BIGINT      NOT NULL DEFAULT 0 CHECK (download >= 0),
    PRIMARY KEY (hour, node_client_id)
);

-- The dashboard's sales series read orders by the day they were paid or refunded.
CREATE INDEX orders_paid_at ON shop.orders (paid_at) WHERE paid_at IS NOT NULL;
CREATE INDEX orders_refunded_at ON shop.orders (refunded_at) WHERE refunded_at IS NOT NULL;

-- The days of a dashboard series: `n` days ending today in time zone `tz`, oldest first.
-- The series' rows start at local midnight of the first day: `min(day)::timestamp AT TIME ZONE tz`.
CREATE FUNCTION staff.dashboard_days(tz TEXT, n INT) RETURNS TABLE (day DATE)
LANGUAGE sql STABLE AS $$
    SELECT d::date
    FROM generate_series(((now() AT TIME ZONE tz)::date - (n - 1))::timestamp,
                         (now() AT TIME ZONE tz)::date::timestamp, interval '1 day') AS d
$$;
