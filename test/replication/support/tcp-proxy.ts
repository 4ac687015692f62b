import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from '../../support/ports';

// A TCP relay in front of a node's port. `maxReplyBytes`: a connection that carries more than this
// back to the client is cut (reset) mid-way, as a link that drops long transfers would: small
// answers (an epoch probe, a log head) pass, a page of log records does not.
export class TcpProxy {
  maxReplyBytes = Infinity;
  cutConnections = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number, public targetPort: number) {}

  // targetPort may be set later (the node behind it may need the relay's port first).
  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const port = await freePort();
    const server = createServer();
    const proxy = new TcpProxy(server, port, targetPort);
    server.on('connection', (client) => {
      const upstream = connect(proxy.targetPort, targetHost);
      proxy.sockets.add(client).add(upstream);
      let replied = 0;
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => {
        replied += d.length;
        if (replied > proxy.maxReplyBytes) {
          proxy.cutConnections++;
          client.resetAndDestroy();
          upstream.destroy();
          return;
        }
        client.write(d);
      });
      const close = () => { client.destroy(); upstream.destroy(); proxy.sockets.delete(client); proxy.sockets.delete(upstream); };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return proxy;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
