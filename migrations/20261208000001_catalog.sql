-- The catalog: package series with immutable versions, and the products that sell them.

CREATE TABLE shop.package_series (
    id                 UUID        PRIMARY KEY,
    name               TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description        TEXT        CHECK (length(description) <= 2000),
    archived           BOOLEAN     NOT NULL DEFAULT false,
    -- The version new sales deliver; NULL until one is published.
    current_version_id UUID,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE shop.package_versions (
    id               UUID        PRIMARY KEY,
    series_id        UUID        NOT NULL REFERENCES shop.package_series (id),
    version          INTEGER     NOT NULL CHECK (version > 0),
    traffic_bytes    BIGINT      NOT NULL CHECK (traffic_bytes > 0),
    duration_days    INTEGER     NOT NULL CHECK (duration_days BETWEEN 1 AND 3660),
    speed_limit_mbps INTEGER     CHECK (speed_limit_mbps > 0),
    device_limit     INTEGER     CHECK (device_limit > 0),
    traffic_reset    TEXT        NOT NULL CHECK (traffic_reset IN ('none', 'monthly_on_purchase_day', 'first_of_month')),
    group_ids        UUID[]      NOT NULL DEFAULT '{}',
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    published_at     TIMESTAMPTZ,
    UNIQUE (series_id, version)
);

ALTER TABLE shop.package_series
    ADD CONSTRAINT package_series_current_version_fk FOREIGN KEY (current_version_id) REFERENCES shop.package_versions (id);

-- A version's terms never change once written: a delivered purchase keeps them forever.
-- Only `published_at` may be set, once.
CREATE FUNCTION shop.package_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'package versions are immutable' USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.series_id, NEW.version, NEW.traffic_bytes, NEW.duration_days, NEW.speed_limit_mbps, NEW.device_limit,
        NEW.traffic_reset, NEW.group_ids, NEW.created_at)
       IS DISTINCT FROM
       (OLD.series_id, OLD.version, OLD.traffic_bytes, OLD.duration_days, OLD.speed_limit_mbps, OLD.device_limit,
        OLD.traffic_reset, OLD.group_ids, OLD.created_at)
       OR (OLD.published_at IS NOT NULL AND NEW.published_at IS DISTINCT FROM OLD.published_at) THEN
        RAISE EXCEPTION 'package versions are immutable' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER package_versions_immutable BEFORE UPDATE OR DELETE ON shop.package_versions
    FOR EACH ROW EXECUTE FUNCTION shop.package_versions_immutable();

CREATE TABLE shop.products (
    id                  UUID        PRIMARY KEY,
    name                TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description         TEXT        CHECK (length(description) <= 2000),
    -- Minor units of the shop currency.
    price               BIGINT      NOT NULL CHECK (price >= 0),
    currency            TEXT        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    series_id           UUID        NOT NULL REFERENCES shop.package_series (id),
    on_sale             BOOLEAN     NOT NULL DEFAULT false,
    archived            BOOLEAN     NOT NULL DEFAULT false,
    sort                INTEGER     NOT NULL DEFAULT 0,
    commission_eligible BOOLEAN     NOT NULL DEFAULT true,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX products_series ON shop.products (series_id);

-- Who may see and buy a product.
CREATE TABLE shop.product_groups (
    product_id UUID NOT NULL REFERENCES shop.products (id) ON DELETE CASCADE,
    group_id   UUID NOT NULL REFERENCES shop.customer_groups (id) ON DELETE RESTRICT,
    PRIMARY KEY (product_id, group_id)
);
CREATE INDEX product_groups_group ON shop.product_groups (group_id);
