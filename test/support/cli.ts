import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, ServerProcess } from './server-process';

export const CLI_BIN = join(REPO_ROOT, 'bin/twofold.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json<T = any>(): T;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;         // written to stdin, then closed
  timeoutMs?: number;
}

// `node bin/twofold.js ...` as a real child process, with a clean environment (PATH plus opts.env).
// Asynchronous on purpose: a server started by the same test keeps draining its pipes meanwhile.
export function twofold(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
    for (const [k, v] of Object.entries(opts.env ?? {})) if (v !== undefined) env[k] = v;
    const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`twofold ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 60_000} ms`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({
        code, stdout, stderr,
        json: () => {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`twofold ${args.join(' ')} printed no JSON (exit ${code}): ${stdout}${stderr}`);
          }
        },
      });
    });
    child.stdin.on('error', () => undefined); // the CLI may exit without reading stdin
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

// The environment an administrator would set to talk to this server.
export function serverEnv(server: ServerProcess, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { TWOFOLD_URL: server.url, TWOFOLD_ADMIN_TOKEN: server.adminToken, TWOFOLD_DATA_DIR: server.dataDir, ...extra };
}

// A CLI bound to one server: `cli('user', 'show', 'alice')`.
export function cliFor(server: ServerProcess) {
  return (args: string[], opts: CliOptions = {}) => twofold(args, { ...opts, env: serverEnv(server, opts.env) });
}

// The server's log head: a bad request must leave it where it was.
export async function logHead(server: ServerProcess): Promise<number> {
  const res = await server.api('GET', '/admin/v1/status');
  if (res.status !== 200) throw new Error(`status answered ${res.status}: ${res.text}`);
  return res.body.logHead.position as number;
}
