-- Customer groups: the segments behind product visibility, node access and announcement
-- targeting. A customer is in their manual groups (staff-set, and the default groups every
-- new account joins) plus the groups of their active package (telecom computes that part).
CREATE SCHEMA IF NOT EXISTS shop;

CREATE TABLE shop.customer_groups (
    id          UUID        PRIMARY KEY,
    name        TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    description TEXT        CHECK (length(description) <= 1000),
    -- New accounts join every default group.
    is_default  BOOLEAN     NOT NULL DEFAULT false,
    -- What anonymous visitors see (the product list before sign-in).
    is_public   BOOLEAN     NOT NULL DEFAULT false,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customer_groups_name_key ON shop.customer_groups (lower(name));

CREATE TABLE shop.customer_group_members (
    user_id    UUID        NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    group_id   UUID        NOT NULL REFERENCES shop.customer_groups (id) ON DELETE RESTRICT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX customer_group_members_group ON shop.customer_group_members (group_id);

-- One group that is both the default and the public one, so a fresh deployment sells to
-- everyone until the operator segments.
INSERT INTO shop.customer_groups (id, name, description, is_default, is_public)
VALUES ('018f0000-0000-7000-8000-000000000001', 'Everyone', 'Every customer and visitor', true, true);

-- Every account joins the default groups in the transaction that creates it, whichever path
-- creates it (registration, OAuth sign-up, tests, imports).
CREATE FUNCTION shop.join_default_groups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO shop.customer_group_members (user_id, group_id)
    SELECT NEW.id, g.id FROM shop.customer_groups g WHERE g.is_default;
    RETURN NEW;
END $$;
CREATE TRIGGER users_join_default_groups AFTER INSERT ON auth.users
    FOR EACH ROW EXECUTE FUNCTION shop.join_default_groups();
