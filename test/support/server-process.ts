import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { freePort } from './ports';
import { httpsJson, JsonResponse } from './https-json';

// From test/support, or from dist/test/support when a benchmark runs compiled.
const above = resolve(__dirname, '../..');
export const REPO_ROOT = basename(above) === 'dist' ? resolve(above, '..') : above;
export const SERVER_MAIN = join(REPO_ROOT, 'dist/apps/server/src/main.js');
// The node options a server runs with (package.json's start scripts, the Dockerfile): a young
// generation big enough for a batch of sign-ins or replicated records (see the Dockerfile).
export const SERVER_NODE_OPTIONS = ['--max-semi-space-size=32'];

export interface ServerOptions {
  dataDir?: string;
  env?: Record<string, string>;
  httpPort?: number;
  radiusPort?: number;
  acctPort?: number;
  replicationPort?: number;
  adminToken?: string;        // known from an earlier start of the same data dir
  host?: string;              // address to bind, advertise and reach it by (default 127.0.0.1)
  startTimeoutMs?: number;
  prefix?: string[];          // run under this command, e.g. ['ip', 'netns', 'exec', 'ns1']
}

// A real server process on loopback, as an administrator would start it (built dist/ code).
export class ServerProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  adminToken = '';
  // Set when the HTTPS port serves a certificate from another CA (enterprise PKI).
  httpsCa?: string;
  private exited?: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly dataDir: string,
    readonly httpPort: number,
    readonly radiusPort: number,
    readonly acctPort: number,
    readonly replicationPort: number,
    readonly host = '127.0.0.1',
  ) {}

  get url(): string {
    return `https://${this.host}:${this.httpPort}`;
  }

  get ca(): string {
    return readFileSync(join(this.dataDir, 'tls/ca.pem'), 'utf8');
  }

  // Every JSON log line the server wrote to stdout.
  logLines(): Record<string, unknown>[] {
    return this.stdout.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  }

  static async start(opts: ServerOptions = {}): Promise<ServerProcess> {
    const dataDir = opts.dataDir ?? join(mkdtempSync(join(tmpdir(), 'twofold-e2e-')), 'data');
    const httpPort = opts.httpPort ?? (await freePort());
    const radiusPort = opts.radiusPort ?? (await freePort());
    const acctPort = opts.acctPort ?? (await freePort());
    const replicationPort = opts.replicationPort ?? (await freePort());
    const [command, ...args] = [...(opts.prefix ?? []), process.execPath, ...SERVER_NODE_OPTIONS, SERVER_MAIN];
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        TWOFOLD_DATA_DIR: dataDir,
        TWOFOLD_HTTP_BIND: opts.host ?? '127.0.0.1',
        TWOFOLD_HTTP_PORT: String(httpPort),
        TWOFOLD_RADIUS_BIND: '127.0.0.1',
        TWOFOLD_RADIUS_AUTH_PORT: String(radiusPort),
        TWOFOLD_RADIUS_ACCT_PORT: String(acctPort),
        TWOFOLD_REPLICATION_BIND: opts.host ?? '127.0.0.1',
        TWOFOLD_REPLICATION_PORT: String(replicationPort),
        TWOFOLD_ADVERTISE_HOST: opts.host ?? '127.0.0.1',
        TWOFOLD_LOG_LEVEL: 'debug',
        ...(opts.env ?? {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(child, dataDir, httpPort, radiusPort, acctPort, replicationPort, opts.host);
    if (opts.adminToken) server.adminToken = opts.adminToken;
    server.exited = new Promise((res) => child.once('exit', (code) => res(code)));
    child.stdout!.on('data', (d: Buffer) => server.stdout.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => server.stderr.push(d.toString()));
    await server.waitForLog('listening', opts.startTimeoutMs ?? 30_000);
    const token = /TWOFOLD_ADMIN_TOKEN=(\S+)/.exec(server.stderr.join(''));
    if (token) server.adminToken = token[1];
    return server;
  }

  // The server's stdout reaches this process on its own schedule, after replies sent later over
  // HTTP at times: a test waits for a line rather than expecting it already read.
  async waitForLog(msg: string | ((line: Record<string, unknown>) => boolean), timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    const matches = typeof msg === 'string' ? (l: Record<string, unknown>) => l.msg === msg : msg;
    for (;;) {
      const hit = this.logLines().find(matches);
      if (hit) return hit;
      if (this.child.exitCode !== null) throw new Error(`server exited (${this.child.exitCode}) before "${String(msg)}": ${this.stderr.join('')}`);
      if (Date.now() > deadline) throw new Error(`server did not log "${String(msg)}" within ${timeoutMs} ms: ${this.stderr.join('')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse<T>> {
    return httpsJson<T>(method, `${this.url}${path}`, { ca: this.httpsCa ?? this.ca, token: this.adminToken, body, headers });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited!;
  }
}
