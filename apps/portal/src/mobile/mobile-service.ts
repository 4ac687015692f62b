import type { IncomingMessage, ServerResponse } from 'node:http';
import { SdkApiError } from '@twofold/sdk-client';
import type { SdkPool } from '../sdk/sdk-pool';
import { mediaType, readBody, SECURITY_HEADERS } from '../http/http-kit';

// The Mobile App Web Service: JSON under /mobile/v1, one to one with the SDK's device routes,
// forwarded with the portal's SDK credential (failing over like every portal call). No cookies
// and no CSRF: a device proves itself by signing with its key, which the servers check.
export const MOBILE_PREFIX = '/mobile/v1/';
const MAX_JSON_BYTES = 8192;
const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;

type Logger = { warn(details: Record<string, unknown>, message: string): void };

class MobileInputError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export class MobileService {
  constructor(private readonly sdk: SdkPool, private readonly logger: Logger) {}

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      const [status, body] = await this.route(req, path.slice(MOBILE_PREFIX.length).split('/'), new URL(req.url ?? '/', 'https://portal').searchParams);
      json(res, status, body);
    } catch (err) {
      if (err instanceof SdkApiError) return json(res, err.status, { ...err.problem, status: err.status, code: err.code });
      if (err instanceof MobileInputError) return json(res, err.status, problem(err.status, err.code, err.message));
      const code = (err as NodeJS.ErrnoException).code;
      this.logger.warn({ code: typeof code === 'string' ? code : 'error' }, 'mobile request could not reach the servers');
      json(res, 503, problem(503, 'authentication_unavailable', 'no server answered; try again'));
    }
  }

  private async route(req: IncomingMessage, parts: string[], query: URLSearchParams): Promise<[number, unknown]> {
    const method = req.method ?? 'GET';
    if (method === 'POST' && parts.length === 1 && parts[0] === 'activations') {
      const body = await readJson(req);
      return [201, await this.sdk.call((c) => c.activateDevice(body as never), { write: true })];
    }
    if (parts.length >= 3 && parts[0] === 'devices' && parts[2] === 'approvals') {
      const deviceId = parts[1];
      if (!DEVICE_ID.test(deviceId)) throw new MobileInputError(400, 'validation_failed', 'deviceId: must be a device id');
      if (method === 'GET' && parts.length === 3) {
        const wait = query.get('wait') ?? '0';
        if (!/^[0-9]{1,2}$/.test(wait) || Number(wait) > 30) throw new MobileInputError(400, 'validation_failed', 'wait: must be a whole number of seconds from 0 to 30');
        const time = header(req, 'x-device-time', 16);
        const signature = header(req, 'x-device-signature', 200);
        return [200, await this.sdk.call((c) => c.pollDeviceApprovals(deviceId, { time: Number(time), signature }, Number(wait)))];
      }
      if (method === 'POST' && parts.length === 4 && parts[3] === 'answer') {
        const body = await readJson(req);
        // With the master down, only the node holding the sign-in takes the answer: each node is tried.
        return [200, await this.sdk.call((c) => c.answerDeviceApproval(deviceId, body as never), { write: true, heldByOneNode: true })];
      }
    }
    throw new MobileInputError(404, 'not_found', 'no such mobile service route');
  }
}

function header(req: IncomingMessage, name: string, max: number): string {
  const value = req.headers[name];
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw new MobileInputError(401, 'signature_invalid', `${name}: missing or too long`);
  return value;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (mediaType(req) !== 'application/json') throw new MobileInputError(415, 'unsupported_media_type', 'send application/json');
  const raw = await readBody(req, MAX_JSON_BYTES);
  if (raw === null) throw new MobileInputError(413, 'payload_too_large', `the body must be at most ${MAX_JSON_BYTES} bytes`);
  try {
    const body: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    return body;
  } catch {
    throw new MobileInputError(400, 'invalid_json', 'the body must be a JSON object');
  }
}

function problem(status: number, code: string, detail: string): Record<string, unknown> {
  return { type: `urn:twofold:error:${code}`, title: code, status, code, detail };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': `${type}; charset=utf-8` });
  res.end(JSON.stringify(body));
}
