// A node client's fields (create dialog, and the edit card of its page): the server, the agent's
// node id, name, port, the protocol settings as JSON (checked here before sending: a JSON object
// tagged by a known `protocol`; the server's per-field 422 errors listed at the editor), node
// groups, tags, shown in subscriptions, sort order, its own rate and how `alivelist` reports.
// A REALITY private key reads as "": left "", the stored key is kept.

import type { NodeClient, NodeClientCreateRequest, NodeClientUpdateRequest } from '@helium/sdk';
import { Alert, Button, Code, Group, List, Modal, MultiSelect, Select, SimpleGrid, Stack, Switch, TagsInput, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { asProblem, fieldErrors } from '../api/errors';
import { telecom } from '../api/telecom';
import { useI18n, type Translate } from '../i18n';
import { useGroups } from '../lib/commerceQueries';
import { ALIVELIST_SHAPES, PROTOCOLS, type AlivelistShape, type Protocol } from '../lib/domain';
import { parseWhole } from '../lib/format';
import { errorsUnder, hopPortsOf, isProtocol, parseHopPorts, parseRate, parseSettings, protocolOf, sameJson, settingsTemplate, showRate, usesReality, type PortRange } from '../lib/telecom';
import { useServerLookup } from '../lib/telecomQueries';
import { useNotify } from './notify';
import { ProblemAlert } from './states';

export interface ClientDraft {
    serverId: string;
    nodeId: string;
    name: string;
    port: string;
    settings: string;
    groupIds: string[];
    tags: string[];
    show: boolean;
    sort: string;
    rate: string;
    alivelistShape: AlivelistShape;
    hopStart: string;
    hopEnd: string;
}

export function clientDraft(c?: NodeClient, defaults: Partial<ClientDraft> = {}): ClientDraft {
    if (!c) {
        return {
            serverId: '',
            nodeId: '',
            name: '',
            port: '443',
            settings: settingsTemplate('shadowsocks'),
            groupIds: [],
            tags: [],
            show: true,
            sort: '0',
            rate: '',
            alivelistShape: 'count',
            hopStart: '',
            hopEnd: '',
            ...defaults,
        };
    }
    const hop = hopPortsOf(c.hopPorts);
    return {
        serverId: c.serverId,
        nodeId: String(c.nodeId),
        name: c.name,
        port: String(c.port),
        settings: JSON.stringify(c.settings, null, 2),
        groupIds: c.groupIds,
        tags: c.tags,
        show: c.show,
        sort: String(c.sort),
        rate: showRate(c.rate),
        alivelistShape: c.alivelistShape === 'ips' ? 'ips' : 'count',
        hopStart: hop ? String(hop.start) : '',
        hopEnd: hop ? String(hop.end) : '',
    };
}

export interface CheckedClient {
    errors: Record<string, string>;
    settings: Record<string, unknown> | null;
    protocol: Protocol | null;
    nodeId: number | null;
    port: number | null;
    sort: number | null;
    rate: string | null;
    hopPorts: PortRange | null;
}

/** Local checks before sending (the server checks again and answers per field). */
export function checkClient(d: ClientDraft, t: Translate): CheckedClient {
    const errors: Record<string, string> = {};
    const s = parseSettings(d.settings);
    if (!s.ok) errors.settings = s.error === 'invalid_json' ? t('nodeClients.settingsNotJson', { detail: s.detail ?? '' }) : t(`nodeClients.settings.${s.error}`);
    const nodeId = parseWhole(d.nodeId, 1, 2_147_483_647);
    if (nodeId === null) errors.node_id = t('nodeClients.nodeIdInvalid');
    const port = parseWhole(d.port, 1, 65_535);
    if (port === null) errors.port = t('nodeClients.portInvalid');
    const sort = /^-?\d{1,9}$/.test(d.sort.trim()) ? Number(d.sort.trim()) : null;
    if (sort === null) errors.sort = t('field.invalid_format');
    const rate = d.rate.trim() ? parseRate(d.rate) : null;
    if (d.rate.trim() && rate === null) errors.rate = t('nodes.rateInvalid');
    if (!d.name.trim()) errors.name = t('field.required');
    if (!d.serverId) errors.server_id = t('field.required');
    const protocol = s.ok ? s.protocol : null;
    const hop = protocol === 'hysteria2' ? parseHopPorts(d.hopStart, d.hopEnd) : null;
    if (hop === 'invalid') errors.hop_ports = t('nodeClients.hopPortsInvalid');
    return {
        errors,
        settings: s.ok ? s.value : null,
        protocol,
        nodeId,
        port,
        sort,
        rate,
        hopPorts: hop === 'invalid' ? null : hop,
    };
}

export function createRequest(d: ClientDraft, c: CheckedClient): NodeClientCreateRequest {
    return {
        serverId: d.serverId,
        nodeId: c.nodeId ?? 0,
        name: d.name.trim(),
        port: c.port ?? 0,
        settings: c.settings ?? {},
        groupIds: d.groupIds,
        tags: d.tags,
        show: d.show,
        sort: c.sort ?? 0,
        rate: c.rate,
        alivelistShape: d.alivelistShape,
        ...(c.hopPorts ? { hopPorts: { ...c.hopPorts } } : {}),
    };
}

/** Only what changed (absent = unchanged; a cleared rate or hop range is sent as null). */
export function updateRequest(stored: NodeClient, d: ClientDraft, c: CheckedClient): NodeClientUpdateRequest {
    const sameList = (a: readonly string[], b: readonly string[]) => [...a].sort().join('\n') === [...b].sort().join('\n');
    const storedHop = hopPortsOf(stored.hopPorts);
    const storedRate = stored.rate ? showRate(stored.rate) : null;
    return {
        ...(d.serverId !== stored.serverId ? { serverId: d.serverId } : {}),
        ...(c.nodeId !== stored.nodeId ? { nodeId: c.nodeId } : {}),
        ...(d.name.trim() !== stored.name ? { name: d.name.trim() } : {}),
        ...(c.port !== stored.port ? { port: c.port } : {}),
        ...(c.settings && !sameJson(c.settings, stored.settings) ? { settings: c.settings } : {}),
        ...(sameList(d.groupIds, stored.groupIds) ? {} : { groupIds: d.groupIds }),
        ...(d.tags.join('\n') === stored.tags.join('\n') ? {} : { tags: d.tags }),
        ...(d.show !== stored.show ? { show: d.show } : {}),
        ...(c.sort !== stored.sort ? { sort: c.sort } : {}),
        ...(c.rate !== storedRate ? { rate: c.rate } : {}),
        ...(d.alivelistShape !== stored.alivelistShape ? { alivelistShape: d.alivelistShape } : {}),
        ...(sameJson(c.hopPorts, storedHop) ? {} : { hopPorts: c.hopPorts ? { ...c.hopPorts } : null }),
    };
}

/**
 * The 422 of a save: translated per field (the settings' own errors apart), and the settings'
 * errors by path with the server's words, for the list under the JSON editor.
 */
export function useClientErrors(error: unknown) {
    const { tx } = useI18n();
    const inSettings = (field: string) => field === 'settings' || field.startsWith('settings.') || field.startsWith('settings[');
    const byField = Object.fromEntries(Object.entries(fieldErrors(error, tx)).filter(([k]) => !inSettings(k)));
    const raw = asProblem(error)?.errors ?? [];
    const settings = raw
        .filter((e) => inSettings(e.field))
        .map((e) => {
            const label = tx(`field.${e.code}`, '');
            const message = label ? (e.message ? `${label} — ${e.message}` : label) : e.message || e.code;
            return { field: e.field, message };
        });
    return { byField, settings, any: raw.length > 0 };
}

export function NodeClientFields({
    draft,
    onChange,
    errors,
    settingsErrors,
    editing,
}: {
    draft: ClientDraft;
    onChange: (d: ClientDraft) => void;
    errors: Record<string, string | undefined>;
    settingsErrors: { field: string; message: string }[];
    editing: boolean;
}) {
    const { t } = useI18n();
    const servers = useServerLookup();
    const groups = useGroups();
    const set = <K extends keyof ClientDraft>(k: K, v: ClientDraft[K]) => onChange({ ...draft, [k]: v });
    const protocol = protocolOf(draft.settings);
    const parsed = parseSettings(draft.settings);
    const reality = parsed.ok && usesReality(parsed.value);
    const pick = (k: string) => errors[k] ?? errorsUnder(errors as Record<string, string>, k)[0]?.[1];
    return (
        <Stack>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <Select
                    label={t('nodeClients.server')}
                    required
                    data={servers.items.map((s) => ({ value: s.id, label: s.region ? `${s.name} (${s.region})` : s.name }))}
                    value={draft.serverId || null}
                    onChange={(v) => set('serverId', v ?? '')}
                    searchable
                    nothingFoundMessage={t('common.nothingFound')}
                    error={pick('server_id')}
                    data-testid="client-server"
                />
                <TextInput label={t('common.name')} description={t('nodeClients.nameHint')} required maxLength={64} value={draft.name} onChange={(e) => set('name', e.currentTarget.value)} error={pick('name')} data-autofocus data-testid="client-name" />
                <TextInput label={t('nodeClients.nodeId')} description={t('nodeClients.nodeIdHint')} inputMode="numeric" required value={draft.nodeId} onChange={(e) => set('nodeId', e.currentTarget.value)} error={pick('node_id')} data-testid="client-node-id" />
                <TextInput label={t('nodeClients.port')} inputMode="numeric" required value={draft.port} onChange={(e) => set('port', e.currentTarget.value)} error={pick('port')} data-testid="client-port" />
            </SimpleGrid>
            <Select
                label={t('nodeClients.protocol')}
                description={editing ? t('nodeClients.protocolHintEdit') : t('nodeClients.protocolHint')}
                data={PROTOCOLS.map((p) => ({ value: p, label: t(`protocol.${p}`) }))}
                value={protocol}
                placeholder={t('nodeClients.protocolUnknown')}
                onChange={(v) => {
                    if (isProtocol(v) && v !== protocol) set('settings', settingsTemplate(v));
                }}
                allowDeselect={false}
                data-testid="client-protocol"
            />
            <Textarea
                label={t('nodeClients.settings')}
                description={t('nodeClients.settingsHint')}
                required
                autosize
                minRows={6}
                maxRows={24}
                value={draft.settings}
                onChange={(e) => set('settings', e.currentTarget.value)}
                error={errors.settings ?? (settingsErrors.length ? t('nodeClients.settingsSeeBelow') : undefined)}
                styles={{ input: { fontFamily: 'ui-monospace, Menlo, Consolas, monospace' } }}
                spellCheck={false}
                autoComplete="off"
                data-testid="client-settings"
            />
            {settingsErrors.length ? (
                <Alert color="red" p="xs" title={t('nodeClients.settingsInvalid')} role="alert" data-testid="client-settings-errors">
                    <List size="sm">
                        {settingsErrors.map((e) => (
                            <List.Item key={e.field}>
                                <Code>{e.field}</Code> {e.message}
                            </List.Item>
                        ))}
                    </List>
                </Alert>
            ) : null}
            <Alert color={reality ? 'blue' : 'gray'} variant="light" p="xs" data-testid="reality-note">
                <Text size="sm">{t('nodeClients.realityNote')}</Text>
            </Alert>
            {protocol === 'hysteria2' ? (
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                    <TextInput label={t('nodeClients.hopStart')} description={t('nodeClients.hopHint')} inputMode="numeric" value={draft.hopStart} onChange={(e) => set('hopStart', e.currentTarget.value)} error={pick('hop_ports')} />
                    <TextInput label={t('nodeClients.hopEnd')} inputMode="numeric" value={draft.hopEnd} onChange={(e) => set('hopEnd', e.currentTarget.value)} />
                </SimpleGrid>
            ) : null}
            <MultiSelect
                label={t('nodeClients.groups')}
                description={t('nodeClients.groupsHint')}
                data={groups.items.map((g) => ({ value: g.id, label: g.name }))}
                value={draft.groupIds}
                onChange={(v) => set('groupIds', v)}
                searchable
                clearable
                nothingFoundMessage={t('common.nothingFound')}
                error={pick('group_ids')}
                data-testid="client-groups"
            />
            <TagsInput label={t('nodes.tags')} description={t('nodes.tagsHint')} maxTags={16} value={draft.tags} onChange={(v) => set('tags', v)} error={pick('tags')} data-testid="client-tags" />
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
                <TextInput label={t('nodeClients.sort')} description={t('nodeClients.sortHint')} inputMode="numeric" value={draft.sort} onChange={(e) => set('sort', e.currentTarget.value)} error={pick('sort')} data-testid="client-sort" />
                <TextInput label={t('nodes.rate')} description={t('nodeClients.rateHint')} inputMode="decimal" value={draft.rate} onChange={(e) => set('rate', e.currentTarget.value)} error={pick('rate')} data-testid="client-rate" />
                <Select
                    label={t('nodeClients.alivelistShape')}
                    description={t('nodeClients.alivelistShapeHint')}
                    data={ALIVELIST_SHAPES.map((s) => ({ value: s, label: t(`alivelistShape.${s}`) }))}
                    value={draft.alivelistShape}
                    onChange={(v) => set('alivelistShape', v === 'ips' ? 'ips' : 'count')}
                    allowDeselect={false}
                    error={pick('alivelist_shape')}
                    data-testid="client-alivelist"
                />
            </SimpleGrid>
            <Switch label={t('nodeClients.show')} description={t('nodeClients.showHint')} checked={draft.show} onChange={(e) => set('show', e.currentTarget.checked)} data-testid="client-show" />
        </Stack>
    );
}

/** The create dialog; the new client opens on its own page. */
export function NewNodeClientModal({ opened, serverId, onClose }: { opened: boolean; serverId?: string; onClose: () => void }) {
    const { t } = useI18n();
    const notify = useNotify();
    const navigate = useNavigate();
    const queryClient = useQueryClient();
    const [draft, setDraft] = useState<ClientDraft>(() => clientDraft(undefined, serverId ? { serverId } : {}));
    const [touched, setTouched] = useState(false);
    useEffect(() => {
        if (opened) {
            setDraft(clientDraft(undefined, serverId ? { serverId } : {}));
            setTouched(false);
        }
    }, [opened, serverId]);
    const checked = checkClient(draft, t);
    const create = useMutation({
        mutationFn: () => telecom.adminCreateNodeClient({ nodeClientCreateRequest: createRequest(draft, checked) }),
        onSuccess: (c) => {
            void queryClient.invalidateQueries({ queryKey: ['nodes'] });
            notify(t('nodeClients.created', { name: c.name }));
            onClose();
            navigate(`/nodes/clients/${c.id}`);
        },
    });
    const server = useClientErrors(create.error);
    const errors = { ...server.byField, ...(touched ? checked.errors : {}) };
    const close = () => {
        create.reset();
        onClose();
    };
    return (
        <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={opened} onClose={close} title={t('nodeClients.new')} centered size="xl">
            <form
                noValidate
                onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setTouched(true);
                    if (Object.keys(checked.errors).length === 0 && !create.isPending) create.mutate();
                }}
            >
                <Stack>
                    <NodeClientFields draft={draft} onChange={setDraft} errors={errors} settingsErrors={server.settings} editing={false} />
                    <ProblemAlert error={server.any ? null : create.error} />
                    <Group justify="flex-end">
                        <Button variant="default" onClick={close}>
                            {t('common.cancel')}
                        </Button>
                        <Button type="submit" loading={create.isPending} data-testid="client-create">
                            {t('nodeClients.create')}
                        </Button>
                    </Group>
                </Stack>
            </form>
        </Modal>
    );
}
