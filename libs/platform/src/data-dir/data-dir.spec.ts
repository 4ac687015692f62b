import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { DataDirError, openDataDir } from './data-dir';

describe('openDataDir', () => {
  it('creates a cluster once and reuses it on the next start', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tf-data-')), 'data');
    const first = openDataDir(path, { nodeName: 'node-a' });
    expect(first.created).toBe(true);
    expect(first.masterKey).toHaveLength(32);
    expect(statSync(join(path, 'master.key')).mode & 0o077).toBe(0);

    const second = openDataDir(path);
    expect(second.created).toBe(false);
    expect(second.identity).toEqual(first.identity);
    expect(second.masterKey.equals(first.masterKey)).toBe(true);
    expect(second.tls.certPem).toBe(first.tls.certPem);
  });

  it('issues a node certificate that the cluster CA verifies', () => {
    const dir = openDataDir(join(mkdtempSync(join(tmpdir(), 'tf-data-')), 'd'), { nodeName: 'node-b' });
    const ca = new X509Certificate(dir.ca.certPem);
    const node = new X509Certificate(dir.tls.certPem);
    expect(node.verify(ca.publicKey)).toBe(true);
    expect(node.checkHost('localhost')).toBe('localhost');
    expect(node.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  it('refuses a damaged directory with a clear error', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tf-data-')), 'd');
    openDataDir(path);
    writeFileSync(join(path, 'master.key'), 'short\n');
    expect(() => openDataDir(path)).toThrow(DataDirError);
    expect(() => openDataDir(join(path, 'nothing'), { create: false })).toThrow(/no Twofold data directory/);
  });
});
