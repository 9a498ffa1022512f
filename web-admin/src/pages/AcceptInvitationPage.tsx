// The invitation page: the link of the invitation e-mail (`/admin/invitations/accept?token=…`,
// valid admin-jwt.invitation_expiration, single use) → adminAcceptInvitation creates the account.

import type { Admin } from '@helium/sdk';
import { Alert, Button, Stack } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { fieldErrors } from '../api/errors';
import { AuthFrame } from '../components/AuthFrame';
import { RoleBadge } from '../components/bits';
import { NewPassword } from '../components/NewPassword';
import { ProblemAlert } from '../components/states';
import { useI18n } from '../i18n';

export default function AcceptInvitationPage() {
    const { t, tx } = useI18n();
    const [params] = useSearchParams();
    const token = params.get('token') ?? '';
    const [password, setPassword] = useState('');
    const [confirm, setConfirm] = useState('');
    const [mismatch, setMismatch] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const [busy, setBusy] = useState(false);
    const [admin, setAdmin] = useState<Admin | null>(null);

    if (!token) {
        return (
            <AuthFrame title={t('invite.acceptTitle')}>
                <Alert color="red" role="alert">
                    {t('link.missingToken')}
                </Alert>
            </AuthFrame>
        );
    }
    if (admin) {
        const email = admin.email ?? '';
        return (
            <AuthFrame title={t('invite.welcome', { name: admin.name })}>
                <Alert color="green" role="status" data-testid="accept-done">
                    {t('invite.ready', { email })}
                </Alert>
                <RoleBadge role={admin.role} />
                <Button component={Link} to={`/login?email=${encodeURIComponent(email)}`} data-testid="go-sign-in">
                    {t('auth.signIn')}
                </Button>
            </AuthFrame>
        );
    }

    const submit = async (e: FormEvent) => {
        e.preventDefault();
        if (password !== confirm) {
            setMismatch(true);
            return;
        }
        setMismatch(false);
        setBusy(true);
        setError(null);
        try {
            setAdmin(await api.admin.adminAcceptInvitation({ acceptInvitationRequest: { token, password } }));
        } catch (err) {
            setError(err);
        } finally {
            setBusy(false);
        }
    };
    const fields = fieldErrors(error, tx);

    return (
        <AuthFrame title={t('invite.acceptTitle')} subtitle={t('invite.acceptSubtitle')}>
            <form onSubmit={submit}>
                <Stack>
                    <NewPassword
                        value={password}
                        confirm={confirm}
                        onChange={setPassword}
                        onConfirm={setConfirm}
                        serverError={fields.password}
                        confirmError={mismatch ? t('auth.passwordMismatch') : undefined}
                    />
                    <ProblemAlert error={fields.password ? null : error} />
                    <Button type="submit" loading={busy} data-testid="accept">
                        {t('invite.accept')}
                    </Button>
                </Stack>
            </form>
        </AuthFrame>
    );
}
