import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

// Ports for the servers a test starts, free for both TCP and UDP on 127.0.0.1 when asked.
//
// Not from the kernel's ephemeral range (32768-60999 here): a port found free there is handed to
// any socket that binds port 0 or connects out (the other jest worker's RADIUS clients, for one)
// before the server started a moment later can bind it, and the server then fails with
// EADDRINUSE. Each jest worker takes ports from its own block below that range instead, starting
// at a random offset and never handing out a port twice in one process.
const BASE = 16_000;
const BLOCK = 1_500;
const worker = (Number(process.env.JEST_WORKER_ID ?? 1) - 1) % 10;
const blockStart = BASE + worker * BLOCK;
let offset = Math.floor(Math.random() * BLOCK);
const handedOut = new Set<number>();

const tcpFree = (port: number) => new Promise<boolean>((resolve) => {
  const srv = createServer();
  srv.once('error', () => resolve(false));
  srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
});

const udpFree = (port: number) => new Promise<boolean>((resolve) => {
  const sock = createSocket('udp4');
  sock.once('error', () => resolve(false));
  sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
});

export async function freePort(): Promise<number> {
  for (let tried = 0; tried < BLOCK; tried++) {
    const port = blockStart + (offset++ % BLOCK);
    if (handedOut.has(port)) continue;
    if ((await tcpFree(port)) && (await udpFree(port))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${blockStart}-${blockStart + BLOCK - 1}`);
}
