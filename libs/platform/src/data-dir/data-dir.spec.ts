import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { DataDirError, openDataDir } from './data-dir';
import { certificateFingerprint } from '../tls/certificates';
import { fileModes } from '../testing/file-modes';

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


  it('makes an existing 0755 directory and everything in it private (0700/0600), on create and on every open', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tf-data-')), 'd');
    mkdirSync(join(path, 'tls'), { recursive: true, mode: 0o755 });
    chmodSync(path, 0o755);
    chmodSync(join(path, 'tls'), 0o755);
    writeFileSync(join(path, 'twofold.sqlite'), '', { mode: 0o644 });
    openDataDir(path, { nodeName: 'node-p' });
    expect(new Set(Object.entries(fileModes(path)).map(([f, m]) => (f === '.' || f === 'tls' ? `dir:${m}` : `file:${m}`)))).toEqual(new Set(['dir:700', 'file:600']));

    // Something (an old release, a restore, an administrator) loosens them again: the next open fixes it.
    chmodSync(path, 0o755);
    chmodSync(join(path, 'twofold.sqlite'), 0o644);
    chmodSync(join(path, 'tls/ca.pem'), 0o644);
    openDataDir(path);
    expect(fileModes(path)).toMatchObject({ '.': '700', tls: '700', 'twofold.sqlite': '600', 'tls/ca.pem': '600' });
  });

  it('puts the asked-for names in a new node certificate, and adds missing ones at the next open, keeping the key', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tf-data-')), 'd');
    const first = openDataDir(path, { nodeName: 'node-h', hosts: ['10.77.0.1'] });
    const cert = () => new X509Certificate(openDataDir(path).tls.certPem);
    expect(cert().checkIP('10.77.0.1')).toBe('10.77.0.1');
    expect(cert().checkHost('mfa.example.com')).toBeUndefined();

    const again = openDataDir(path, { hosts: ['10.77.0.1'] });
    expect(again.certificate).toEqual({ status: 'ok' });
    expect(again.tls.certPem).toBe(first.tls.certPem);

    const grown = openDataDir(path, { hosts: ['10.77.0.1', 'mfa.example.com', '127.0.0.2'] });
    expect(grown.certificate).toMatchObject({ status: 'reissued', added: ['mfa.example.com', '127.0.0.2'], previousFingerprint: certificateFingerprint(first.tls.certPem) });
    expect(cert().checkHost('mfa.example.com')).toBe('mfa.example.com');
    expect(cert().checkIP('127.0.0.2')).toBe('127.0.0.2');
    expect(cert().checkIP('10.77.0.1')).toBe('10.77.0.1');
    expect(cert().checkHost('node-h')).toBe('node-h');
    expect(cert().verify(new X509Certificate(first.ca.certPem).publicKey)).toBe(true);
    expect(openDataDir(path).tls.keyPem).toBe(first.tls.keyPem);
  });

  it('without the CA key a node reports the names its certificate lacks and changes nothing', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tf-data-')), 'd');
    const first = openDataDir(path, { nodeName: 'node-s' });
    rmSync(join(path, 'tls/ca.key.pem'));
    const opened = openDataDir(path, { hosts: ['mfa.example.com'] });
    expect(opened.certificate).toEqual({ status: 'missing_names', missing: ['mfa.example.com'] });
    expect(opened.tls.certPem).toBe(first.tls.certPem);
  });
});
