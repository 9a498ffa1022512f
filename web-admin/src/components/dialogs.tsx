// Confirmation dialogs. Destructive actions confirm; where the API requires a reason (ban,
// unban, MFA reset) the dialog has a required reason field, kept in the audit log.

import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useEffect, useState, type ReactNode } from 'react';
import { fieldErrors } from '../api/errors';
import { useI18n } from '../i18n';
import { ProblemAlert } from './states';

interface BaseProps {
    opened: boolean;
    onClose: () => void;
    title: string;
    message: ReactNode;
    confirmLabel: string;
    danger?: boolean;
    busy?: boolean;
    error?: unknown;
    /** Words a problem this dialog knows better than the generic message (e.g. a 409). */
    explain?: (error: unknown) => string | undefined;
}

export function ConfirmModal({ opened, onClose, title, message, confirmLabel, danger, busy, error, explain, onConfirm }: BaseProps & { onConfirm: () => void }) {
    const { t } = useI18n();
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={onClose} title={title} centered>
            <Stack>
                <Text size="sm">{message}</Text>
                <ProblemAlert error={error} {...(explain ? { explain } : {})} />
                <Group justify="flex-end">
                    <Button variant="default" onClick={onClose}>
                        {t('common.cancel')}
                    </Button>
                    <Button color={danger ? 'red' : undefined} loading={busy} onClick={onConfirm} data-testid="confirm">
                        {confirmLabel}
                    </Button>
                </Group>
            </Stack>
        </Modal>
    );
}

export function ReasonModal({ opened, onClose, title, message, confirmLabel, danger, busy, error, explain, onConfirm }: BaseProps & { onConfirm: (reason: string) => void }) {
    const { t, tx } = useI18n();
    const [reason, setReason] = useState('');
    const [touched, setTouched] = useState(false);
    useEffect(() => {
        if (opened) {
            setReason('');
            setTouched(false);
        }
    }, [opened]);
    const serverError = fieldErrors(error, tx).reason;
    const missing = touched && reason.trim() === '';
    const close = () => {
        setReason('');
        setTouched(false);
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={title} centered>
            <form
                noValidate
                onSubmit={(e) => {
                    e.preventDefault();
                    setTouched(true);
                    if (reason.trim()) onConfirm(reason.trim());
                }}
            >
                <Stack>
                    <Text size="sm">{message}</Text>
                    <Textarea
                        label={t('reason.label')}
                        description={t('reason.description')}
                        required
                        autosize
                        minRows={2}
                        maxLength={500}
                        value={reason}
                        onChange={(e) => setReason(e.currentTarget.value)}
                        onBlur={() => setTouched(true)}
                        error={missing ? t('field.required') : serverError}
                        data-autofocus
                        data-testid="reason"
                    />
                    {serverError ? null : <ProblemAlert error={error} {...(explain ? { explain } : {})} />}
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" color={danger ? 'red' : undefined} loading={busy} data-testid="confirm">
                            {confirmLabel}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}
