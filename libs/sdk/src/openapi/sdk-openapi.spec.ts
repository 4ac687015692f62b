import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { SDK_OPERATIONS } from '@twofold/sdk-client';
import { SDK_CONTROLLERS } from '../sdk.module';
import { SDK_SCOPE_KEY } from '../auth/sdk-principal';
import { sdkOpenApiDocument } from './sdk-openapi';

const DOC_PATH = join(__dirname, '../../../../docs/openapi/sdk-v1.json');

// Every route the controllers declare, as "METHOD /path/{param}" with the scope it requires.
function declaredRoutes(): Map<string, string | null> {
  const routes = new Map<string, string | null>();
  for (const controller of SDK_CONTROLLERS) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as unknown as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) continue;
      const full = `/${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(/:(\w+)/g, '{$1}');
      routes.set(`${RequestMethod[method]} ${full}`, (Reflect.getMetadata(SDK_SCOPE_KEY, handler) as string | undefined) ?? null);
    }
  }
  return routes;
}

describe('SDK OpenAPI document', () => {
  it('lists exactly the routes the controllers serve, each with the scope the guard enforces', () => {
    const documented = new Map(SDK_OPERATIONS.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op.scope]));
    expect([...declaredRoutes().entries()].sort()).toEqual([...documented.entries()].sort());
    const doc = sdkOpenApiDocument() as { paths: Record<string, Record<string, { 'x-twofold-scope'?: string }>> };
    const inDoc = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) => [`${m.toUpperCase()} ${path}`, op['x-twofold-scope'] ?? null]));
    expect(inDoc.sort()).toEqual([...documented.entries()].sort());
  });

  it('is the document kept in docs/openapi/sdk-v1.json (UPDATE_OPENAPI=1 rewrites it)', () => {
    const generated = JSON.stringify(sdkOpenApiDocument(), null, 2) + '\n';
    if (process.env.UPDATE_OPENAPI === '1') writeFileSync(DOC_PATH, generated);
    expect(JSON.parse(readFileSync(DOC_PATH, 'utf8'))).toEqual(JSON.parse(generated));
  });

  it('has examples that satisfy their own response schemas, and every $ref resolves', () => {
    for (const op of SDK_OPERATIONS) {
      if (op.response.example === undefined) continue;
      const checked = op.response.schema!.safeParse(op.response.example);
      expect({ op: op.operationId, issues: checked.success ? [] : checked.error.issues }).toEqual({ op: op.operationId, issues: [] });
    }
    const doc = sdkOpenApiDocument() as { components: { schemas: Record<string, unknown> } };
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty(ref);
  });
});
