// The TOTP enrolment prompt: shown when a staff member without a second factor starts a change
// (useWriteGate) or the server answers 403 mfa_required. It leads to My account → two-factor.

import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { onMfaRequested } from '../auth/mfaPrompt';
import { useI18n } from '../i18n';

export function MfaPrompt() {
    const { t } = useI18n();
    const navigate = useNavigate();
    const queryClient = useQueryClient();
    const [opened, setOpened] = useState(false);
    // Going to the setup: focus moves to its button there, not back to the action that asked.
    const [leaving, setLeaving] = useState(false);
    useEffect(
        () =>
            onMfaRequested(() => {
                setLeaving(false);
                setOpened(true);
                // The server says TOTP is off: the cached profile may say otherwise.
                void queryClient.invalidateQueries({ queryKey: ['me'] });
            }),
        [queryClient],
    );
    return (
        <Modal
            closeButtonProps={{ 'aria-label': t('common.close') }}
            opened={opened}
            onClose={() => setOpened(false)}
            title={t('mfaPrompt.title')}
            centered
            // Above a form dialog whose submit the server refused with 403 mfa_required.
            zIndex={400}
            returnFocus={!leaving}
            data-testid="mfa-prompt"
        >
            <Stack>
                <Text size="sm">{t('mfaPrompt.body')}</Text>
                <Group justify="flex-end">
                    <Button variant="default" onClick={() => setOpened(false)}>
                        {t('mfaPrompt.later')}
                    </Button>
                    <Button
                        onClick={() => {
                            setLeaving(true);
                            setOpened(false);
                            navigate('/account?setup=totp#security');
                        }}
                        data-autofocus
                        data-testid="mfa-prompt-setup"
                    >
                        {t('mfaPrompt.setUp')}
                    </Button>
                </Group>
            </Stack>
        </Modal>
    );
}
