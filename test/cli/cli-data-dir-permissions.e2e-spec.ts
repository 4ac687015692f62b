import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { twofold } from '../support/cli';
import { ServerProcess } from '../support/server-process';
import { fileModes } from '../../libs/platform/src/testing/file-modes';

const loose = (m: Record<string, string>) => Object.entries(m).filter(([, mode]) => (parseInt(mode, 8) & 0o077) !== 0);

describe('the data directory is private to its owner', () => {
  it('`twofold init` in an existing 0755 directory leaves nothing readable by others, and the server keeps it so', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'twofold-e2e-')), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const r = await twofold(['--json', 'init', '--node-name', 'node-p'], { env: { TWOFOLD_DATA_DIR: dataDir } });
    expect(r.code).toBe(0);
    const afterInit = fileModes(dataDir);
    expect(afterInit['twofold.sqlite']).toBe('600');
    expect(afterInit['.']).toBe('700');
    expect(loose(afterInit)).toEqual([]);

    // Loosened again (a restore, an old release): the next start makes it private again.
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'twofold.sqlite'), 0o644);
    const server = await ServerProcess.start({ dataDir, adminToken: r.json().adminToken });
    try {
      const status = await server.api('GET', '/admin/v1/status');
      expect(status.status).toBe(200);
      expect(loose(fileModes(dataDir))).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});
