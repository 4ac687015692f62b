import { randomBytes, randomInt } from 'node:crypto';
import { buildRequest, octetsAttribute, RadiusAttribute, RadiusCode, stringAttribute } from '@twofold/radius';
import { ServerProcess } from '../support/server-process';
import { addRadiusClient, createRadiusUser, hasOathtool, oathtoolTotp, radiusCounter, TestRadiusClient } from '../support/radius-tools';

// Thousands of random, truncated, bit-flipped and signed-but-nonsensical packets at the real
// server; afterwards it must still be alive and answer a valid request correctly.
const describeIfTools = hasOathtool ? describe : describe.skip;

const SECRET = 'fuzz-e2e-secret';

function randomAttributes(): RadiusAttribute[] {
  const out: RadiusAttribute[] = [];
  for (let i = randomInt(0, 8); i > 0; i--) {
    let type = randomInt(1, 256);
    if (type === 2 || type === 80) type = 1; // User-Password and MA are the builder's job
    out.push(octetsAttribute(type, randomBytes(randomInt(0, 60))));
  }
  return out;
}

function fuzzPacket(valid: Buffer): Buffer {
  switch (randomInt(0, 7)) {
    case 0: return randomBytes(randomInt(0, 200)); // noise
    case 1: return valid.subarray(0, randomInt(0, valid.length)); // truncated
    case 2: { // bit flips in a signed request: the MA no longer verifies
      const copy = Buffer.from(valid);
      for (let i = randomInt(1, 4); i > 0; i--) copy[randomInt(0, copy.length)] ^= 1 << randomInt(0, 8);
      return copy;
    }
    case 3: { // a header that lies about the length
      const copy = Buffer.from(valid);
      copy.writeUInt16BE(randomInt(0, 0x10000), 2);
      return copy;
    }
    case 4: { // attribute lengths that run off the end or are zero
      const copy = Buffer.concat([valid, Buffer.from([randomInt(1, 256), randomInt(0, 3)])]);
      copy.writeUInt16BE(copy.length, 2);
      return copy;
    }
    default: { // properly signed, so it reaches the engine: random names, passwords, States
      const attributes = [stringAttribute('User-Name', randomBytes(randomInt(1, 40)).toString('latin1')), ...randomAttributes()];
      if (randomInt(0, 2) === 0) attributes.push(octetsAttribute('State', randomBytes(randomInt(1, 253))));
      return buildRequest({ secret: SECRET, userPassword: randomBytes(randomInt(0, 128)), attributes }).raw;
    }
  }
}

describeIfTools('RADIUS fuzzing against the real server', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    // Thousands of signed nonsense requests are failed guesses: the failure-rate limits (tested in
    // radius-rate-limits.e2e-spec.ts) are lifted so that every one of them reaches the engine.
    server = await ServerProcess.start({
      env: { TWOFOLD_LOG_LEVEL: 'info', TWOFOLD_RADIUS_CLIENT_FAILURE_BURST: '1000000', TWOFOLD_RADIUS_GLOBAL_FAILURE_BURST: '1000000' },
    });
    await addRadiusClient(server, { name: 'fuzzer', address: '127.0.0.1', secret: SECRET, firstFactor: 'local-password' });
  });

  afterAll(async () => server?.stop());

  it('survives 20,000 hostile packets and still answers a valid request correctly', async () => {
    const { secret } = await createRadiusUser(server, 'valid', { password: 'valid-password', totp: true });
    const client = await TestRadiusClient.open();
    let replies = 0;
    client.socket.on('message', () => replies++);
    try {
      const template = client.request(SECRET, 'fuzzed-user', 'some password', [stringAttribute('NAS-Identifier', 'fuzz')]).raw;
      for (let i = 0; i < 20_000; i++) {
        client.fire(fuzzPacket(template), server.radiusPort);
        if (i % 8 === 0) client.fire(fuzzPacket(template), server.acctPort);
        // Let the socket drain now and then so the test measures the server, not our send buffer.
        if (i % 250 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 1000));
      expect(server.child.exitCode).toBeNull();

      const good = client.request(SECRET, 'valid', `valid-password${oathtoolTotp(secret!)}`);
      const answer = await client.exchange(good, SECRET, server.radiusPort, 10_000);
      expect(answer?.code).toBe(RadiusCode.AccessAccept);
      const bad = client.request(SECRET, 'valid', 'not-the-password');
      expect((await client.exchange(bad, SECRET, server.radiusPort, 10_000))?.code).toBe(RadiusCode.AccessReject);

      const metrics = (await server.api('GET', '/metrics')).text;
      // Loopback UDP may drop some under the burst, so only the order of magnitude is checked.
      expect(radiusCounter(metrics, 'malformed')).toBeGreaterThan(500);
      expect(radiusCounter(metrics, 'bad_authenticator')).toBeGreaterThan(500);
      // Signed nonsense was answered (rejected), never left hanging.
      expect(radiusCounter(metrics, 'reject')).toBeGreaterThan(100);
      expect(replies).toBeGreaterThan(100);
      expect(radiusCounter(metrics, 'handler_error')).toBe(0);
      expect(server.logLines().filter((l) => l.reason === 'internal_error')).toEqual([]);
      expect(server.stderr.join('')).not.toMatch(/Unhandled|TypeError|RangeError/);
    } finally {
      client.close();
    }
  });
});
