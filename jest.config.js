// Unit specs live next to the code; e2e specs under test/ start real processes.
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
}];
const moduleNameMapper = { '^@twofold/(.*)$': '<rootDir>/libs/$1/src' };
const common = { testEnvironment: 'node', transform: { '^.+\\.ts$': swc }, moduleNameMapper, rootDir: __dirname };
module.exports = {
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/support/pg-global-setup.js',
  globalTeardown: '<rootDir>/test/support/pg-global-teardown.js',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
