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

// The folder layering (docs/architecture.md): [from, the folders it may not import, why; a 4th entry 'value'
// bans only value imports, so `import type` stays allowed].
const LAYERING = [
  ['domain', '!domain', 'domain/ imports only domain/'],
  ['workflows', '!{domain,workflows,activities}', 'workflows/ import only domain/, workflows/ and activity types'],
  ['workflows', 'activities', 'workflows/ may import activities/ only with `import type`', 'value'],
  ['{api,cli}', 'activities', 'api/ and cli/ never import activities/'],
  ['render', '!{render,domain}', 'render/ imports only render/ and domain/'],
  [
    'temporal-server',
    '!temporal-server',
    'temporal-server/ (getting and running a Temporal server) imports only itself',
  ],
  // Channels and route targets are loaded by config/ and api/: they may not pull activity code in.
  [
    '{channels,publishers}',
    '{activities,workflows}',
    'channels/ and publishers/ take activities/ and workflows/ as types only',
    'value',
  ],
  [
    '{channels,publishers}',
    '{api,cli,worker,client}',
    'channels/ and publishers/ do not import api/, cli/, worker/ or client/',
  ],
];

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
        'temporal-server',
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
          policies: LAYERING.map(([from, to, message, kind]) => ({
            from: { element: { type: from } },
            disallow: { to: { element: { type: to } }, ...(kind ? { dependency: { kind } } : {}) },
            message,
          })),
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
