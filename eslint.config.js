import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/**
 * Workflow code must be deterministic: no Node built-ins, no I/O libraries, nothing from the
 * API, database or activity layers except as types. The rule below catches a mistake at lint
 * time instead of as a non-determinism error in production.
 */
const workflowImportRestrictions = {
  paths: builtinModules.map((name) => ({ name, message: 'Node built-ins are not allowed in workflow code' })),
  patterns: [
    { group: ['node:*'], message: 'Node built-ins are not allowed in workflow code' },
    {
      group: ['**/db', '**/db/*', '**/api/*', '**/api', '**/email', '**/email/*', '**/temporal/*', '**/config', '**/config/*'],
      message: 'workflow code may import only workflows/ and domain/ modules',
    },
    {
      group: ['**/activities', '**/activities/*'],
      allowTypeImports: true,
      message: 'import activities as types only, through proxyActivities',
    },
    {
      group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', 'postgres', 'drizzle-orm', 'drizzle-orm/*', 'fastify', 'resend', '@electric-sql/*'],
      message: 'I/O libraries are not allowed in workflow code',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.npsflow/', '.tools/', 'db/migrations/', 'scratch/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { console: 'readonly', process: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    // A promise nobody awaits or catches fails silently (or kills the process): type-aware check.
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: {
      parserOptions: {
        // The probe files tests/unit/workflow-lint.test.ts lints from memory are in no tsconfig.
        projectService: { allowDefaultProject: ['workflows/probe.ts', 'domain/probe.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    // The admin UI: plain ES modules that run in the browser as written.
    files: ['api/admin-ui/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        ['window', 'document', 'navigator', 'location', 'history', 'sessionStorage', 'localStorage', 'fetch', 'URLSearchParams', 'Event', 'DOMParser', 'setTimeout', 'clearTimeout'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
  },
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', workflowImportRestrictions] },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...workflowImportRestrictions,
          patterns: [
            ...workflowImportRestrictions.patterns,
            { group: ['**/workflows', '**/workflows/*'], message: 'domain/ is the pure core: it imports nothing of the app' },
          ],
        },
      ],
    },
  },
);
