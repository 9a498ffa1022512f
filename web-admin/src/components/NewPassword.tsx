// A new password with confirmation, sized by the server's password policy (getMeta).

import { PasswordInput, Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { useI18n } from '../i18n';

export function usePasswordPolicy() {
    const meta = useQuery({ queryKey: ['meta'], queryFn: () => api.meta.getMeta(), staleTime: 3_600_000 });
    return meta.data?.passwordPolicy ?? { minLength: 8, maxLength: 128 };
}

export function NewPassword({
    value,
    confirm,
    onChange,
    onConfirm,
    serverError,
    confirmError,
    label,
}: {
    value: string;
    confirm: string;
    onChange: (v: string) => void;
    onConfirm: (v: string) => void;
    serverError?: string | undefined;
    confirmError?: string | undefined;
    label?: string;
}) {
    const { t } = useI18n();
    const policy = usePasswordPolicy();
    return (
        <Stack gap="sm">
            <PasswordInput
                label={label ?? t('auth.newPassword')}
                description={t('auth.passwordPolicy', { min: policy.minLength, max: policy.maxLength })}
                required
                autoComplete="new-password"
                minLength={policy.minLength}
                maxLength={policy.maxLength}
                value={value}
                onChange={(e) => onChange(e.currentTarget.value)}
                error={serverError}
                data-testid="new-password"
            />
            <PasswordInput
                label={t('auth.confirmPassword')}
                required
                autoComplete="new-password"
                value={confirm}
                onChange={(e) => onConfirm(e.currentTarget.value)}
                error={confirmError}
                data-testid="confirm-password"
            />
        </Stack>
    );
}
