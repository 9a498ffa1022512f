// A form for any JSON document: objects become fieldsets, scalars inputs, arrays of scalars
// tag inputs, arrays of objects repeated fieldsets. Each input shows the server's field error
// for its path (errors[].field, `value.` stripped), so a 422 lands next to the field.

import { ActionIcon, Button, Fieldset, Group, NumberInput, PasswordInput, Stack, Switch, TagsInput, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useI18n } from '../i18n';
import { pathToString, type PathSeg } from '../lib/jsonPath';

export const MASK = '********';

interface Props {
    value: unknown;
    path: PathSeg[];
    errors: ReadonlyMap<string, string>;
    onChange: (path: PathSeg[], value: unknown) => void;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function label(path: PathSeg[]): string {
    const last = path[path.length - 1];
    return typeof last === 'number' ? `#${last + 1}` : String(last ?? '');
}

/** Errors at `path` or below it (for inputs that edit a whole array). */
function errorsUnder(errors: ReadonlyMap<string, string>, key: string): string | undefined {
    const own = errors.get(key);
    if (own) return own;
    for (const [k, v] of errors) {
        if (k.startsWith(`${key}[`)) return `${k}: ${v}`;
    }
    return undefined;
}

export function ConfigFields({ value, path, errors, onChange }: Props) {
    const { t } = useI18n();
    const key = pathToString(path);
    // The full path helps in nested documents; at the top level it would repeat the label.
    const common = { 'data-path': key, description: path.length > 1 ? key : undefined };

    if (isObject(value)) {
        const body = (
            <Stack gap="sm">
                {Object.entries(value).map(([k, v]) => (
                    <ConfigFields key={k} value={v} path={[...path, k]} errors={errors} onChange={onChange} />
                ))}
            </Stack>
        );
        return path.length === 0 ? body : <Fieldset legend={label(path)}>{body}</Fieldset>;
    }

    if (Array.isArray(value) && value.some(isObject)) {
        return (
            <Fieldset legend={label(path)}>
                <Stack gap="sm">
                    {value.map((item, i) => (
                        <Group key={i} align="flex-start" wrap="nowrap">
                            <div style={{ flex: 1 }}>
                                <ConfigFields value={item} path={[...path, i]} errors={errors} onChange={onChange} />
                            </div>
                            <ActionIcon
                                variant="subtle"
                                color="red"
                                aria-label={t('config.removeItem', { item: `${key}[${i}]` })}
                                onClick={() => onChange(path, value.filter((_, j) => j !== i))}
                            >
                                <IconTrash size={16} aria-hidden />
                            </ActionIcon>
                        </Group>
                    ))}
                    <Group>
                        <Button
                            size="xs"
                            variant="default"
                            leftSection={<IconPlus size={14} aria-hidden />}
                            onClick={() => onChange(path, [...value, structuredClone(value[value.length - 1])])}
                        >
                            {t('config.addItem')}
                        </Button>
                    </Group>
                </Stack>
            </Fieldset>
        );
    }

    if (Array.isArray(value)) {
        const numeric = value.length > 0 && value.every((v) => typeof v === 'number');
        return (
            <TagsInput
                {...common}
                label={label(path)}
                description={path.length > 1 ? `${key} · ${t('config.listHint')}` : t('config.listHint')}
                value={value.map((v) => String(v))}
                onChange={(items) => onChange(path, numeric ? items.map(Number) : items)}
                error={errorsUnder(errors, key)}
            />
        );
    }

    const error = errors.get(key);
    if (typeof value === 'boolean') {
        return <Switch {...common} label={label(path)} checked={value} onChange={(e) => onChange(path, e.currentTarget.checked)} error={error} />;
    }
    if (typeof value === 'number') {
        return (
            <NumberInput
                {...common}
                label={label(path)}
                value={value}
                onChange={(v) => onChange(path, typeof v === 'number' ? v : Number(v))}
                error={error}
                allowDecimal
            />
        );
    }
    if (value === MASK) {
        return (
            <PasswordInput
                {...common}
                label={label(path)}
                description={path.length > 1 ? `${key} · ${t('config.secretHint')}` : t('config.secretHint')}
                value={value}
                onChange={(e) => onChange(path, e.currentTarget.value)}
                error={error}
                autoComplete="off"
            />
        );
    }
    return (
        <TextInput
            {...common}
            label={label(path)}
            value={value === null || value === undefined ? '' : String(value)}
            placeholder={value === null ? t('config.nullHint') : undefined}
            onChange={(e) => onChange(path, value === null && e.currentTarget.value === '' ? null : e.currentTarget.value)}
            error={error}
        />
    );
}
