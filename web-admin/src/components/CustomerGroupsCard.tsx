// A customer's manual groups (catalog.read to see the names, catalog.write to change them):
// what they may see and buy, on top of the groups of their active package. The API replaces the
// whole set (adminSetCustomerGroups) and answers the set now in force; it has no call that
// reads a customer's groups, so until a change is saved here the editor starts from the default
// group, which every new customer joins.

import { Alert, Button, Card, Group, MultiSelect, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { useI18n } from '../i18n';
import { useGroups } from '../lib/commerceQueries';
import { GroupBadges } from './commerce';
import { useNotify } from './notify';
import { ProblemAlert } from './states';

export function CustomerGroupsCard({ userId }: { userId: string }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const { can } = useAuth();
    const gate = useWriteGate();
    const queryClient = useQueryClient();
    const groups = useGroups();
    // The set as last saved from this browser (the API has no read of it).
    const known = useQuery<string[] | null>({ queryKey: ['customer-groups', userId], queryFn: () => null, staleTime: Infinity, gcTime: Infinity });
    const [selected, setSelected] = useState<string[]>([]);
    const [dirty, setDirty] = useState(false);
    const ready = groups.isSuccess && known.isSuccess;
    useEffect(() => {
        if (!ready || dirty) return;
        setSelected(known.data ?? groups.items.filter((g) => g.isDefault).map((g) => g.id));
        // Only when the sources arrive or change, not on every edit.
    }, [ready, known.data, groups.items, dirty]);
    const save = useMutation({
        mutationFn: () => api.customers.adminSetCustomerGroups({ id: userId, customerGroupsRequest: { groupIds: selected } }),
        onSuccess: (r) => {
            queryClient.setQueryData(['customer-groups', userId], r.groupIds);
            setDirty(false);
            notify(t('customerGroups.saved'));
        },
    });
    const fields = fieldErrors(save.error, tx);
    const writable = can('catalog.write');

    return (
        <Card withBorder data-testid="customer-groups">
            <Title order={2} size="h4" mb="sm">
                {t('customerGroups.title')}
            </Title>
            <Stack gap="sm">
                {known.data ? (
                    <Group gap="xs">
                        <Text size="sm">{t('customerGroups.current')}</Text>
                        <GroupBadges ids={known.data} names={groups.byId} empty={<Text size="sm">{t('customerGroups.none')}</Text>} />
                    </Group>
                ) : (
                    <Alert color="gray" p="xs">
                        {writable ? t('customerGroups.unknownEdit') : t('customerGroups.unknown')}
                    </Alert>
                )}
                {writable ? (
                    <Group align="flex-end" wrap="wrap">
                        <MultiSelect
                            label={t('customerGroups.manual')}
                            description={t('customerGroups.manualHint')}
                            data={groups.items.map((g) => ({ value: g.id, label: g.name }))}
                            value={selected}
                            onChange={(v) => {
                                setSelected(v);
                                setDirty(true);
                            }}
                            searchable
                            clearable
                            w={420}
                            error={fields.group_ids}
                            data-testid="customer-groups-select"
                        />
                        <Button onClick={() => gate(() => save.mutate())} loading={save.isPending} disabled={!ready} data-testid="customer-groups-save">
                            {t('customerGroups.save')}
                        </Button>
                    </Group>
                ) : null}
                <ProblemAlert error={Object.keys(fields).length ? null : save.error} />
            </Stack>
        </Card>
    );
}
