// Staff sign-in: e-mail and password, then — when TOTP is on — a code from the authenticator
// app or one of the recovery codes (adminLogin → adminLoginMfa).

import { Alert, Anchor, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { AdminLoginResult } from '@helium/sdk';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { fieldErrors, problemCode } from '../api/errors';
import { currentSession, saveSession } from '../auth/session';
import { AuthFrame } from '../components/AuthFrame';
import { ProblemAlert } from '../components/states';
import { useI18n } from '../i18n';
import { safeNext } from '../lib/redirect';

export default function LoginPage() {
    const { t, tx } = useI18n();
    const navigate = useNavigate();
    const [params] = useSearchParams();
    const next = safeNext(params.get('next'));
    const [step, setStep] = useState<'password' | 'mfa'>('password');
    const [email, setEmail] = useState(params.get('email') ?? '');
    const [password, setPassword] = useState('');
    const [mfaToken, setMfaToken] = useState('');
    const [recovery, setRecovery] = useState(false);
    const [code, setCode] = useState('');
    const [error, setError] = useState<unknown>(null);
    const [notice, setNotice] = useState<string | null>(params.get('expired') === '1' ? t('auth.sessionExpired') : null);
    const [busy, setBusy] = useState(false);

    if (currentSession() && step === 'password' && !busy) {
        return <Navigate to={next} replace />;
    }

    const finish = (r: AdminLoginResult) => {
        if (!r.accessToken) return;
        saveSession(r.accessToken, r.expiresIn, r.refreshToken);
        navigate(next, { replace: true });
    };

    const submitPassword = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        setNotice(null);
        try {
            const r = await api.admin.adminLogin({ adminLoginRequest: { email: email.trim(), password } });
            if (r.mfaRequired && r.mfaToken) {
                setMfaToken(r.mfaToken);
                setStep('mfa');
                setCode('');
            } else {
                finish(r);
            }
        } catch (err) {
            setError(err);
        } finally {
            setBusy(false);
        }
    };

    const submitCode = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
            const value = code.trim();
            const r = await api.admin.adminLoginMfa({
                loginMfaRequest: recovery ? { mfaToken, recoveryCode: value } : { mfaToken, code: value.replace(/\s+/g, '') },
            });
            finish(r);
        } catch (err) {
            if (problemCode(err) === 'mfa_token_invalid') {
                setStep('password');
                setPassword('');
                setNotice(t('auth.mfaTimedOut'));
                setError(null);
            } else {
                setError(err);
            }
        } finally {
            setBusy(false);
        }
    };

    const fields = fieldErrors(error, tx);

    if (step === 'mfa') {
        return (
            <AuthFrame title={t('auth.mfaTitle')} subtitle={recovery ? t('auth.recoveryHint') : t('auth.mfaHint')}>
                <form onSubmit={submitCode}>
                    <Stack>
                        {recovery ? (
                            <TextInput
                                label={t('auth.recoveryCode')}
                                required
                                autoComplete="off"
                                value={code}
                                onChange={(e) => setCode(e.currentTarget.value)}
                                error={fields.recovery_code}
                                data-autofocus
                                data-testid="recovery-code"
                            />
                        ) : (
                            <TextInput
                                label={t('auth.totpCode')}
                                required
                                inputMode="numeric"
                                autoComplete="one-time-code"
                                maxLength={8}
                                value={code}
                                onChange={(e) => setCode(e.currentTarget.value)}
                                error={fields.code}
                                data-autofocus
                                data-testid="totp-code"
                            />
                        )}
                        <ProblemAlert error={Object.keys(fields).length ? null : error} />
                        <Button type="submit" loading={busy} data-testid="verify">
                            {t('auth.verify')}
                        </Button>
                        <Anchor
                            component="button"
                            type="button"
                            size="sm"
                            onClick={() => {
                                setRecovery(!recovery);
                                setCode('');
                                setError(null);
                            }}
                            data-testid="toggle-recovery"
                        >
                            {recovery ? t('auth.useTotp') : t('auth.useRecovery')}
                        </Anchor>
                        <Anchor
                            component="button"
                            type="button"
                            size="sm"
                            onClick={() => {
                                setStep('password');
                                setError(null);
                            }}
                        >
                            {t('auth.back')}
                        </Anchor>
                    </Stack>
                </form>
            </AuthFrame>
        );
    }

    return (
        <AuthFrame title={t('auth.signInTitle')} subtitle={t('auth.signInHint')}>
            {notice ? (
                <Alert color="blue" role="status" data-testid="notice">
                    {notice}
                </Alert>
            ) : null}
            <form onSubmit={submitPassword}>
                <Stack>
                    <TextInput
                        label={t('auth.email')}
                        type="email"
                        required
                        autoComplete="username"
                        value={email}
                        onChange={(e) => setEmail(e.currentTarget.value)}
                        error={fields.email}
                        data-testid="email"
                    />
                    <PasswordInput
                        label={t('auth.password')}
                        required
                        autoComplete="current-password"
                        value={password}
                        onChange={(e) => setPassword(e.currentTarget.value)}
                        error={fields.password}
                        data-testid="password"
                    />
                    <ProblemAlert error={Object.keys(fields).length ? null : error} />
                    <Button type="submit" loading={busy} data-testid="sign-in">
                        {t('auth.signIn')}
                    </Button>
                </Stack>
            </form>
        </AuthFrame>
    );
}
