import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const sdk = fileURLToPath(new URL('../sdks/typescript/src/index.ts', import.meta.url));

// The app is served by helium at /admin/ (api/src/http/admin_spa.rs). `npm run dev` proxies the
// API to HELIUM_URL (default http://127.0.0.1:8000, the `api` mode's default listener).
export default defineConfig({
    base: '/admin/',
    plugins: [react()],
    resolve: {
        alias: { '@helium/sdk': sdk },
    },
    build: {
        outDir: 'dist',
        emptyOutDir: true,
        sourcemap: false,
        target: 'es2022',
        assetsInlineLimit: 0,
        chunkSizeWarningLimit: 800,
        modulePreload: { polyfill: false },
    },
    server: {
        port: 5173,
        proxy: {
            '/api': process.env.HELIUM_URL ?? 'http://127.0.0.1:8000',
        },
    },
});
