import { createSocket, type Socket } from 'node:dgram';
import { generateHotp } from '@twofold/mfa';
import { openStorage, TypeOrmEventStore } from '@twofold/event-store';
import { openDataDir } from '@twofold/platform';
import { buildRequest, parsePacket, stringAttribute, verifyResponse } from '@twofold/radius';
import { addRadiusClient } from '../support/radius-tools';
import { ServerProcess } from '../support/server-process';
import { createHotpUsers, type HotpUser } from '../replication/support/sign-in-load';

// A real server under RADIUS load (many sign-ins in flight, so appends are group-committed) is
// killed with SIGKILL. Afterwards every sign-in it answered Accept has its once-only code in the
// log, every group it wrote is whole (the chain verifies, each used code has its success record
// next to it), and the server starts again on the same data directory and takes the next codes.
const SECRET = 'crash-spec-secret';
const USERS = 24;

interface Accepted { username: string; counter: number }

function exchange(socket: Socket, port: number, username: string, code: string, waitMs: number): Promise<number | undefined> {
  const request = buildRequest({ secret: SECRET, userPassword: code, messageAuthenticator: true, attributes: [stringAttribute('User-Name', username)] });
  return new Promise((resolve) => {
    const timer = setTimeout(() => { socket.off('message', onMessage); resolve(undefined); }, waitMs);
    const onMessage = (msg: Buffer) => {
      try {
        const packet = parsePacket(msg);
        if (packet.identifier !== request.identifier || !verifyResponse(packet, request, SECRET).ok) return;
        clearTimeout(timer);
        socket.off('message', onMessage);
        resolve(packet.code);
      } catch {
        // not our answer
      }
    };
    socket.on('message', onMessage);
    socket.send(request.raw, port, '127.0.0.1');
  });
}

describe('SIGKILL during group commit under RADIUS load', () => {
  jest.setTimeout(120_000);
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  it('keeps every sign-in it answered Accept, writes no half group, and starts again', async () => {
    server = await ServerProcess.start({ env: { TWOFOLD_LOG_LEVEL: 'info' } });
    const first = server;
    await addRadiusClient(first, { name: 'loopback', address: '127.0.0.1', secret: SECRET, firstFactor: 'none' });
    const users = await createHotpUsers(first, 'crash', USERS);

    const accepted: Accepted[] = [];
    let running = true;
    let rejected = 0;
    const loop = async (user: HotpUser) => {
      const socket = createSocket('udp4');
      await new Promise<void>((r) => socket.bind(0, r));
      try {
        while (running) {
          const counter = user.counter++;
          const code = await exchange(socket, first.radiusPort, user.username, generateHotp(user.seed, counter), 5000);
          if (code === 2) accepted.push({ username: user.username, counter });
          else if (code === undefined) return; // the server is gone
          else rejected++;
        }
      } finally {
        socket.close();
      }
    };
    const loops = users.map(loop);
    const loopsDone = Promise.all(loops).then(() => (running = false));
    while (accepted.length < 400 && running) await new Promise((r) => setTimeout(r, 10));
    expect(running).toBe(true); // the load was still on when it was killed
    await first.stop('SIGKILL');
    running = false;
    await loopsDone;
    expect(rejected).toBe(0);

    const dataDir = openDataDir(first.dataDir);
    const dataSource = await openStorage({ sqlitePath: dataDir.sqlitePath }, [], { synchronize: false });
    const store = new TypeOrmEventStore(dataSource);
    try {
      expect((await store.verify()).ok).toBe(true);
      const events = await store.readFrom(0, 1_000_000);
      const userIds = new Map(events.filter((e) => e.type === 'UserCreated').map((e) => [String(e.payload.username), String(e.payload.userId)]));
      // A sign-in is one record, the success with the code it spent (AuthenticationSucceeded v2):
      // each is in the log whole or not at all, and the chain verified above holds every one.
      const signIns = events.filter((e) => e.type === 'AuthenticationSucceeded');
      const used = new Set(signIns.map((e) => `${e.payload.userId}:${(e.payload.code as { counter: number }).counter}`));
      const missing = accepted.filter((a) => !used.has(`${userIds.get(a.username)}:${a.counter}`));
      expect({ accepted: accepted.length, missing }).toEqual({ accepted: accepted.length, missing: [] });
      expect(events.filter((e) => e.type === 'OathCodeUsed')).toEqual([]);
    } finally {
      await store.close();
    }

    server = await ServerProcess.start({ dataDir: first.dataDir, adminToken: first.adminToken, env: { TWOFOLD_LOG_LEVEL: 'info' } });
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, r));
    try {
      for (const user of users.slice(0, 4)) {
        // A code the killed server accepted is refused now; the next one is accepted.
        const last = accepted.filter((a) => a.username === user.username).pop();
        if (last) expect(await exchange(socket, server.radiusPort, user.username, generateHotp(user.seed, last.counter), 5000)).toBe(3);
        expect(await exchange(socket, server.radiusPort, user.username, generateHotp(user.seed, user.counter + 1), 5000)).toBe(2);
      }
    } finally {
      socket.close();
    }
  });
});
