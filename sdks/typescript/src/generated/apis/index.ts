/* tslint:disable */
/* eslint-disable */
export * from './AdminApi.js';
export * from './AuthApi.js';
export * from './MetaApi.js';
