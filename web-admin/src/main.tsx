import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './app.css';

import { MantineProvider, createTheme } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { asProblem } from './api/errors';
import { I18nProvider, initialLang, loadLang } from './i18n';
import { warmUp } from './prefetch';
import { router } from './routes';

// Shade 8/9 of every colour keeps text on filled and light backgrounds above WCAG AA contrast.
const theme = createTheme({
    primaryColor: 'blue',
    primaryShade: { light: 8, dark: 6 },
    fontFamily:
        '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif',
    focusRing: 'auto',
    respectReducedMotion: true,
    defaultRadius: 'sm',
});

const queryClient = new QueryClient({
    defaultOptions: {
        queries: {
            staleTime: 15_000,
            refetchOnWindowFocus: false,
            // 4xx answers are final (403, 404, 422…); retry only what may pass on a second try.
            retry: (count, error) => {
                const status = asProblem(error)?.status ?? 0;
                return count < 2 && (status === 0 || status >= 500 || status === 429);
            },
        },
    },
});

warmUp(queryClient);

function render(root: HTMLElement) {
    createRoot(root).render(
        <StrictMode>
            <MantineProvider theme={theme} defaultColorScheme="light">
                <Notifications position="bottom-right" />
                <QueryClientProvider client={queryClient}>
                    <I18nProvider>
                        <RouterProvider router={router} />
                    </I18nProvider>
                </QueryClientProvider>
            </MantineProvider>
        </StrictMode>,
    );
}

// The chosen language's dictionary first (Chinese is a chunk of its own, fetched alongside the
// warm-up requests); without it the app starts in English. Not a top-level await: that would
// make the bundler split the app shell into many chunks.
const root = document.getElementById('root');
if (root) {
    void loadLang(initialLang())
        .catch(() => undefined)
        .then(() => render(root));
}
