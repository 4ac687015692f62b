import type { Server, Socket } from 'node:net';

export interface ConnectionGuardOptions {
  maxPerSource: number;
  // Called once when a source reaches the cap (again after it dropped below): log it, count it.
  onLimited?: (source: string) => void;
}

// IPv4 clients of a dual-stack listener appear as ::ffff:a.b.c.d; one source either way.
function sourceOf(socket: Socket): string {
  return (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

// Caps open connections per source address on a listener (TLS or plain), counted from the TCP
// accept, so connections that never start TLS count too. Over the cap, the new socket is closed.
export function limitConnectionsPerSource(server: Server, options: ConnectionGuardOptions): void {
  const open = new Map<string, { count: number; reported: boolean }>();
  server.on('connection', (socket: Socket) => {
    const source = sourceOf(socket);
    const entry = open.get(source) ?? { count: 0, reported: false };
    if (entry.count >= options.maxPerSource) {
      if (!entry.reported) {
        entry.reported = true;
        options.onLimited?.(source);
      }
      socket.destroy();
      return;
    }
    entry.count++;
    open.set(source, entry);
    socket.once('close', () => {
      entry.count--;
      if (entry.count < options.maxPerSource) entry.reported = false;
      if (entry.count === 0) open.delete(source);
    });
  });
}
