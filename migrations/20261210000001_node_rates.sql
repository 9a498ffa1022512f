-- Node rates as the admin rules define them: 0 (free) to 100, up to four decimals. The first
-- telecom migration stored two decimals and refused 0, so valid input failed at the database.
ALTER TABLE telecom.node_servers DROP CONSTRAINT node_servers_rate_check;
ALTER TABLE telecom.node_servers ALTER COLUMN rate TYPE NUMERIC(10, 4);
ALTER TABLE telecom.node_servers ADD CONSTRAINT node_servers_rate_check CHECK (rate >= 0 AND rate <= 100);
ALTER TABLE telecom.node_clients DROP CONSTRAINT node_clients_rate_check;
ALTER TABLE telecom.node_clients ALTER COLUMN rate TYPE NUMERIC(10, 4);
ALTER TABLE telecom.node_clients ADD CONSTRAINT node_clients_rate_check CHECK (rate >= 0 AND rate <= 100);
