import { request } from 'node:https';

export interface PortalResponse { status: number; headers: Record<string, string | string[] | undefined>; body: string; cookie?: string }

// Plain HTTPS requests to a portal, as a script or an attacker would send them (no browser). The
// portal's certificate is the self-signed one it made for the test.
export function portalRequest(url: string, opts: { method?: string; cookie?: string; form?: Record<string, string>; rawBody?: string; contentType?: string } = {}): Promise<PortalResponse> {
  const body = opts.rawBody ?? (opts.form ? new URLSearchParams(opts.form).toString() : undefined);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: opts.method ?? (body !== undefined ? 'POST' : 'GET'), rejectUnauthorized: false,
      headers: {
        ...(opts.cookie ? { cookie: `__Host-twofold-portal=${opts.cookie}` } : {}),
        ...(body !== undefined ? { 'content-type': opts.contentType ?? 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
        const cookie = set.map((c) => /^__Host-twofold-portal=([^;]*)/.exec(c)?.[1]).find((c) => c !== undefined);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ...(cookie !== undefined ? { cookie } : {}) });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
export const alertOf = (html: string) => /role="alert"[^>]*>([^<]*)</.exec(html)?.[1] ?? '';

// A scripted sign-in; returns the signed-in cookie and the CSRF token that goes with it.
export async function signInOverHttp(base: string, username: string, password: string, code: string): Promise<{ cookie: string; csrf: string; before: { cookie: string; csrf: string } }> {
  const first = await portalRequest(`${base}/sign-in`);
  const before = { cookie: first.cookie!, csrf: csrfOf(first.body) };
  const started = await portalRequest(`${base}/sign-in`, { cookie: before.cookie, form: { csrf: before.csrf, username, password } });
  if (started.status !== 303) throw new Error(`sign-in: ${started.status} ${alertOf(started.body)}`);
  const answered = await portalRequest(`${base}/sign-in/code`, { cookie: started.cookie, form: { csrf: before.csrf, code } });
  if (answered.status !== 303 || !answered.cookie) throw new Error(`code: ${answered.status} ${alertOf(answered.body)}`);
  const account = await portalRequest(`${base}/account`, { cookie: answered.cookie });
  return { cookie: answered.cookie, csrf: csrfOf(account.body), before };
}
