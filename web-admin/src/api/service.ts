// The SDK instances of the support, announcement, affiliate and outgoing-webhook screens
// (SupportApi, NotifyApi, MarketApi, WebhooksApi). Kept out of client.ts so their generated
// code loads with those screens, not with the app shell; same configuration (token renewal,
// 401 retry, mfa_required prompt).

import { MarketApi, NotifyApi, SupportApi, WebhooksApi } from '@helium/sdk';
import { configuration } from './client';

export const service = {
    support: new SupportApi(configuration),
    notify: new NotifyApi(configuration),
    market: new MarketApi(configuration),
    webhooks: new WebhooksApi(configuration),
};
