// The before/after of one audit row as a table of changed fields.

import { Table, Text } from '@mantine/core';
import { useI18n } from '../i18n';
import { diffChanges, showValue } from '../lib/diff';

export function AuditDiff({ before, after }: { before: unknown; after: unknown }) {
    const { t, tx } = useI18n();
    const changes = diffChanges(before, after);
    if (changes.length === 0) {
        return <Text size="sm">{t('audit.noChanges')}</Text>;
    }
    return (
        <Table withTableBorder verticalSpacing={4} fz="sm" data-testid="audit-diff">
            <Table.Thead>
                <Table.Tr>
                    <Table.Th>{t('audit.field')}</Table.Th>
                    <Table.Th>{t('audit.before')}</Table.Th>
                    <Table.Th>{t('audit.after')}</Table.Th>
                </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
                {changes.map((c) => (
                    <Table.Tr key={c.path}>
                        <Table.Td className="mono">
                            {c.path}
                            <Text span size="xs" ml={6}>
                                ({tx(`audit.kind.${c.kind}`, c.kind)})
                            </Text>
                        </Table.Td>
                        <Table.Td className={c.kind === 'added' ? undefined : 'diff-removed mono'}>{showValue(c.before)}</Table.Td>
                        <Table.Td className={c.kind === 'removed' ? undefined : 'diff-added mono'}>{showValue(c.after)}</Table.Td>
                    </Table.Tr>
                ))}
            </Table.Tbody>
        </Table>
    );
}
