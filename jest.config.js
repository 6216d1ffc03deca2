/* Five tiers, selected with --selectProjects: unit (beside the code), integration (real MongoDB-compatible
 * server, RabbitMQ, Redis), e2e (every service as a real process, driven through the gateway and the broker),
 * faults (the short form of the fault-injection suite: its own infrastructure, each part killed under load),
 * fuzz (the short form of the fuzzer: hostile requests to every route of the OpenAPI document), browser (the web
 * console in Debian's Chromium, driven by playwright-core, against the whole system as real processes). */
const fs = require('node:fs');
const path = require('node:path');

const swc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swc.$schema;

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    // A second entry point of one library (its Node build); listed first, as the first matching pattern wins.
    '^@wellifiy/messaging-client/node$': '<rootDir>/libs/messaging-client/src/node.ts',
    '^@wellifiy/(.*)$': '<rootDir>/libs/$1/src/index.ts',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  watchPathIgnorePatterns: ['/.data/', '/.tools/'],
};

module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools,bench,fuzz,faults}/**/*.spec.ts'],
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/libs/testing/src/jest-timeout-30s.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/e2e/support/global-setup.ts',
      globalTeardown: '<rootDir>/e2e/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/e2e/support/jest-timeout-60s.ts'],
    },
    {
      ...base,
      displayName: 'faults',
      testMatch: ['<rootDir>/faults/**/*.faults-spec.ts'],
    },
    {
      ...base,
      displayName: 'fuzz',
      testMatch: ['<rootDir>/fuzz/**/*.fuzz-spec.ts'],
    },
    {
      ...base,
      displayName: 'browser',
      testMatch: ['<rootDir>/browser/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/e2e/support/global-setup.ts',
      globalTeardown: '<rootDir>/e2e/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/browser/support/jest-timeout.ts'],
    },
  ],
};
