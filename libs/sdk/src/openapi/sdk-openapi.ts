import { z } from 'zod';
import { Accepted, Cancelled, Challenge, Pending, Problem, PublicToken, Rejected, SDK_OPERATIONS } from '@twofold/sdk-client';

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No content', 400: 'Invalid input (problem code validation_failed, pin_*, invalid_*, ...)',
  401: 'No credential, a wrong one, a revoked one (credential_revoked), or a missing/expired user assertion',
  403: 'The credential lacks the scope (scope_not_granted)', 404: 'Unknown user or token', 409: 'Already decided (approval_already_decided)',
  413: 'Body too large (payload_too_large)', 415: 'Body is not JSON (unsupported_media_type)',
  429: 'Rate limited per credential or per user (rate_limited); see Retry-After', 503: 'Not ready, or a write on a node that cannot write (master_unavailable)',
};

// JSON Schema 2020-12 for a set of named zod schemas, as OpenAPI 3.1 components.
function components(named: Map<string, z.ZodType>, io: 'input' | 'output'): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of named) registry.add(schema, { id });
  const out = z.toJSONSchema(registry, { io, target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Record<string, unknown>> };
  for (const schema of Object.values(out.schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  return out.schemas;
}

// The OpenAPI 3.1 document of /sdk/v1, generated from the contract (@twofold/sdk-client). Served
// at /sdk/v1/openapi.json and kept in docs/openapi/sdk-v1.json (a test keeps the two equal).
export function sdkOpenApiDocument(): Record<string, unknown> {
  const requests = new Map<string, z.ZodType>();
  // Named parts, so the unions read as lists of $refs.
  const responses = new Map<string, z.ZodType>([
    ['Problem', Problem], ['Challenge', Challenge], ['Pending', Pending], ['Accepted', Accepted], ['Rejected', Rejected], ['Cancelled', Cancelled], ['Token', PublicToken],
  ]);
  for (const op of SDK_OPERATIONS) {
    if (op.request) requests.set(op.request.name, op.request.schema);
    if (op.response.name && op.response.schema) responses.set(op.response.name, op.response.schema);
  }
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of SDK_OPERATIONS) {
    const parameters: unknown[] = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string', maxLength: 64 } }));
    if (op.userAssertion) {
      parameters.push({ name: 'X-User-Assertion', in: 'header', required: true, description: 'userAssertion from an accepted authentication by this credential', schema: { type: 'string' } });
    }
    const ok: Record<string, unknown> = { description: STATUS_TEXT[op.response.status] ?? 'OK' };
    if (op.response.name) {
      ok.content = { 'application/json': { schema: { $ref: `#/components/schemas/${op.response.name}` }, ...(op.response.example ? { example: op.response.example } : {}) } };
    } else if (op.operationId === 'getOpenApi') {
      ok.content = { 'application/json': { schema: { type: 'object' } } };
    }
    const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
    const errors = Object.fromEntries(op.errors.map((s) => [String(s), {
      description: STATUS_TEXT[s],
      ...(s === 429 ? { headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } } } : {}),
      content: problem,
    }]));
    paths[op.path] ??= {};
    paths[op.path][op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.scope ? { security: [{ clientCertificate: [] }, { bearerCredential: [] }], 'x-twofold-scope': op.scope } : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(op.request ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.request.name}` } } } } } : {}),
      responses: { [String(op.response.status)]: ok, ...errors },
    };
  }
  const requestSchemas = components(requests, 'input');
  const responseSchemas = components(responses, 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'Twofold SDK',
      version: '1',
      description: 'Second-factor authentication and self-service for applications (ADFS, portals). Every node answers every call; '
        + 'handles and user assertions are sealed with the cluster key. See docs/sdk.md.',
    },
    servers: [{ url: 'https://mfa.example.com:8443' }],
    paths,
    components: {
      schemas: { ...requestSchemas, ...responseSchemas },
      securitySchemes: {
        clientCertificate: { type: 'mutualTLS', description: 'A client certificate issued under the cluster CA and bound to an SDK credential (SHA-256 fingerprint)' },
        bearerCredential: { type: 'http', scheme: 'bearer', description: 'The SDK credential token: <credentialId>.<secret>' },
      },
    },
  };
}
