// A customer's manual groups (catalog.read to see the names, catalog.write to change them):
// what they may see and buy, on top of the groups of their active package. The customer's
// detail (adminGetCustomer) carries the set in force; the API replaces the whole set
// (adminSetCustomerGroups), and the customer is read again after a save.

import type { CustomerDetail } from '@helium/sdk';
import { Button, Card, Group, MultiSelect, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { fieldErrors } from '../api/errors';
import { useAuth, useWriteGate } from '../auth/AuthContext';
import { useI18n } from '../i18n';
import { useGroups } from '../lib/commerceQueries';
import { GroupBadges } from './commerce';
import { useNotify } from './notify';
import { ProblemAlert } from './states';

/** `groupIds`: the customer's manual groups as last read (CustomerDetail.groupIds). */
export function CustomerGroupsCard({ userId, groupIds }: { userId: string; groupIds: readonly string[] }) {
    const { t, tx } = useI18n();
    const notify = useNotify();
    const { can } = useAuth();
    const gate = useWriteGate();
    const queryClient = useQueryClient();
    const groups = useGroups();
    const [selected, setSelected] = useState<string[]>(() => [...groupIds]);
    const [dirty, setDirty] = useState(false);
    // Follow the saved set (first read, a save, a refetch) unless an edit is under way.
    const savedKey = groupIds.join(',');
    useEffect(() => {
        if (!dirty) setSelected(savedKey ? savedKey.split(',') : []);
    }, [savedKey, dirty]);
    const save = useMutation({
        mutationFn: () => api.customers.adminSetCustomerGroups({ id: userId, customerGroupsRequest: { groupIds: selected } }),
        onSuccess: (r) => {
            queryClient.setQueryData(['customer', userId], (old: CustomerDetail | undefined) => (old ? { ...old, groupIds: r.groupIds } : old));
            void queryClient.invalidateQueries({ queryKey: ['customer', userId] });
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
                <Group gap="xs" data-testid="customer-groups-current">
                    <Text size="sm">{t('customerGroups.current')}</Text>
                    <GroupBadges ids={groupIds} names={groups.byId} empty={<Text size="sm">{t('customerGroups.none')}</Text>} />
                </Group>
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
                        <Button onClick={() => gate(() => save.mutate())} loading={save.isPending} disabled={!groups.isSuccess} data-testid="customer-groups-save">
                            {t('customerGroups.save')}
                        </Button>
                    </Group>
                ) : null}
                <ProblemAlert error={Object.keys(fields).length ? null : save.error} />
            </Stack>
        </Card>
    );
}
