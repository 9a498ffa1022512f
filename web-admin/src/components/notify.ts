// Toasts for finished actions, with a labelled close button (axe: button-name).

import { notifications } from '@mantine/notifications';
import { useCallback } from 'react';
import { useI18n } from '../i18n';

export function useNotify() {
    const { t } = useI18n();
    return useCallback(
        (message: string, color: 'green' | 'red' = 'green') =>
            notifications.show({ color, message, autoClose: 4000, closeButtonProps: { 'aria-label': t('common.close') } }),
        [t],
    );
}
