// The signed-in staff member's own account: profile, password, two-factor sign-in (TOTP
// enrolment with a QR code, recovery codes shown once, regenerate, turn off), sign-out.

import { Alert, Anchor, Button, Card, Code, Group, PasswordInput, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { QRCodeSVG } from 'qrcode.react';
import { useEffect, useState, type FormEvent } from 'react';
import { useLocation } from 'react-router';
import type { TotpSetup } from '@helium/sdk';
import { api } from '../api/client';
import { fieldErrors } from '../api/errors';
import { useAuth } from '../auth/AuthContext';
import { CopyButton, PageHeader, RoleBadge } from '../components/bits';
import { NewPassword } from '../components/NewPassword';
import { ProblemAlert } from '../components/states';
import { useI18n } from '../i18n';
import { useNotify } from '../components/notify';

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
    const { t } = useI18n();
    return (
        <Alert color="orange" title={t('mfa.codesTitle')} data-testid="recovery-codes">
            <Stack gap="xs">
                <Text size="sm">{t('mfa.codesBody')}</Text>
                <ul className="recovery-codes" aria-label={t('mfa.codesTitle')}>
                    {codes.map((c) => (
                        <li key={c}>
                            <Code>{c}</Code>
                        </li>
                    ))}
                </ul>
                <Group gap="xs">
                    <CopyButton value={codes.join('\n')} label={t('mfa.copyCodes')} />
                    <Text size="sm">{t('mfa.copyCodes')}</Text>
                </Group>
                <Group>
                    <Button size="xs" onClick={onDone} data-testid="codes-done">
                        {t('mfa.codesStored')}
                    </Button>
                </Group>
            </Stack>
        </Alert>
    );
}

function Profile() {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const { me } = useAuth();
    const queryClient = useQueryClient();
    const [name, setName] = useState(me.name);
    const [avatar, setAvatar] = useState(me.avatarUrl ?? '');
    const save = useMutation({
        mutationFn: () =>
            api.admin.adminUpdateMe({ adminUpdateMeRequest: { name: name.trim(), avatarUrl: avatar.trim() ? avatar.trim() : null } }),
        onSuccess: (m) => {
            queryClient.setQueryData(['me'], m);
            notify(t('common.saved'));
        },
    });
    const fields = fieldErrors(save.error, tx);
    return (
        <Card withBorder>
            <Title order={2} size="h4" mb="sm">
                {t('account.profile')}
            </Title>
            <form
                onSubmit={(e) => {
                    e.preventDefault();
                    save.mutate();
                }}
            >
                <Stack>
                    <Group gap="xs">
                        <Text size="sm">{me.email}</Text>
                        <RoleBadge role={me.role} />
                    </Group>
                    <TextInput label={t('common.name')} required maxLength={100} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fields.name} />
                    <TextInput label={t('account.avatar')} type="url" value={avatar} onChange={(e) => setAvatar(e.currentTarget.value)} error={fields.avatar_url} />
                    <ProblemAlert error={Object.keys(fields).length ? null : save.error} />
                    <Group>
                        <Button type="submit" loading={save.isPending}>
                            {t('common.save')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Card>
    );
}

function Password() {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const [current, setCurrent] = useState('');
    const [next, setNext] = useState('');
    const [confirm, setConfirm] = useState('');
    const [mismatch, setMismatch] = useState(false);
    const change = useMutation({
        mutationFn: () => api.admin.adminChangePassword({ changePasswordRequest: { currentPassword: current, newPassword: next } }),
        onSuccess: () => {
            setCurrent('');
            setNext('');
            setConfirm('');
            notify(t('account.passwordChanged'));
        },
    });
    const fields = fieldErrors(change.error, tx);
    const submit = (e: FormEvent) => {
        e.preventDefault();
        if (next !== confirm) {
            setMismatch(true);
            return;
        }
        setMismatch(false);
        change.mutate();
    };
    return (
        <Card withBorder>
            <Title order={2} size="h4" mb="sm">
                {t('account.password')}
            </Title>
            <form onSubmit={submit}>
                <Stack>
                    <Text size="sm">{t('account.passwordHint')}</Text>
                    <PasswordInput label={t('account.currentPassword')} required autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.currentTarget.value)} error={fields.current_password} />
                    <NewPassword value={next} confirm={confirm} onChange={setNext} onConfirm={setConfirm} serverError={fields.new_password} confirmError={mismatch ? t('auth.passwordMismatch') : undefined} />
                    <ProblemAlert error={Object.keys(fields).length ? null : change.error} />
                    <Group>
                        <Button type="submit" loading={change.isPending}>
                            {t('account.changePassword')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Card>
    );
}

function TwoFactor() {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const { me } = useAuth();
    const queryClient = useQueryClient();
    const [setup, setSetup] = useState<TotpSetup | null>(null);
    const [code, setCode] = useState('');
    const [codes, setCodes] = useState<string[] | null>(null);
    const [disabling, setDisabling] = useState(false);
    const [password, setPassword] = useState('');
    const refreshMe = () => void queryClient.invalidateQueries({ queryKey: ['me'] });

    const start = useMutation({ mutationFn: () => api.admin.adminSetupTotp(), onSuccess: setSetup });
    const enable = useMutation({
        mutationFn: () => api.admin.adminEnableTotp({ totpCodeRequest: { code: code.replace(/\s+/g, '') } }),
        onSuccess: (r) => {
            setSetup(null);
            setCode('');
            setCodes(r.recoveryCodes);
            refreshMe();
        },
    });
    const regenerate = useMutation({
        mutationFn: () => api.admin.adminRegenerateRecoveryCodes({ totpCodeRequest: { code: code.replace(/\s+/g, '') } }),
        onSuccess: (r) => {
            setCode('');
            setCodes(r.recoveryCodes);
        },
    });
    const disable = useMutation({
        mutationFn: () => {
            const value = code.trim();
            const byRecovery = value.includes('-');
            return api.admin.adminDisableTotp({
                disableTotpRequest: byRecovery ? { password, recoveryCode: value } : { password, code: value.replace(/\s+/g, '') },
            });
        },
        onSuccess: () => {
            setDisabling(false);
            setCode('');
            setPassword('');
            notify(t('mfa.disabled'));
            refreshMe();
        },
    });
    const anyError = enable.error ?? regenerate.error ?? disable.error ?? start.error;
    const fields = fieldErrors(anyError, tx);

    return (
        <Card withBorder id="security">
            <Title order={2} size="h4" mb="sm">
                {t('mfa.title')}
            </Title>
            <Stack>
                {codes ? <RecoveryCodes codes={codes} onDone={() => setCodes(null)} /> : null}
                {me.mfaEnabled ? (
                    <>
                        <Alert color="green" data-testid="mfa-on">
                            {t('mfa.on')}
                        </Alert>
                        <TextInput
                            label={disabling ? t('mfa.codeOrRecovery') : t('auth.totpCode')}
                            inputMode={disabling ? 'text' : 'numeric'}
                            autoComplete="one-time-code"
                            value={code}
                            onChange={(e) => setCode(e.currentTarget.value)}
                            error={fields.code ?? fields.recovery_code}
                            maw={320}
                        />
                        {disabling ? (
                            <>
                                <PasswordInput label={t('auth.password')} required autoComplete="current-password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={fields.password} maw={320} />
                                <Text size="sm">{t('mfa.turnOffHint')}</Text>
                            </>
                        ) : null}
                        <ProblemAlert error={Object.keys(fields).length ? null : anyError} />
                        <Group>
                            {disabling ? (
                                <>
                                    <Button color="red" loading={disable.isPending} onClick={() => disable.mutate()} disabled={!code || !password}>
                                        {t('mfa.turnOff')}
                                    </Button>
                                    <Button variant="default" onClick={() => setDisabling(false)}>
                                        {t('common.cancel')}
                                    </Button>
                                </>
                            ) : (
                                <>
                                    <Button variant="default" loading={regenerate.isPending} onClick={() => regenerate.mutate()} disabled={!code}>
                                        {t('mfa.regenerate')}
                                    </Button>
                                    <Button variant="subtle" color="red" onClick={() => setDisabling(true)}>
                                        {t('mfa.turnOffStart')}
                                    </Button>
                                </>
                            )}
                        </Group>
                    </>
                ) : setup ? (
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                        <Stack align="center" gap="xs">
                            <div style={{ background: '#fff', padding: 12 }}>
                                <QRCodeSVG value={setup.otpauthUri} size={180} role="img" aria-label={t('mfa.qr')} title={t('mfa.qr')} />
                            </div>
                            <Text size="xs">{t('mfa.manual')}</Text>
                            <Group gap={4} wrap="nowrap">
                                <Code data-testid="totp-secret">{setup.secret}</Code>
                                <CopyButton value={setup.secret} />
                            </Group>
                        </Stack>
                        <form
                            onSubmit={(e) => {
                                e.preventDefault();
                                enable.mutate();
                            }}
                        >
                            <Stack>
                                <Text size="sm">{t('mfa.scan')}</Text>
                                <TextInput
                                    label={t('auth.totpCode')}
                                    required
                                    inputMode="numeric"
                                    autoComplete="one-time-code"
                                    maxLength={8}
                                    value={code}
                                    onChange={(e) => setCode(e.currentTarget.value)}
                                    error={fields.code}
                                    data-testid="enable-code"
                                />
                                <ProblemAlert error={Object.keys(fields).length ? null : anyError} />
                                <Group>
                                    <Button type="submit" loading={enable.isPending} data-testid="enable-totp">
                                        {t('mfa.enable')}
                                    </Button>
                                    <Button variant="default" onClick={() => setSetup(null)}>
                                        {t('common.cancel')}
                                    </Button>
                                </Group>
                            </Stack>
                        </form>
                    </SimpleGrid>
                ) : (
                    <>
                        <Text size="sm">{t('mfa.off')}</Text>
                        <ProblemAlert error={start.error} />
                        <Group>
                            <Button id="setup-totp" onClick={() => start.mutate()} loading={start.isPending} data-testid="setup-totp">
                                {t('mfa.setUp')}
                            </Button>
                        </Group>
                    </>
                )}
            </Stack>
        </Card>
    );
}

export default function AccountPage() {
    const { t } = useI18n();
    const { signOut } = useAuth();
    const location = useLocation();
    // From the TOTP prompt or banner: straight to the two-factor card, its setup button focused.
    useEffect(() => {
        if (location.hash !== '#security') return;
        document.getElementById('security')?.scrollIntoView();
        if (new URLSearchParams(location.search).get('setup') === 'totp') document.getElementById('setup-totp')?.focus();
    }, [location.hash, location.search]);
    return (
        <Stack>
            <PageHeader
                title={t('account.title')}
                actions={
                    <Button variant="default" onClick={() => void signOut()}>
                        {t('auth.signOut')}
                    </Button>
                }
            />
            <TwoFactor />
            <SimpleGrid cols={{ base: 1, md: 2 }}>
                <Profile />
                <Password />
            </SimpleGrid>
            <Text size="xs">
                <Anchor href="#main">{t('a11y.top')}</Anchor>
            </Text>
        </Stack>
    );
}
