import { createSocket, Socket } from 'node:dgram';
import { stringAttribute } from '../packet/attributes';
import { buildRequest, verifyResponse } from '../packet/build-packet';
import { RadiusCode } from '../packet/codes';
import { parsePacket } from '../packet/parse-packet';
import { RadiusPacket } from '../packet/radius-packet';
import { AccessAnswer, AccessRequestContext, RadiusServer, RadiusServerClient, RadiusServerOutcome } from './radius-server';
import { UpstreamRadiusClient } from './upstream-client';

const SECRET = 'server-spec-secret';
const DROPPED_MS = 400;
const client: RadiusServerClient = { clientId: 'c1', name: 'loopback', secret: Buffer.from(SECRET), requireMessageAuthenticator: true };

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 5));
}

describe('RadiusServer', () => {
  let sut: RadiusServer<RadiusServerClient>;
  let socket: Socket;
  let handler: (ctx: AccessRequestContext<RadiusServerClient>) => Promise<AccessAnswer>;
  let known: boolean;
  let outcomes: RadiusServerOutcome[];
  let ports: { auth: number; acct: number | null };

  beforeEach(async () => {
    known = true;
    outcomes = [];
    handler = async (ctx) => (ctx.password?.toString() === 'good' ? { code: 'accept' } : { code: 'reject' });
    sut = new RadiusServer({
      bindAddress: '127.0.0.1', authPort: 0, acctPort: 0,
      clients: { lookup: () => (known ? client : undefined) },
      access: (ctx) => handler(ctx),
      onOutcome: (o) => outcomes.push(o),
    });
    ports = await sut.start();
    socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  });

  afterEach(async () => {
    socket.close();
    await sut.close();
  });

  // Sends `raw` and returns the first answer, or undefined after `waitMs`. An answer ends the wait at
  // once, so the default is generous (a loaded machine is slow, not wrong); a check that nothing comes
  // back passes `DROPPED_MS`.
  function exchange(raw: Buffer, port = ports.auth, waitMs = 10_000): Promise<RadiusPacket | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { socket.off('message', onMessage); resolve(undefined); }, waitMs);
      const onMessage = (msg: Buffer) => { clearTimeout(timer); socket.off('message', onMessage); resolve(parsePacket(msg)); };
      socket.on('message', onMessage);
      socket.send(raw, port, '127.0.0.1');
    });
  }

  const request = (password: string, opts: { secret?: string; messageAuthenticator?: boolean } = {}) =>
    buildRequest({ secret: opts.secret ?? SECRET, userPassword: password, messageAuthenticator: opts.messageAuthenticator, attributes: [stringAttribute('User-Name', 'alice')] });

  it('answers with a signed reply whose Message-Authenticator comes first', async () => {
    const req = request('good');
    const answer = await exchange(req.raw);
    expect(answer?.code).toBe(RadiusCode.AccessAccept);
    expect(verifyResponse(answer!, req, SECRET)).toEqual({ ok: true });
    expect(answer!.attributes[0].type).toBe(80);
  });

  it('drops unknown sources, wrong secrets, unsigned requests and garbage, and counts each', async () => {
    expect(await exchange(request('good', { secret: 'another-secret' }).raw, ports.auth, DROPPED_MS)).toBeUndefined();
    expect(await exchange(request('good', { messageAuthenticator: false }).raw, ports.auth, DROPPED_MS)).toBeUndefined();
    expect(await exchange(Buffer.from('not radius at all'), ports.auth, DROPPED_MS)).toBeUndefined();
    known = false;
    expect(await exchange(request('good').raw, ports.auth, DROPPED_MS)).toBeUndefined();
    expect(outcomes).toEqual(['bad_authenticator', 'missing_message_authenticator', 'malformed', 'unknown_client']);
  });

  it('replays the cached answer to a retransmission without running the handler again', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The handler holds its answer until the test has seen the retransmission dropped, so "in
    // progress" does not depend on how fast the machine is.
    handler = async () => { calls++; await gate; return { code: 'accept' }; };
    const req = request('x');
    const answered = exchange(req.raw);
    await until(() => calls === 1);
    socket.send(req.raw, ports.auth, '127.0.0.1'); // still in progress: dropped
    await until(() => outcomes.includes('duplicate_in_progress'));
    release();
    const first = await answered;
    const second = await exchange(req.raw);
    expect(first?.code).toBe(RadiusCode.AccessAccept);
    expect(second?.raw.equals(first!.raw)).toBe(true);
    expect(calls).toBe(1);
    expect(outcomes).toEqual(expect.arrayContaining(['duplicate_in_progress', 'accept', 'duplicate_cached']));
  });

  it('turns a throwing handler into an Access-Reject with a Reply-Message, and keeps serving', async () => {
    handler = async () => { throw new Error('boom'); };
    const answer = await exchange(request('good').raw);
    expect(answer?.code).toBe(RadiusCode.AccessReject);
    expect(answer?.getString('Reply-Message')).toMatch(/temporarily unavailable/);
    handler = async () => ({ code: 'accept' });
    expect((await exchange(request('good').raw))?.code).toBe(RadiusCode.AccessAccept);
  });

  it('answers Accounting-Request on the accounting port and Status-Server on both', async () => {
    const acct = buildRequest({ code: RadiusCode.AccountingRequest, secret: SECRET, attributes: [stringAttribute('Acct-Session-Id', 's1')] });
    const answer = await exchange(acct.raw, ports.acct!);
    expect(answer?.code).toBe(RadiusCode.AccountingResponse);
    expect(verifyResponse(answer!, acct, SECRET).ok).toBe(true);
    // Access-Requests are not for the accounting port.
    expect(await exchange(request('good').raw, ports.acct!, DROPPED_MS)).toBeUndefined();
    const status = buildRequest({ code: RadiusCode.StatusServer, secret: SECRET });
    expect((await exchange(status.raw))?.code).toBe(RadiusCode.AccessAccept);
  });

  it('serves as the upstream for UpstreamRadiusClient (first factor proxy)', async () => {
    const upstream = new UpstreamRadiusClient({ host: '127.0.0.1', port: ports.auth, secret: SECRET, timeoutMs: 10_000 }); // answers end the wait
    await expect(upstream.authenticate('alice', 'good')).resolves.toBe('accept');
    await expect(upstream.authenticate('alice', 'bad')).resolves.toBe('reject');
    const wrongSecret = new UpstreamRadiusClient({ host: '127.0.0.1', port: ports.auth, secret: 'not-the-secret', timeoutMs: 300 });
    await expect(wrongSecret.authenticate('alice', 'good')).rejects.toMatchObject({ code: 'upstream_timeout' });
  });
});
