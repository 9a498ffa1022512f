// The frame of the signed-out pages (sign-in, setup link, invitation): a centred card.

import { Box, Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n';
import { LanguageSwitch } from './bits';

export function AuthFrame({ title, subtitle, children }: { title: string; subtitle?: string; children: ReactNode }) {
    const { t } = useI18n();
    return (
        <Box component="main" mih="100vh" bg="gray.0" py={48} px="md">
            <Center>
                <Stack w="100%" maw={420} gap="md">
                    <Group justify="space-between">
                        <Text fw={700} size="lg">
                            {t('app.name')}
                        </Text>
                        <LanguageSwitch />
                    </Group>
                    <Paper withBorder shadow="sm" p="xl" radius="md">
                        <Stack gap="md">
                            <div>
                                <Title order={1} size="h3">
                                    {title}
                                </Title>
                                {subtitle ? (
                                    <Text size="sm" mt={4}>
                                        {subtitle}
                                    </Text>
                                ) : null}
                            </div>
                            {children}
                        </Stack>
                    </Paper>
                </Stack>
            </Center>
        </Box>
    );
}
