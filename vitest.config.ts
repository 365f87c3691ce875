// Two projects: fast unit tests beside the code, and integration tests that drive real Docker containers one file at a time.
import {fileURLToPath} from 'node:url'
import {defineConfig} from 'vitest/config'

// First-party plugins import the kit by its published name; in unit tests it resolves to the sources, no build needed.
const pluginKit = fileURLToPath(new URL('./src/plugin-kit/index.ts', import.meta.url))

export default defineConfig({
  test: {
    projects: [
      {
        resolve: {alias: {'sandboxed-agent/plugin': pluginKit}},
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'plugins/*/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          // Integration files share one Docker daemon and the built CLI; run them one after another.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
          env: {TESTCONTAINERS_RYUK_DISABLED: 'true'},
        },
      },
    ],
  },
})
