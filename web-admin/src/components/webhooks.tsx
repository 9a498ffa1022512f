// Outgoing webhook pieces: the endpoint form (create and edit) and the dialog that shows a
// signing secret once (after creating an endpoint or rotating its secret).

import type { WebhookEndpoint } from '@helium/sdk';
import { Alert, Button, Code, Group, Modal, MultiSelect, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { fieldErrors, problemCode } from '../api/errors';
import { service } from '../api/service';
import { useI18n } from '../i18n';
import { WEBHOOK_EVENT_TYPES } from '../lib/service';
import { CopyButton } from './bits';
import { useNotify } from './notify';
import { ProblemAlert } from './states';

export function SecretModal({ secret, title, onClose }: { secret: string | null; title: string; onClose: () => void }) {
    const { t } = useI18n();
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={secret !== null} onClose={onClose} title={title} centered size="lg" closeOnClickOutside={false}>
            {secret ? (
                <Stack>
                    <Alert color="orange" title={t('webhooks.onceTitle')}>
                        {t('webhooks.once')}
                    </Alert>
                    <Group gap="xs" wrap="nowrap">
                        <Code block className="mono" data-testid="webhook-secret" style={{ flex: 1, overflowWrap: 'anywhere' }}>
                            {secret}
                        </Code>
                        <CopyButton value={secret} label={t('webhooks.copySecret')} />
                    </Group>
                    <Text size="sm">{t('webhooks.secretUsage')}</Text>
                    <Group justify="flex-end">
                        <Button onClick={onClose} data-testid="webhook-secret-done">
                            {t('webhooks.stored')}
                        </Button>
                    </Group>
                </Stack>
            ) : null}
        </Modal>
    );
}

export function WebhookFormModal({
    opened,
    onClose,
    endpoint,
    onCreated,
}: {
    opened: boolean;
    onClose: () => void;
    /** Edit this endpoint; null creates one. */
    endpoint: WebhookEndpoint | null;
    onCreated?: (id: string, secret: string) => void;
}) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const [url, setUrl] = useState('');
    const [description, setDescription] = useState('');
    const [events, setEvents] = useState<string[]>([]);
    const [enabled, setEnabled] = useState(true);
    const [touched, setTouched] = useState(false);
    useEffect(() => {
        if (!opened) return;
        setUrl(endpoint?.url ?? '');
        setDescription(endpoint?.description ?? '');
        setEvents(endpoint?.eventTypes ?? []);
        setEnabled(endpoint?.enabled ?? true);
        setTouched(false);
    }, [opened, endpoint]);
    const local: Record<string, string | undefined> = {
        url: !/^https:\/\/[^\s/]+/i.test(url.trim()) ? t('webhooks.urlInvalid') : undefined,
        event_types: events.length === 0 ? t('webhooks.eventsRequired') : events.length > 32 ? t('webhooks.eventsTooMany') : undefined,
    };
    const invalid = Object.values(local).some(Boolean);
    const save = useMutation({
        mutationFn: async () => {
            const body = { url: url.trim(), description: description.trim() || null, eventTypes: events, enabled };
            if (endpoint) {
                await service.webhooks.adminUpdateWebhookEndpoint({ id: endpoint.id, webhookEndpointUpdateRequest: body });
                return null;
            }
            return service.webhooks.adminCreateWebhookEndpoint({ webhookEndpointCreateRequest: body });
        },
        onSuccess: (created) => {
            void queryClient.invalidateQueries({ queryKey: ['webhooks'] });
            if (created) onCreated?.(created.id, created.secret);
            else notify(t('webhooks.saved'));
            onClose();
        },
    });
    const server = fieldErrors(save.error, tx);
    if (problemCode(save.error) === 'url_not_allowed' && !server.url) server.url = t('webhooks.urlNotAllowed');
    const err = (k: string) => (touched ? local[k] : undefined) ?? server[k];
    const known = new Set<string>(WEBHOOK_EVENT_TYPES);
    const data = [...WEBHOOK_EVENT_TYPES, ...events.filter((e) => !known.has(e))].map((e) => ({ value: e, label: e === '*' ? t('webhooks.allEvents') : e }));
    const close = () => {
        save.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={endpoint ? t('webhooks.edit') : t('webhooks.new')} centered size="lg">
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (!invalid) save.mutate();
                }}
            >
                <Stack>
                    <TextInput label={t('webhooks.url')} description={t('webhooks.urlHint')} required maxLength={2048} value={url} onChange={(e) => setUrl(e.currentTarget.value)} error={err('url')} classNames={{ input: 'mono' }} data-autofocus data-testid="webhook-url" />
                    <Textarea label={t('webhooks.description')} autosize minRows={2} maxLength={500} value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={err('description')} data-testid="webhook-description" />
                    <MultiSelect label={t('webhooks.events')} description={t('webhooks.eventsHint')} required data={data} value={events} onChange={setEvents} searchable clearable error={err('event_types')} data-testid="webhook-events" />
                    <Switch label={t('webhooks.enabled')} description={t('webhooks.enabledHint')} checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} data-testid="webhook-enabled" />
                    <ProblemAlert error={Object.keys(server).length ? null : save.error} explain={(e) => (problemCode(e) === 'url_not_allowed' ? t('webhooks.urlNotAllowed') : undefined)} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={save.isPending} data-testid="webhook-save">
                            {endpoint ? t('common.save') : t('webhooks.create')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}
