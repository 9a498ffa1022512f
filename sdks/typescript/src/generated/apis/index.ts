/* tslint:disable */
/* eslint-disable */
export * from './MetaApi.js';
