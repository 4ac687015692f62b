import { request } from 'node:https';

export interface JsonResponse<T = any> { status: number; headers: Record<string, string | string[] | undefined>; body: T; text: string }

// A small HTTPS JSON client for tests: trusts the cluster CA, never a global agent.
export function httpsJson<T = any>(
  method: string,
  url: string,
  opts: { ca?: string | Buffer; token?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string>; cert?: string; key?: string; localAddress?: string; servername?: string } = {},
): Promise<JsonResponse<T>> {
  return new Promise((resolve, reject) => {
    const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
    if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = request(url, { method, headers, ca: opts.ca, cert: opts.cert, key: opts.key, localAddress: opts.localAddress, servername: opts.servername, agent: false, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body as T, text });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
