// The SDK instances of the commerce screens (catalog, coupons, orders, payment methods,
// wallets, gift cards). Kept out of client.ts so their generated code loads with those screens,
// not with the app shell; same configuration (token renewal, 401 retry, mfa_required prompt).
// Customer groups are operations of CustomersApi (`api.customers`).

import { CatalogApi, OrdersApi, WalletApi } from '@helium/sdk';
import { configuration } from './client';

export const commerce = {
    catalog: new CatalogApi(configuration),
    orders: new OrdersApi(configuration),
    wallet: new WalletApi(configuration),
};
