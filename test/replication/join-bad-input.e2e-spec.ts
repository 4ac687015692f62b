import { randomUUID } from 'node:crypto';
import { ServerProcess } from '../support/server-process';
import { httpsJson } from '../support/https-json';

// The join endpoint is public (a new node has no credential yet): everything a stranger can send
// it gets a clear 4xx and changes nothing.
describe('POST /cluster/v1/join with bad input', () => {
  let server: ServerProcess;
  const token = (t: unknown) => Buffer.from(JSON.stringify(t)).toString('base64url');
  const node = { nodeId: randomUUID(), host: '127.0.0.1', httpPort: 9443, replicationPort: 9444 };

  beforeAll(async () => {
    server = await ServerProcess.start();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('refuses each with a stable code and leaves the log as it was', async () => {
    const head = async () => (await server.api('GET', '/admin/v1/status')).body.logHead.position as number;
    const issued = (await server.api('POST', '/admin/v1/cluster/join-tokens', { name: 'n1' })).body.token as string;
    const real = JSON.parse(Buffer.from(issued, 'base64url').toString('utf8'));
    const before = await head();
    const cases: Array<[string, unknown, number, string]> = [
      ['not an object', 'hello', 400, 'validation_failed'],
      ['no token', { ...node }, 400, 'validation_failed'],
      ['garbage token', { ...node, token: 'not-a-token' }, 400, 'validation_failed'],
      ['token of another cluster', { ...node, token: token({ ...real, f: 'a'.repeat(64) }) }, 400, 'validation_failed'],
      ['wrong secret', { ...node, token: token({ ...real, s: 'x'.repeat(43) }) }, 400, 'validation_failed'],
      ['unknown token id', { ...node, token: token({ ...real, i: randomUUID() }) }, 400, 'validation_failed'],
      ['bad node id', { ...node, nodeId: 'me', token: issued }, 400, 'validation_failed'],
      ['bad port', { ...node, httpPort: 70000, token: issued }, 400, 'validation_failed'],
    ];
    for (const [name, body, status, code] of cases) {
      const res = await httpsJson('POST', `${server.url}/cluster/v1/join`, { ca: server.ca, body });
      expect({ name, status: res.status, code: res.body?.code }).toEqual({ name, status, code });
      expect(JSON.stringify(res.body)).not.toContain(real.s);
    }
    expect(await head()).toBe(before);
    // The real token still works once after all that.
    const ok = await httpsJson('POST', `${server.url}/cluster/v1/join`, { ca: server.ca, body: { ...node, token: issued } });
    expect(ok.status).toBe(200);
    expect(ok.body.identity.nodeName).toBe('n1');
  });
});
