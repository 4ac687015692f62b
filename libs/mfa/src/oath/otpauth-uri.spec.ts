import QRCode from 'qrcode';
import { buildOtpauthUri } from './otpauth-uri';
import { renderQr } from './qr';
import { OathError } from './oath.error';

describe('buildOtpauthUri', () => {
  it('builds a TOTP Key URI with every parameter', () => {
    expect(buildOtpauthUri({ kind: 'totp', issuer: 'Twofold', account: 'alice@example.com', seedBase32: 'JBSWY3DPEHPK3PXP', algorithm: 'SHA256', digits: 8, period: 60 }))
      .toBe('otpauth://totp/Twofold:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Twofold&algorithm=SHA256&digits=8&period=60');
  });

  it('builds an HOTP Key URI with the counter and defaults', () => {
    expect(buildOtpauthUri({ kind: 'hotp', issuer: 'Twofold', account: 'bob', seedBase32: 'jbsw y3dp ehpk 3pxp', counter: 7 }))
      .toBe('otpauth://hotp/Twofold:bob?secret=JBSWY3DPEHPK3PXP&issuer=Twofold&algorithm=SHA1&digits=6&counter=7');
  });

  it('percent-encodes spaces, slashes, ampersands and non-ASCII in issuer and account', () => {
    const uri = buildOtpauthUri({ kind: 'totp', issuer: 'ACME & Co/HQ', account: 'Zoë Smith?', seedBase32: 'JBSWY3DPEHPK3PXP' });
    expect(uri).toBe('otpauth://totp/ACME%20%26%20Co%2FHQ:Zo%C3%AB%20Smith%3F?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20%26%20Co%2FHQ&algorithm=SHA1&digits=6&period=30');
    const parsed = new URL(uri);
    expect(parsed.searchParams.get('issuer')).toBe('ACME & Co/HQ');
    expect(decodeURIComponent(parsed.pathname.slice(1))).toBe('ACME & Co/HQ:Zoë Smith?');
  });

  it('rejects colons in the label and non-base32 secrets', () => {
    expect(() => buildOtpauthUri({ kind: 'totp', issuer: 'A:B', account: 'x', seedBase32: 'JBSWY3DP' })).toThrow(OathError);
    expect(() => buildOtpauthUri({ kind: 'totp', issuer: 'A', account: 'x', seedBase32: 'not base32!' })).toThrow(OathError);
  });
});

describe('renderQr', () => {
  const uri = 'otpauth://totp/Twofold:alice?secret=JBSWY3DPEHPK3PXP&issuer=Twofold&algorithm=SHA1&digits=6&period=30';
  const modules = QRCode.create(uri, { errorCorrectionLevel: 'M' }).modules.size;

  it('renders a PNG whose size is the QR symbol plus quiet zone', async () => {
    const png = await renderQr(uri, 'png');
    expect(Buffer.isBuffer(png)).toBe(true);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(png.readUInt32BE(16)).toBe((modules + 8) * 6);
  });

  it('renders an SVG document with the same symbol', async () => {
    const svg = await renderQr(uri, 'svg');
    expect(typeof svg).toBe('string');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain(`viewBox="0 0 ${modules + 8} ${modules + 8}"`);
  });
});
