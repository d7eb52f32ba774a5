/** Jest runs TypeScript through swc, on Node 24 with --experimental-vm-modules (see README). */
const swcConfig = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2023',
    keepClassNames: true,
  },
  // import() stays a dynamic import, so ESM-only packages (pg-boss) load as they do in production.
  module: { type: 'commonjs', ignoreDynamic: true },
  sourceMaps: 'inline',
};

// *.services.e2e-spec.ts need the real local servers (PostgreSQL, Redis) and run when DATABASE_URL
// names a PostgreSQL server; CI runs the suite both ways, so they always run there.
const servicesOnly = process.env.DATABASE_URL ? [] : ['\\.services\\.e2e-spec\\.ts$'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/migrations'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...servicesOnly],
  transform: { '^.+\\.ts$': ['@swc/jest', swcConfig] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  // Each test file leaves its modules behind in the worker (the heap grew to 1.1 GB by the end of a run,
  // and garbage collection took a fifth of the suite's CPU): a worker past this size after a file is
  // replaced by a fresh one (measured: the PGlite pass 145-154 s -> 135 s).
  workerIdleMemoryLimit: '512MB',
  // A deadline that only stops a hang: tests assert behaviour, never speed, and a loaded 2-core machine
  // can take a minute to start, seed and close a few apps.
  testTimeout: 120_000,
  forceExit: false,
};
