// One module configuration document (config.manage): a form built from the JSON (or the raw
// JSON), saved with If-Match on the version that was loaded. The server's per-field 422
// errors appear at their field; a 412 (someone saved in between) is explained with a way out.

import type { ConfigDocument } from '@helium/sdk';
import { Alert, Badge, Button, Code, Group, List, Paper, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client';
import { useWriteGate } from '../auth/AuthContext';
import { asProblem, problemCode } from '../api/errors';
import { CopyButton, PageHeader } from '../components/bits';
import { ConfigFields } from '../components/ConfigFields';
import { ProblemAlert, ProblemState, TableSkeleton } from '../components/states';
import { useI18n } from '../i18n';
import { useNotify } from '../components/notify';
import { errorsByPath, setAtPath, type PathSeg } from '../lib/jsonPath';

type Mode = 'form' | 'json';

export default function ConfigEditorPage() {
    const { key = '' } = useParams();
    const { t, tx } = useI18n();
    const gate = useWriteGate();
    const notify = useNotify();
    const queryClient = useQueryClient();
    const doc = useQuery({ queryKey: ['config', key], queryFn: () => api.config.adminGetConfig({ key }) });
    const [draft, setDraft] = useState<unknown>(null);
    const [version, setVersion] = useState<number | null>(null);
    const [mode, setMode] = useState<Mode>('form');
    const [jsonText, setJsonText] = useState('');
    const [jsonError, setJsonError] = useState<string | null>(null);

    const load = (d: ConfigDocument) => {
        setDraft(d.value);
        setVersion(d.version);
        setJsonText(JSON.stringify(d.value, null, 2));
        setJsonError(null);
    };
    useEffect(() => {
        if (doc.data) load(doc.data);
    }, [doc.data]);

    const save = useMutation({
        mutationFn: (value: object) =>
            api.config.adminPutConfig({ key, ifMatch: `"${version ?? 0}"`, putConfigRequest: { value } }),
        onSuccess: (saved) => {
            queryClient.setQueryData(['config', key], saved);
            void queryClient.invalidateQueries({ queryKey: ['config'], exact: true });
            notify(t('config.saved', { version: saved.version }));
        },
    });

    const problem = asProblem(save.error);
    const errors = useMemo(() => {
        const out = new Map<string, string>();
        for (const [path, list] of errorsByPath(problem?.errors ?? [], 'value')) {
            const first = list[0];
            if (first) out.set(path, tx(`field.${first.code}`, first.message || first.code) + (first.message && first.code ? ` — ${first.message}` : ''));
        }
        return out;
    }, [problem, tx]);
    const conflict = problemCode(save.error) === 'precondition_failed';

    const switchMode = (next: Mode) => {
        if (next === mode) return;
        if (next === 'json') {
            setJsonText(JSON.stringify(draft, null, 2));
            setJsonError(null);
            setMode('json');
            return;
        }
        try {
            setDraft(JSON.parse(jsonText));
            setJsonError(null);
            setMode('form');
        } catch (e) {
            setJsonError(e instanceof Error ? e.message : String(e));
        }
    };

    const submit = () => {
        let value = draft;
        if (mode === 'json') {
            try {
                value = JSON.parse(jsonText);
                setDraft(value);
            } catch (e) {
                setJsonError(e instanceof Error ? e.message : String(e));
                return;
            }
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
            setJsonError(t('config.notObject'));
            return;
        }
        gate(() => save.mutate(value));
    };

    if (doc.isPending) return <TableSkeleton rows={10} />;
    if (doc.error) return <ProblemState error={doc.error} onRetry={() => void doc.refetch()} />;

    const onField = (path: PathSeg[], value: unknown) => setDraft((d: unknown) => setAtPath(d, path, value));
    const unplaced = [...errors.entries()].filter(([path]) => path === '' || !hasPath(draft, path));

    return (
        <Stack>
            <PageHeader
                title={t('config.editTitle', { key })}
                description={tx(`config.module.${key}`, key)}
                actions={
                    <>
                        <Badge variant="light" color="gray" size="lg" data-testid="config-version">
                            v{version}
                        </Badge>
                        <Button variant="default" component={Link} to="/config">
                            {t('common.back')}
                        </Button>
                    </>
                }
            />
            <Alert color="blue">{t('config.secretsNote')}</Alert>
            {conflict ? (
                <Alert color="orange" title={t('config.conflictTitle')} role="alert" data-testid="config-conflict">
                    <Stack gap="xs">
                        <Text size="sm">{t('config.conflictBody', { version: version ?? 0 })}</Text>
                        <Group gap="xs">
                            <Button
                                size="xs"
                                onClick={async () => {
                                    const latest = await doc.refetch();
                                    if (latest.data) load(latest.data);
                                    save.reset();
                                }}
                                data-testid="config-reload"
                            >
                                {t('config.reload')}
                            </Button>
                            <CopyButton value={JSON.stringify(draft, null, 2)} label={t('config.copyEdits')} />
                            <Text size="xs">{t('config.copyEdits')}</Text>
                        </Group>
                    </Stack>
                </Alert>
            ) : null}
            {errors.size > 0 ? (
                <Alert color="red" title={t('config.invalidTitle')} role="alert" data-testid="config-invalid">
                    <Text size="sm">{t('config.invalidBody', { count: errors.size })}</Text>
                    {unplaced.length ? (
                        <List size="sm" mt="xs">
                            {unplaced.map(([path, msg]) => (
                                <List.Item key={path}>
                                    <Code>{path || key}</Code> {msg}
                                </List.Item>
                            ))}
                        </List>
                    ) : null}
                </Alert>
            ) : null}
            {!conflict && errors.size === 0 ? <ProblemAlert error={save.error} /> : null}
            <Paper withBorder p="md">
                <Group justify="space-between" mb="md">
                    <SegmentedControl
                        aria-label={t('config.mode')}
                        value={mode}
                        onChange={(v) => switchMode(v as Mode)}
                        data={[
                            { value: 'form', label: t('config.form') },
                            { value: 'json', label: t('config.json') },
                        ]}
                    />
                    <Button onClick={submit} loading={save.isPending} data-testid="config-save">
                        {t('common.save')}
                    </Button>
                </Group>
                {mode === 'form' ? (
                    <ConfigFields value={draft} path={[]} errors={errors} onChange={onField} />
                ) : (
                    <Textarea
                        label={t('config.json')}
                        autosize
                        minRows={12}
                        value={jsonText}
                        onChange={(e) => setJsonText(e.currentTarget.value)}
                        error={jsonError}
                        styles={{ input: { fontFamily: 'ui-monospace, Menlo, Consolas, monospace' } }}
                        spellCheck={false}
                        data-testid="config-json"
                    />
                )}
                {mode === 'form' && jsonError ? (
                    <Text c="red.9" size="sm">
                        {jsonError}
                    </Text>
                ) : null}
            </Paper>
        </Stack>
    );
}

/** Whether the form shows an input for `path` (array items are shown by their array's input). */
function hasPath(root: unknown, path: string): boolean {
    const segs = path.replace(/\[\d+\]$/, '').split(/\.|\[|\]/).filter(Boolean);
    let cur: unknown = root;
    for (const s of segs) {
        if (cur === null || typeof cur !== 'object') return false;
        if (!(s in (cur as Record<string, unknown>))) return false;
        cur = (cur as Record<string, unknown>)[s];
    }
    return true;
}
