/* tslint:disable */
/* eslint-disable */
export * from './Meta.js';
export * from './PasswordPolicy.js';
export * from './Problem.js';
export * from './ProblemFieldError.js';
