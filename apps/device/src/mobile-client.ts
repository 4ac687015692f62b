import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, TLSSocket } from 'node:tls';

export interface MobileTrust { ca?: string; fingerprint?: string }
export interface MobileResponse { status: number; body: Record<string, unknown> }

export class MobileServiceError extends Error {
  constructor(readonly status: number, readonly code: string, detail: string) {
    super(`${status} ${code}: ${detail}`);
  }
}

// JSON over HTTPS to the Mobile App Web Service. The service's certificate is checked against a
// CA file, or pinned by its SHA-256 fingerprint (a portal's self-signed certificate) before
// anything is sent.
export async function mobileCall(base: string, method: string, path: string, trust: MobileTrust, opts: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<MobileResponse> {
  const url = new URL(`${base.replace(/\/+$/, '')}${path}`);
  if (url.protocol !== 'https:') throw new Error(`the service must be an https URL (got ${url.protocol})`);
  const socket = await secureSocket(url, trust, opts.timeoutMs ?? 40_000);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      method, path: `${url.pathname}${url.search}`, host: url.hostname, createConnection: () => socket, timeout: opts.timeoutMs ?? 40_000,
      headers: { accept: 'application/json', ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}), ...(opts.headers ?? {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        socket.destroy();
        let body: Record<string, unknown> = {};
        try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>; } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

function secureSocket(url: URL, trust: MobileTrust, timeoutMs: number): Promise<TLSSocket> {
  const pinned = trust.fingerprint?.replace(/:/g, '').toLowerCase();
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: url.hostname, port: Number(url.port || 443), servername: /^[0-9.]+$/.test(url.hostname) ? undefined : url.hostname,
      ...(trust.ca ? { ca: readFileSync(trust.ca, 'utf8') } : {}),
      // A pinned certificate is checked below, by its fingerprint, instead of by a CA.
      rejectUnauthorized: !pinned, ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => socket.destroy(new Error('TLS connection timed out')), timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      if (pinned) {
        const raw = socket.getPeerCertificate().raw;
        const seen = raw ? createHash('sha256').update(raw).digest('hex') : '';
        if (seen !== pinned) {
          socket.destroy();
          return reject(new Error(`the service's certificate (SHA-256 ${seen}) is not the pinned one`));
        }
      }
      resolve(socket);
    });
    socket.once('error', (err) => { clearTimeout(timer); reject(err); });
  });
}
