import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePortalConfig, loadPortalConfig, PortalConfigError } from './portal-config';

describe('portal configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portal-config-'));
  const base = {
    TWOFOLD_PORTAL_DATA_DIR: dir, TWOFOLD_PORTAL_SDK_CREDENTIAL: 'cred-1.s3cr3t', TWOFOLD_PORTAL_SESSION_KEY: Buffer.alloc(32, 7).toString('base64'),
    TWOFOLD_PORTAL_TLS_CERT_FILE: undefined as string | undefined,
  };
  const keyOf = (env: Record<string, string | undefined>) => {
    try {
      loadPortalConfig(env);
    } catch (err) {
      if (err instanceof PortalConfigError) return err.key;
      throw err;
    }
    return 'no error';
  };

  it('names the key that is missing or wrong', () => {
    expect(keyOf({ ...base, TWOFOLD_PORTAL_SDK_CREDENTIAL: undefined })).toBe('TWOFOLD_PORTAL_SDK_CREDENTIAL');
    expect(keyOf({ ...base, TWOFOLD_PORTAL_SDK_URLS: 'http://mfa.example:8443' })).toBe('TWOFOLD_PORTAL_SDK_URLS');
    expect(keyOf({ ...base, TWOFOLD_PORTAL_SESSION_KEY: 'c2hvcnQ=' })).toBe('TWOFOLD_PORTAL_SESSION_KEY');
    expect(keyOf({ ...base, TWOFOLD_PORTAL_PORT: '99999' })).toBe('TWOFOLD_PORTAL_PORT');
    expect(keyOf({ ...base, TWOFOLD_PORTAL_TLS_CERT_FILE: '/nonexistent.pem' })).toBe('TWOFOLD_PORTAL_TLS_KEY_FILE');
    expect(keyOf({ ...base, TWOFOLD_PORTAL_SDK_CREDENTIAL_FILE: '/nonexistent' })).toBe('TWOFOLD_PORTAL_SDK_CREDENTIAL');
    expect(keyOf({ ...base, TWOFOLD_PORTAL_PUBLIC_URL: 'http://portal.example.org' })).toBe('TWOFOLD_PORTAL_PUBLIC_URL');
    expect(keyOf({ ...base, TWOFOLD_PORTAL_PUBLIC_URL: 'https://portal.example.org/?k=1' })).toBe('TWOFOLD_PORTAL_PUBLIC_URL');
  });

  it('tells phones the public address it is given (else localhost and its port)', () => {
    expect(loadPortalConfig({ ...base, TWOFOLD_PORTAL_PUBLIC_URL: 'https://portal.example.org/' }).publicUrl).toBe('https://portal.example.org');
    expect(loadPortalConfig({ ...base, TWOFOLD_PORTAL_PORT: '9444' }).publicUrl).toBe('https://localhost:9444');
  });

  it('takes a list of SDK URLs and keeps the secrets out of what it describes', () => {
    const config = loadPortalConfig({ ...base, TWOFOLD_PORTAL_SDK_URLS: 'https://a.example:8443, https://b.example:8443' });
    expect(config.sdkUrls).toEqual(['https://a.example:8443', 'https://b.example:8443']);
    expect(config.tls.source).toBe('generated');
    const described = JSON.stringify(describePortalConfig(config));
    expect(described).not.toContain('s3cr3t');
    expect(described).not.toContain(base.TWOFOLD_PORTAL_SESSION_KEY);
  });
});
