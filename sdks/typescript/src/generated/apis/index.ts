/* tslint:disable */
/* eslint-disable */
export * from './AuthApi.js';
export * from './MetaApi.js';
