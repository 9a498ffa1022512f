/* tslint:disable */
/* eslint-disable */
export * from './Accepted.js';
export * from './ChangePasswordRequest.js';
export * from './CompleteRegistrationRequest.js';
export * from './DisableTotpRequest.js';
export * from './EmailRequest.js';
export * from './EmailSent.js';
export * from './LoginMfaRequest.js';
export * from './LoginRequest.js';
export * from './LoginResult.js';
export * from './Me.js';
export * from './Meta.js';
export * from './PasswordPolicy.js';
export * from './Problem.js';
export * from './ProblemFieldError.js';
export * from './RecoveryCodes.js';
export * from './RefreshRequest.js';
export * from './RegisterRequest.js';
export * from './RegistrationCompleted.js';
export * from './ResetPasswordRequest.js';
export * from './Session.js';
export * from './SessionPage.js';
export * from './TokenPair.js';
export * from './TotpCodeRequest.js';
export * from './TotpSetup.js';
export * from './UpdateMeRequest.js';
export * from './VerifyEmailCodeRequest.js';
