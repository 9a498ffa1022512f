// A node server's fields (create dialog on the list, edit dialog on its page): name, the address
// clients connect to, region, traffic rate (a decimal string: billed bytes = bytes × rate) and
// tags; and the maintenance dialog (message and expected end shown to staff).

import type { NodeServer } from '@helium/sdk';
import { Button, Group, Modal, SimpleGrid, Stack, Switch, TagsInput, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { fieldErrors } from '../api/errors';
import { telecom } from '../api/telecom';
import { useI18n, type Translate } from '../i18n';
import { fromLocalInput, toLocalInput } from '../lib/format';
import { errorsUnder, parseRate, showRate } from '../lib/telecom';
import { useNotify } from './notify';
import { ProblemAlert } from './states';

export interface ServerDraft {
    name: string;
    address: string;
    region: string;
    rate: string;
    tags: string[];
}

export function serverDraft(s?: NodeServer): ServerDraft {
    return s
        ? { name: s.name, address: s.address, region: s.region ?? '', rate: showRate(s.rate), tags: s.tags }
        : { name: '', address: '', region: '', rate: '1', tags: [] };
}

/** Local checks before sending (the server checks again and answers per field). */
export function checkServer(d: ServerDraft, t: Translate): Record<string, string> {
    const errors: Record<string, string> = {};
    if (!d.name.trim()) errors.name = t('field.required');
    if (!d.address.trim()) errors.address = t('field.required');
    if (parseRate(d.rate) === null) errors.rate = t('nodes.rateInvalid');
    return errors;
}

/** Create (no `server`) or edit a server; a new one opens on its own page. */
export function NodeServerModal({ opened, server, onClose }: { opened: boolean; server?: NodeServer; onClose: () => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const navigate = useNavigate();
    const queryClient = useQueryClient();
    const [draft, setDraft] = useState<ServerDraft>(() => serverDraft(server));
    const [touched, setTouched] = useState(false);
    useEffect(() => {
        if (opened) {
            setDraft(serverDraft(server));
            setTouched(false);
        }
    }, [opened, server]);
    const save = useMutation({
        mutationFn: () => {
            const region = draft.region.trim() || null;
            const rate = parseRate(draft.rate) ?? '1';
            if (server) {
                return telecom.adminUpdateNodeServer({
                    id: server.id,
                    nodeServerUpdateRequest: { name: draft.name.trim(), address: draft.address.trim(), region, rate, tags: draft.tags },
                });
            }
            return telecom.adminCreateNodeServer({
                nodeServerCreateRequest: { name: draft.name.trim(), address: draft.address.trim(), region, rate, tags: draft.tags },
            });
        },
        onSuccess: (s) => {
            void queryClient.invalidateQueries({ queryKey: ['nodes'] });
            if (server) {
                notify(t('common.saved'));
                onClose();
            } else {
                notify(t('nodeServers.created', { name: s.name }));
                navigate(`/nodes/servers/${s.id}`);
            }
        },
    });
    const local = touched ? checkServer(draft, t) : {};
    const server422 = fieldErrors(save.error, tx);
    const err = (k: string) => local[k] ?? errorsUnder(server422, k)[0]?.[1];
    const set = <K extends keyof ServerDraft>(k: K, v: ServerDraft[K]) => setDraft({ ...draft, [k]: v });
    const close = () => {
        save.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={server ? t('nodeServers.edit') : t('nodeServers.new')} centered size="lg">
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (Object.keys(checkServer(draft, t)).length === 0 && !save.isPending) save.mutate();
                }}
            >
                <Stack>
                    <SimpleGrid cols={{ base: 1, sm: 2 }}>
                        <TextInput label={t('common.name')} description={t('nodeServers.nameHint')} required maxLength={64} value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} error={err('name')} data-autofocus data-testid="server-name" />
                        <TextInput label={t('nodes.address')} description={t('nodeServers.addressHint')} placeholder={t('nodeServers.addressExample')} required maxLength={253} className="mono" value={draft.address} onChange={(e) => set('address', e.currentTarget.value)} error={err('address')} data-testid="server-address" />
                        <TextInput label={t('nodes.region')} description={t('nodeServers.regionHint')} placeholder={t('nodeServers.regionExample')} maxLength={100} value={draft.region} onChange={(e) => set('region', e.currentTarget.value)} error={err('region')} data-testid="server-region" />
                        <TextInput label={t('nodes.rate')} description={t('nodes.rateHint')} inputMode="decimal" required value={draft.rate} onChange={(e) => set('rate', e.currentTarget.value)} error={err('rate')} data-testid="server-rate" />
                    </SimpleGrid>
                    <TagsInput label={t('nodes.tags')} description={t('nodes.tagsHint')} maxTags={16} value={draft.tags} onChange={(v) => set('tags', v)} error={err('tags')} data-testid="server-tags" />
                    <ProblemAlert error={Object.keys(server422).length ? null : save.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={save.isPending} data-testid="server-save">
                            {server ? t('common.save') : t('nodeServers.create')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}

/** Start, change or end a server's maintenance (its nodes leave subscriptions meanwhile). */
export function MaintenanceModal({ opened, server, onClose }: { opened: boolean; server: NodeServer; onClose: () => void }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const [enabled, setEnabled] = useState(true);
    const [message, setMessage] = useState('');
    const [until, setUntil] = useState('');
    const [touched, setTouched] = useState(false);
    useEffect(() => {
        if (opened) {
            // Opening on a server in maintenance edits it; on one that is not, starts it.
            setEnabled(true);
            setMessage(server.maintenanceMessage ?? '');
            setUntil(server.maintenanceUntil ? toLocalInput(server.maintenanceUntil) : '');
            setTouched(false);
        }
    }, [opened, server]);
    const untilDate = until ? fromLocalInput(until) : null;
    const untilError = touched && enabled && until && !untilDate ? t('field.invalid_format') : undefined;
    const save = useMutation({
        mutationFn: (on: boolean) =>
            telecom.adminSetNodeMaintenance({
                id: server.id,
                maintenanceRequest: on ? { enabled: true, message: message.trim() || null, until: untilDate } : { enabled: false },
            }),
        onSuccess: (s) => {
            queryClient.setQueryData(['nodes', 'servers', 'detail', server.id], (old: object | undefined) => (old ? { ...old, ...s } : old));
            void queryClient.invalidateQueries({ queryKey: ['nodes'] });
            notify(s.maintenance ? t('maintenance.started', { name: s.name }) : t('maintenance.ended', { name: s.name }));
            onClose();
        },
    });
    const server422 = fieldErrors(save.error, tx);
    const close = () => {
        save.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={t('maintenance.title', { name: server.name })} centered>
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (enabled && until && !untilDate) return;
                    if (!save.isPending) save.mutate(enabled);
                }}
            >
                <Stack>
                    <Text size="sm">{t('maintenance.body')}</Text>
                    <Switch label={t('maintenance.enabled')} description={t('maintenance.enabledHint')} checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} data-testid="maintenance-enabled" />
                    {enabled ? (
                        <>
                            <Textarea label={t('maintenance.message')} description={t('maintenance.messageHint')} autosize minRows={2} maxLength={500} value={message} onChange={(e) => setMessage(e.currentTarget.value)} error={server422.message} data-autofocus data-testid="maintenance-message" />
                            <TextInput type="datetime-local" label={t('maintenance.until')} description={t('maintenance.untilHint')} value={until} onChange={(e) => setUntil(e.currentTarget.value)} error={untilError ?? server422.until} data-testid="maintenance-until" />
                        </>
                    ) : null}
                    <ProblemAlert error={Object.keys(server422).length ? null : save.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={save.isPending} data-testid="maintenance-save">
                            {enabled ? (server.maintenance ? t('common.save') : t('maintenance.start')) : t('maintenance.end')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}
