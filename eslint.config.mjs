import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Which way imports run (../shared/DESIGN.md, "Libraries"): apps -> protocol libs -> commands ->
// mfa, read-model, event-store -> domain; platform and sdk-client sit beside the stack. Each
// library lists what it MAY import; everything else from @twofold/* (or a relative path into
// another lib or app) fails `npm run lint`. test/lint/import-boundaries.e2e-spec.ts proves it.
const LIBS = ['domain', 'event-store', 'mfa', 'read-model', 'commands', 'radius', 'sdk', 'replication', 'kafka', 'directory', 'platform', 'sdk-client'];
const APPS = ['server', 'cli', 'portal', 'device'];
const CORE = ['domain', 'event-store', 'mfa', 'read-model', 'commands', 'platform'];
const MAY_IMPORT = {
  domain: [],
  'event-store': ['domain', 'platform'],
  mfa: ['domain', 'platform'],
  'read-model': ['domain', 'event-store', 'platform'],
  commands: ['domain', 'event-store', 'mfa', 'read-model', 'platform'],
  // Protocol and integration adapters: never one another.
  radius: CORE,
  sdk: [...CORE, 'sdk-client'], // the SDK serves the wire types its client defines
  replication: CORE,
  kafka: CORE,
  directory: CORE,
  platform: ['domain'],
  'sdk-client': [], // the portal's only way in: nothing of the server stack
};

// The domain imports nothing from a framework, storage, the network, the file system or processes.
const NODE_IO = ['net', 'dgram', 'http', 'https', 'http2', 'tls', 'dns', 'fs', 'fs/promises', 'child_process', 'cluster', 'worker_threads', 'os', 'perf_hooks', 'timers', 'timers/promises'];
const DOMAIN_PACKAGES = ['@nestjs/*', 'typeorm', 'typeorm/*', 'pg', 'better-sqlite3', 'express', 'pino', 'ldapts', 'kafkajs', 'radius', 'prom-client', 'commander', 'node-forge', 'rxjs'];

const libTarget = (lib) => [`@twofold/${lib}`, `@twofold/${lib}/**`, `**/libs/${lib}/**`, `**/${lib}/src`, `**/${lib}/src/**`];
const appTarget = (app) => [`**/apps/${app}/**`, `**/${app}/src`, `**/${app}/src/**`];
const anyApp = { group: APPS.flatMap(appTarget), message: 'A library never imports an app.' };

function layerRules() {
  const libBlocks = LIBS.map((lib) => {
    const refused = LIBS.filter((other) => other !== lib && !MAY_IMPORT[lib].includes(other));
    const allowed = MAY_IMPORT[lib].length ? MAY_IMPORT[lib].join(', ') : 'no other library';
    const patterns = [anyApp];
    if (refused.length) patterns.push({ group: refused.flatMap(libTarget), message: `libs/${lib} may import ${allowed} (DESIGN.md layers).` });
    const paths = lib === 'domain'
      ? NODE_IO.flatMap((m) => [m, `node:${m}`]).map((name) => ({ name, message: 'The domain stays pure: no network, files or processes.' }))
      : [];
    if (lib === 'domain') patterns.push({ group: DOMAIN_PACKAGES, message: 'The domain stays pure: no framework, storage or network.' });
    return { files: [`libs/${lib}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { paths, patterns }] } };
  });
  // A domain spec may read its fixtures from disk (the code it tests still may not).
  const domainSpecs = { files: ['libs/domain/**/*.spec.ts'], rules: { 'no-restricted-imports': ['error', { patterns: libBlocks[0].rules['no-restricted-imports'][1].patterns }] } };
  const appBlocks = APPS.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: APPS.filter((a) => a !== app).flatMap(appTarget), message: 'An app never imports another app.' }] }] },
  }));
  return [...libBlocks, domainSpecs, ...appBlocks];
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Test helpers hand back loosely typed JSON from real servers.
    files: ['test/**/*.ts', '**/*.spec.ts', '**/*.e2e-spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  ...layerRules(),
  {
    // The domain stays pure: no clock (time is passed in).
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'The domain takes time as an argument.' }, { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The domain takes time as an argument.' }],
    },
  },
);
