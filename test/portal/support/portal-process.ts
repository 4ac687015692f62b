import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/ports';
import { REPO_ROOT } from '../../support/server-process';

export const PORTAL_MAIN = join(REPO_ROOT, 'dist/apps/portal/src/main.js');

export interface PortalOptions {
  sdkUrls: string[];
  sdkCaFile: string;
  credential: string;
  sessionKey: string; // base64, shared by every instance
  port?: number;
  env?: Record<string, string>;
}

// A real portal process (built dist/ code), configured the way an administrator would.
export class PortalProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  private exited!: Promise<number | null>;

  private constructor(readonly child: ChildProcess, readonly port: number, readonly dataDir: string) {}

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  logLines(): Record<string, unknown>[] {
    return this.stdout.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  }

  static async start(opts: PortalOptions): Promise<PortalProcess> {
    const port = opts.port ?? (await freePort());
    const dataDir = mkdtempSync(join(tmpdir(), 'twofold-portal-'));
    const credentialFile = join(dataDir, 'sdk-credential');
    writeFileSync(credentialFile, `${opts.credential}\n`, { mode: 0o600 });
    const child = spawn(process.execPath, [PORTAL_MAIN], {
      cwd: dataDir,
      env: {
        PATH: process.env.PATH ?? '',
        TWOFOLD_PORTAL_PORT: String(port),
        TWOFOLD_PORTAL_DATA_DIR: dataDir,
        TWOFOLD_PORTAL_SDK_URLS: opts.sdkUrls.join(','),
        TWOFOLD_PORTAL_SDK_CA_FILE: opts.sdkCaFile,
        TWOFOLD_PORTAL_SDK_CREDENTIAL_FILE: credentialFile,
        TWOFOLD_PORTAL_SESSION_KEY: opts.sessionKey,
        TWOFOLD_PORTAL_SDK_TIMEOUT_MS: '5000',
        ...(opts.env ?? {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const portal = new PortalProcess(child, port, dataDir);
    portal.exited = new Promise((res) => child.once('exit', (code) => res(code)));
    child.stdout!.on('data', (d: Buffer) => portal.stdout.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => portal.stderr.push(d.toString()));
    const deadline = Date.now() + 30_000;
    while (!portal.logLines().some((l) => l.msg === 'listening')) {
      if (child.exitCode !== null) throw new Error(`portal exited (${child.exitCode}): ${portal.stderr.join('')}`);
      if (Date.now() > deadline) throw new Error(`portal did not start: ${portal.stderr.join('')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return portal;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

// The next TOTP code for a base32 seed, from the real oathtool (offset in 30 s steps).
export function oathtool(seedBase32: string, stepOffset = 0): string {
  const args = ['--totp', '-b', seedBase32];
  if (stepOffset !== 0) args.push('-N', `now + ${stepOffset * 30} seconds`);
  return execFileSync('oathtool', args, { encoding: 'utf8' }).trim();
}
