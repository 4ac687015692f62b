import { ServerProcess } from '../support/server-process';

// A token assignment answers with the otpauth URI; the QR code (which costs more to render than the
// assignment itself) comes only when the administrator asks for it, and no answer holding the seed
// may be cached.
describe('token assignment over the admin API', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await ServerProcess.start();
    expect((await server.api('POST', '/admin/v1/users', { username: 'alice' })).status).toBe(201);
  });
  afterAll(() => server?.stop());

  it('returns the otpauth URI without a QR code by default, never cacheable', async () => {
    const res = await server.api('POST', '/admin/v1/users/alice/tokens', {});
    expect(res.status).toBe(201);
    expect(res.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Twofold:alice\?secret=[A-Z2-7]+/);
    expect(res.body).not.toHaveProperty('qrPngBase64');
    expect(res.body).not.toHaveProperty('qrSvg');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('renders a PNG for ?qr=png and an SVG for ?qr=svg, each answer uncacheable', async () => {
    const png = await server.api('POST', '/admin/v1/users/alice/tokens?qr=png', { kind: 'hotp' });
    expect(png.status).toBe(201);
    expect(Buffer.from(png.body.qrPngBase64, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(png.body).not.toHaveProperty('qrSvg');
    expect(png.headers['cache-control']).toBe('no-store');

    const svg = await server.api('POST', '/admin/v1/users/alice/tokens?qr=svg', {});
    expect(svg.status).toBe(201);
    expect(svg.body.qrSvg).toMatch(/^<svg/);
    expect(svg.body).not.toHaveProperty('qrPngBase64');
    expect(svg.headers['cache-control']).toBe('no-store');
  });
});
