/* tslint:disable */
/* eslint-disable */
export * from './AdminApi.js';
export * from './AuditApi.js';
export * from './AuthApi.js';
export * from './CatalogApi.js';
export * from './ConfigApi.js';
export * from './CustomersApi.js';
export * from './MarketApi.js';
export * from './MetaApi.js';
export * from './NotifyApi.js';
export * from './OrdersApi.js';
export * from './ShopApi.js';
export * from './SupportApi.js';
export * from './TelecomApi.js';
export * from './WalletApi.js';
export * from './WebhooksApi.js';
