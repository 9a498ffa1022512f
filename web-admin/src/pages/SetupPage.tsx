// The first-password page of a CLI-created staff account: the exact link `helium-cli admin
// create` prints (`/admin/setup?token=…`, valid 24 h, single use) → adminCompleteSetup.

import { Alert, Button, Code, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { fieldErrors, problemCode } from '../api/errors';
import { AuthFrame } from '../components/AuthFrame';
import { NewPassword } from '../components/NewPassword';
import { ProblemAlert } from '../components/states';
import { useI18n } from '../i18n';

/** The operator command that prints a new setup link (a command, not prose: not translated). */
const CLI_COMMAND = 'helium-cli admin create';

export default function SetupPage() {
    const { t, tx } = useI18n();
    const [params] = useSearchParams();
    const token = params.get('token') ?? '';
    const [password, setPassword] = useState('');
    const [confirm, setConfirm] = useState('');
    const [mismatch, setMismatch] = useState(false);
    const [error, setError] = useState<unknown>(null);
    const [busy, setBusy] = useState(false);
    const [done, setDone] = useState(false);

    if (!token) {
        return (
            <AuthFrame title={t('setup.title')}>
                <Alert color="red" role="alert">
                    {t('link.missingToken')}
                </Alert>
            </AuthFrame>
        );
    }
    if (done) {
        return (
            <AuthFrame title={t('setup.doneTitle')}>
                <Alert color="green" role="status" data-testid="setup-done">
                    {t('setup.done')}
                </Alert>
                <Button component={Link} to="/login" data-testid="go-sign-in">
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
            await api.admin.adminCompleteSetup({ adminSetupRequest: { token, password } });
            setDone(true);
        } catch (err) {
            setError(err);
        } finally {
            setBusy(false);
        }
    };
    const fields = fieldErrors(error, tx);
    const dead = ['link_expired', 'link_invalid'].includes(problemCode(error));

    return (
        <AuthFrame title={t('setup.title')} subtitle={t('setup.subtitle')}>
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
                    {dead ? (
                        <Text size="sm">
                            {t('setup.newLink')} <Code>{CLI_COMMAND}</Code>
                        </Text>
                    ) : null}
                    <Button type="submit" loading={busy} data-testid="set-password">
                        {t('setup.submit')}
                    </Button>
                </Stack>
            </form>
        </AuthFrame>
    );
}
