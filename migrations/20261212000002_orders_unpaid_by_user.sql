-- createOrder counts the customer's unpaid orders under their lock: read only those rows, not
-- every order the customer ever made (orders_user).
CREATE INDEX orders_user_unpaid ON shop.orders (user_id) WHERE status = 'unpaid';
