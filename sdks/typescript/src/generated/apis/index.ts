/* tslint:disable */
/* eslint-disable */
export * from './AdminApi.js';
export * from './AuditApi.js';
export * from './AuthApi.js';
export * from './ConfigApi.js';
export * from './CustomersApi.js';
export * from './MetaApi.js';
