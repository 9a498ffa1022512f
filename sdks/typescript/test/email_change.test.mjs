// Changing a customer's e-mail address (tag auth, API.md §2.1) through the SDK, against a live
// server: requestEmailChange checks the password and e-mails a confirmation link to the new
// address (and a notice to the current one), confirmEmailChange with that link's token — as the
// account that asked — switches the address and ends the other sessions. Links are read from
// the outbox (auth_kit's mail helpers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    PASSWORD,
    anon,
    bearer,
    expectProblem,
    expectRefreshDead,
    linkToken,
    mail,
    mailCount,
    signUp,
    uniqueEmail,
    useAuthServer,
} from './auth_kit.mjs';

useAuthServer();

const CONFIRM = 'email_change_confirm';
const NOTICE = 'email_change_requested';

/** Registers `email` (register + completeRegistration): { email, account, tokens }. */
async function registerAs(email) {
    const helium = anon();
    await helium.auth.register({ registerRequest: { email } });
    const token = await linkToken(email);
    const { account, tokens } = await helium.auth.completeRegistration({ completeRegistrationRequest: { token, password: PASSWORD } });
    return { email, account, tokens };
}

test('requestEmailChange: 202 email_sent; the new address gets a confirmation link, the current one a notice', async () => {
    const user = await signUp('mover');
    const me = bearer(user.tokens.accessToken);
    const newEmail = uniqueEmail('moved');
    const raw = await me.auth.requestEmailChangeRaw({ requestEmailChangeRequest: { newEmail, password: PASSWORD } });
    assert.equal(raw.raw.status, 202);
    assert.deepEqual(await raw.value(), { status: 'email_sent' });

    const confirm = await mail(newEmail, CONFIRM);
    assert.equal(confirm.new_email, newEmail);
    const link = new URL(confirm.link);
    assert.ok(link.searchParams.get('token'), `a link with a token: ${link}`);
    assert.match(link.pathname, /account\/email\/confirm$/);
    const notice = await mail(user.email, NOTICE);
    assert.equal(notice.new_email, newEmail, 'the current address is told where the account is moving');
    assert.equal(notice.link, undefined, 'the notice carries no link');
    assert.equal((await me.auth.getMe()).email, user.email, 'nothing changes before confirmation');

    // An address another account uses: the same answer, but no link is sent to it.
    const taken = await signUp('taken');
    assert.deepEqual(
        await me.auth.requestEmailChange({ requestEmailChangeRequest: { newEmail: taken.email, password: PASSWORD } }),
        { status: 'email_sent' },
    );
    assert.equal(await mailCount(taken.email, CONFIRM), 0, 'no link to an address in use');
});

test('confirmEmailChange: 204, getMe shows the new address, the other sessions end, sign-in uses the new address; the link works once', async () => {
    const user = await signUp('confirmer');
    const other = await anon().auth.login({ loginRequest: { email: user.email, password: PASSWORD } });
    const me = bearer(user.tokens.accessToken);
    const newEmail = uniqueEmail('confirmed');
    await me.auth.requestEmailChange({ requestEmailChangeRequest: { newEmail, password: PASSWORD } });
    const token = await linkToken(newEmail, CONFIRM);

    // Only the account that asked may use the link (and a refused try does not burn it).
    const stranger = await signUp('stranger');
    await expectProblem(
        bearer(stranger.tokens.accessToken).auth.confirmEmailChange({ confirmEmailChangeRequest: { token } }),
        410,
        'link_invalid',
        "someone else's link",
    );

    const raw = await me.auth.confirmEmailChangeRaw({ confirmEmailChangeRequest: { token } });
    assert.equal(raw.raw.status, 204);
    const after = await me.auth.getMe();
    assert.equal(after.email, newEmail);
    assert.equal(after.id, user.account.id);

    await expectRefreshDead(other.refreshToken, 'the other session after the address changed');
    const signedIn = await anon().auth.login({ loginRequest: { email: newEmail, password: PASSWORD } });
    assert.equal(typeof signedIn.accessToken, 'string');
    await expectProblem(
        anon().auth.login({ loginRequest: { email: user.email, password: PASSWORD } }),
        401,
        'invalid_credentials',
        'the old address',
    );
    await expectProblem(me.auth.confirmEmailChange({ confirmEmailChangeRequest: { token } }), 410, 'link_invalid', 'the link again');
});

test('confirmEmailChange: an address taken between request and confirmation is 409 email_taken', async () => {
    const user = await signUp('racer');
    const me = bearer(user.tokens.accessToken);
    const newEmail = uniqueEmail('contested');
    await me.auth.requestEmailChange({ requestEmailChangeRequest: { newEmail, password: PASSWORD } });
    const token = await linkToken(newEmail, CONFIRM);
    await registerAs(newEmail);
    await expectProblem(me.auth.confirmEmailChange({ confirmEmailChangeRequest: { token } }), 409, 'email_taken');
    assert.equal((await me.auth.getMe()).email, user.email, 'unchanged');
});

test('auth error path: requestEmailChange with a wrong password 403 reauth_failed, a malformed address 422, an unknown token 410 link_invalid', async () => {
    const user = await signUp('wrongpw');
    const me = bearer(user.tokens.accessToken);
    const newEmail = uniqueEmail('never');
    await expectProblem(
        me.auth.requestEmailChange({ requestEmailChangeRequest: { newEmail, password: 'Not-The-Password-1' } }),
        403,
        'reauth_failed',
    );
    assert.equal(await mailCount(newEmail, CONFIRM), 0, 'no link after a wrong password');
    assert.equal(await mailCount(user.email, NOTICE), 0, 'no notice either');
    await expectProblem(
        me.auth.requestEmailChange({ requestEmailChangeRequest: { newEmail: 'not-an-address', password: PASSWORD } }),
        422,
        'validation_failed',
    );
    await expectProblem(
        me.auth.confirmEmailChange({ confirmEmailChangeRequest: { token: 'no-such-token-0123456789abcdef' } }),
        410,
        'link_invalid',
    );
    await expectProblem(
        anon().auth.requestEmailChange({ requestEmailChangeRequest: { newEmail, password: PASSWORD } }),
        401,
        'unauthenticated',
    );
    assert.equal((await me.auth.getMe()).email, user.email);
});

test('requestEmailChange: without a password, a re-authentication proof of this session (xReauthToken) instead; none is 403 reauth_required', async () => {
    const user = await signUp('proofmover');
    const me = bearer(user.tokens.accessToken);
    const newEmail = uniqueEmail('proofmoved');
    await expectProblem(
        me.auth.requestEmailChange({ requestEmailChangeRequest: { newEmail } }),
        403,
        'reauth_required',
        'neither a password nor a proof',
    );
    const { reauthToken } = await me.auth.reauthenticate({ reauthRequest: { password: PASSWORD } });
    assert.deepEqual(
        await me.auth.requestEmailChange({ requestEmailChangeRequest: { newEmail }, xReauthToken: reauthToken }),
        { status: 'email_sent' },
    );
    const confirm = await mail(newEmail, CONFIRM);
    assert.equal(confirm.new_email, newEmail);
});
