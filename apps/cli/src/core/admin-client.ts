import { Agent, request } from 'node:https';
import { CliError } from './cli-error';
import { ExitCode, exitCodeForStatus } from './exit-codes';

export interface AdminClientOptions {
  url: string;
  token?: string;
  ca?: Array<string | Buffer>;
  timeoutMs?: number;
}

export interface ApiResponse<T> { status: number; headers: Record<string, string | string[] | undefined>; body: T }

interface Problem { code?: string; detail?: string; title?: string; field?: string }

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE']);

// The admin API over HTTPS, trusting the cluster CA. API errors become CliErrors with the
// server's stable code; the token never appears in an error message.
export class AdminClient {
  private readonly base: URL;
  private readonly agent: Agent;

  constructor(private readonly opts: AdminClientOptions) {
    try {
      this.base = new URL(opts.url);
    } catch {
      throw CliError.usage(`--url "${opts.url.slice(0, 200)}" is not a URL like https://127.0.0.1:8443`, 'url');
    }
    if (this.base.protocol !== 'https:') throw CliError.usage('--url must be an https:// URL (the admin API only speaks HTTPS)', 'url');
    this.agent = new Agent({ keepAlive: true, maxSockets: 4, ca: opts.ca });
  }

  close(): void {
    this.agent.destroy();
  }

  async get<T>(path: string): Promise<T> {
    return (await this.request<T>('GET', path)).body;
  }

  async send<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return (await this.request<T>(method, path, body, headers)).body;
  }

  request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<ApiResponse<T>> {
    if (!this.opts.token) {
      return Promise.reject(new CliError('unauthenticated', 'no administrator token: set TWOFOLD_ADMIN_TOKEN, or pass --token - and give it on standard input', ExitCode.Unauthenticated));
    }
    const url = new URL(path.replace(/^\//, ''), this.base.href.endsWith('/') ? this.base.href : `${this.base.href}/`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.opts.token}`, ...extraHeaders };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.agent, timeout: this.opts.timeoutMs ?? 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(this.networkError(err)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = undefined;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status >= 400) return reject(problemError(status, parsed as Problem | undefined));
          resolve({ status, headers: res.headers, body: parsed as T });
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => reject(this.networkError(err)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  private networkError(err: Error & { code?: string }): CliError {
    const code = err.code ?? '';
    if (UNREACHABLE.has(code)) return new CliError('server_unreachable', `cannot reach ${this.base.origin} (${code})`, ExitCode.Unavailable);
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|TLS|SSL/i.test(code)) {
      return new CliError('tls_error', `cannot verify ${this.base.origin} (${code}): pass the CA that issued its certificate (the cluster CA, or the enterprise CA when the node serves one) with --ca or TWOFOLD_CA_FILE`, ExitCode.Unavailable);
    }
    return new CliError('server_unreachable', `request to ${this.base.origin} failed (${code || err.message})`, ExitCode.Unavailable);
  }
}

function problemError(status: number, problem: Problem | undefined): CliError {
  const code = typeof problem?.code === 'string' ? problem.code : `http_${status}`;
  const detail = typeof problem?.detail === 'string' ? problem.detail : `the server answered HTTP ${status}`;
  const exit = exitCodeForStatus(status); // the server's status comes from the one error table
  return new CliError(code, detail, exit, typeof problem?.field === 'string' ? problem.field : undefined);
}

export const seg = (ref: string) => encodeURIComponent(ref);
