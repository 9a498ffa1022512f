// The SDK instance of the node and customer-package screens (TelecomApi). Kept out of
// client.ts so its generated code loads with those screens, not with the app shell; same
// configuration (token renewal, 401 retry, mfa_required prompt).

import { TelecomApi } from '@helium/sdk';
import { configuration } from './client';

export const telecom = new TelecomApi(configuration);
