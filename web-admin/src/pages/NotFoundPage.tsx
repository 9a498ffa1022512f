import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useI18n } from '../i18n';

export default function NotFoundPage() {
    const { t } = useI18n();
    return (
        <Center py="xl">
            <Stack align="center">
                <Title order={1} size="h2">
                    {t('notFound.title')}
                </Title>
                <Text>{t('notFound.body')}</Text>
                <Button component={Link} to="/">
                    {t('notFound.home')}
                </Button>
            </Stack>
        </Center>
    );
}
