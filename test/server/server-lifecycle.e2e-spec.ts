import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, SERVER_MAIN, ServerProcess } from '../support/server-process';
import { httpsJson } from '../support/https-json';

function runServer(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER_MAIN], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('server process lifecycle', () => {
  const dataDir = () => join(mkdtempSync(join(tmpdir(), 'twofold-e2e-')), 'data');

  it.each([
    ['TWOFOLD_HTTP_PORT', '70000'],
    ['TWOFOLD_HTTP_PORT', 'https'],
    ['TWOFOLD_LOG_LEVEL', 'chatty'],
    ['TWOFOLD_DATABASE_URL', 'mysql://localhost/twofold'],
  ])('a bad %s=%s stops start-up with exit 78 and a message naming the key', async (key, value) => {
    const r = await runServer({ TWOFOLD_DATA_DIR: dataDir(), [key]: value });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(new RegExp(`^twofold: configuration error: .*${key}`));
    // Nothing started: no "listening" line.
    expect(r.stdout).not.toContain('"listening"');
  });

  it('an unknown TWOFOLD_ variable (a typo) is a configuration error too', async () => {
    const r = await runServer({ TWOFOLD_DATA_DIR: dataDir(), TWOFOLD_HTTP_PROT: '8443' });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('TWOFOLD_HTTP_PROT');
  });

  it('a config file that is not JSON is named, and exits 78', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'twofold-e2e-')), 'twofold.json');
    writeFileSync(file, '{ "http": ');
    const r = await runServer({ TWOFOLD_DATA_DIR: dataDir(), TWOFOLD_CONFIG: file });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('TWOFOLD_CONFIG');
  });

  it('answers health checks, then stops on SIGTERM with exit 0 and a "stopped" line; the port is free again', async () => {
    const server = await ServerProcess.start();
    const health = await httpsJson('GET', `${server.url}/healthz`, { ca: server.ca });
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    const ready = await httpsJson('GET', `${server.url}/readyz`, { ca: server.ca });
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready' } });

    expect(await server.stop('SIGTERM')).toBe(0);
    const messages = server.logLines().map((l) => l.msg);
    expect(messages).toContain('stopped');
    expect(messages.slice(messages.indexOf('stopped'))).toEqual(['stopped']); // on failure: what came after it
    await expect(httpsJson('GET', `${server.url}/healthz`, { ca: server.ca })).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    // The same data directory and port start again.
    const again = await ServerProcess.start({ dataDir: server.dataDir, httpPort: server.httpPort, adminToken: server.adminToken });
    expect((await again.api('GET', '/admin/v1/status')).status).toBe(200);
    expect(await again.stop('SIGINT')).toBe(0);
  });
});
