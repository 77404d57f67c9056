// Lint: type-aware rules (floating promises), the workflow sandbox rule (no Node builtins in workflows/
// or domain/: workflow code must be deterministic and runs in an isolated V8 context), and the folder
// boundaries of docs/architecture.md (eslint-plugin-boundaries).
const tseslint = require('typescript-eslint');
const boundaries = require('eslint-plugin-boundaries');

const nodeBuiltins = [
  'fs',
  'path',
  'http',
  'https',
  'net',
  'dns',
  'tls',
  'child_process',
  'os',
  'crypto',
  'worker_threads',
  'timers',
  'timers/promises',
  'stream',
  'url',
  'util',
  'zlib',
  'events',
  'process',
  'cluster',
  'readline',
  'v8',
  'vm',
];
const banned = nodeBuiltins
  .flatMap((m) => [m, `node:${m}`])
  .map((name) => ({ name, message: 'Node builtins are not allowed in workflow/domain code (determinism, sandbox).' }));

module.exports = tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.temporal/**',
      '.data/**',
      '.venv-schemathesis/**',
      '.venv-route-client/**',
      'bin/**',
      'jest.config.js',
      'eslint.config.js',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: banned,
          patterns: [
            {
              group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
              message: 'workflow/domain code may not import Temporal client/worker/activity packages',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'no process in workflow/domain code' },
        { name: 'setTimeout', message: 'use workflow sleep() in workflows' },
      ],
    },
  },
  {
    // The layering: domain/ below everything; workflows/ on domain/ and the *types* of activities/ only
    // (the workflow bundle must not pull in I/O code); api/ and cli/ never reach into activities/;
    // render/, channels/ and publishers/ stay below activities/ (config/ and api/ load them).
    files: ['**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
      'boundaries/elements': [
        'domain',
        'workflows',
        'activities',
        'channels',
        'publishers',
        'render',
        'api',
        'cli',
        'client',
        'config',
        'store',
        'status',
        'metrics',
        'worker',
        'sim',
        'bench',
        'test',
      ].map((type) => ({ type, pattern: type })),
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          policies: [
            {
              from: { element: { type: 'domain' } },
              disallow: { to: { element: { type: '!domain' } } },
              message: 'domain/ imports only domain/',
            },
            {
              from: { element: { type: 'workflows' } },
              disallow: { to: { element: { type: '!{domain,workflows,activities}' } } },
              message: 'workflows/ import only domain/, workflows/ and activity types',
            },
            {
              from: { element: { type: 'workflows' } },
              disallow: { to: { element: { type: 'activities' } }, dependency: { kind: 'value' } },
              message: 'workflows/ may import activities/ only with `import type`',
            },
            {
              from: { element: { type: '{api,cli}' } },
              disallow: { to: { element: { type: 'activities' } } },
              message: 'api/ and cli/ never import activities/',
            },
            {
              from: { element: { type: 'render' } },
              disallow: { to: { element: { type: '!{render,domain}' } } },
              message: 'render/ imports only render/ and domain/',
            },
            // Channels and route targets are loaded by config/ and api/: they may not pull activity code in.
            {
              from: { element: { type: '{channels,publishers}' } },
              disallow: { to: { element: { type: '{activities,workflows}' } }, dependency: { kind: 'value' } },
              message: 'channels/ and publishers/ may import activities/ and workflows/ only with `import type`',
            },
            {
              from: { element: { type: '{channels,publishers}' } },
              disallow: { to: { element: { type: '{api,cli,worker,client}' } } },
              message: 'channels/ and publishers/ do not import api/, cli/, worker/ or client/',
            },
          ],
        },
      ],
    },
  },
  {
    // The route client is its own package: it may not reach into the service's code.
    files: ['clients/typescript/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../../*'], message: 'clients/typescript depends on nothing of the service' }] },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'clients/typescript/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
