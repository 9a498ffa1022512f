// Small pieces of the support screens: ticket status and priority badges, a staff member's
// name (from adminListAdmins when the role may list staff, else the short id; "you" for the
// signed-in account).

import { Badge, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { useI18n } from '../i18n';
import { shortId } from '../lib/format';

const STATUS_COLORS: Record<string, string> = { open: 'orange', pending: 'blue', resolved: 'green', closed: 'gray' };
const PRIORITY_COLORS: Record<string, string> = { low: 'gray', normal: 'blue', high: 'orange', urgent: 'red' };

export function TicketStatusBadge({ status }: { status: string }) {
    const { tx } = useI18n();
    return (
        <Badge color={STATUS_COLORS[status] ?? 'gray'} variant="light" data-testid="ticket-status">
            {tx(`ticketStatus.${status}`, status)}
        </Badge>
    );
}

export function PriorityBadge({ priority }: { priority: string }) {
    const { tx } = useI18n();
    return (
        <Badge color={PRIORITY_COLORS[priority] ?? 'gray'} variant="dot">
            {tx(`ticketPriority.${priority}`, priority)}
        </Badge>
    );
}

/** Staff accounts for pickers and names; empty when the role may not list staff. */
export function useStaffLookup() {
    const { can } = useAuth();
    const q = useQuery({
        queryKey: ['staff', 'lookup'],
        queryFn: () => api.admin.adminListAdmins({ status: 'active', limit: 100 }),
        enabled: can('admins.manage'),
        staleTime: 5 * 60_000,
    });
    const byId = useMemo(() => new Map((q.data?.items ?? []).map((a) => [a.id, a])), [q.data]);
    return { ...q, items: q.data?.items ?? [], byId, available: can('admins.manage') };
}

export function StaffName({ id }: { id: string }) {
    const { t } = useI18n();
    const { me } = useAuth();
    const staff = useStaffLookup();
    if (id === me.id) return <Text size="sm" span>{t('tickets.you')}</Text>;
    const a = staff.byId.get(id);
    return (
        <Text size="sm" span className={a ? undefined : 'mono'} title={id}>
            {a ? a.name : shortId(id)}
        </Text>
    );
}
