import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Unit tests of the app's own logic (formatters, navigation, i18n, coverage of the admin API).
export default defineConfig({
    resolve: {
        alias: { '@helium/sdk': fileURLToPath(new URL('../sdks/typescript/src/index.ts', import.meta.url)) },
    },
    test: {
        include: ['test/**/*.test.ts'],
        environment: 'node',
    },
});
