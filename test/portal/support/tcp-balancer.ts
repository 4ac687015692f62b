import { createConnection, createServer, Server, Socket } from 'node:net';
import { freePort } from '../../support/ports';

// A layer-4 load balancer with no stickiness at all (TLS passes through): each new connection
// goes to the first backend that accepts it, starting from `next` (round robin when `rotate`).
export class TcpBalancer {
  readonly connections: number[];
  private next = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number, private readonly backends: number[], private readonly rotate: boolean) {
    this.connections = backends.map(() => 0);
  }

  static async start(backends: number[], opts: { rotate?: boolean } = {}): Promise<TcpBalancer> {
    const port = await freePort();
    const server = createServer();
    const balancer = new TcpBalancer(server, port, backends, opts.rotate ?? false);
    server.on('connection', (client) => balancer.accept(client));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return balancer;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  private accept(client: Socket): void {
    client.pause();
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    const start = this.next;
    if (this.rotate) this.next = (this.next + 1) % this.backends.length;
    const attempt = (i: number) => {
      if (i >= this.backends.length) return client.destroy();
      const index = (start + i) % this.backends.length;
      const upstream = createConnection({ host: '127.0.0.1', port: this.backends[index] });
      let connected = false;
      upstream.on('error', () => (connected ? client.destroy() : attempt(i + 1)));
      upstream.once('connect', () => {
        connected = true;
        this.connections[index]++;
        this.sockets.add(upstream);
        upstream.on('close', () => {
          this.sockets.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(0);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
