import { connect, type TLSSocket } from 'node:tls';
import { GENESIS_HASH } from '@twofold/event-store';
import { FrameParser, PROTOCOL_VERSION, serialize, type HelloMessage, type Message } from '@twofold/replication';

// A hand-driven replication peer over real TLS: what an attacker holding some certificate would
// send to a master's replication port.
export class ReplicationPeer {
  readonly received: Message[] = [];
  closed = false;
  private readonly parser = new FrameParser();

  private constructor(readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.received.push(...this.parser.push(chunk));
      } catch {
        // garbage from the master is not what these tests look at
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  static open(port: number, tls: { key: string; cert: string; ca: string }): Promise<ReplicationPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...tls });
      socket.once('secureConnect', () => resolve(new ReplicationPeer(socket)));
      socket.once('error', reject);
    });
  }

  send(message: Message): void {
    this.socket.write(serialize(message));
  }

  hello(fields: { clusterId: string; nodeId: string; nodeName: string } & Partial<HelloMessage>): void {
    this.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, epoch: 0, head: { position: 0, hash: GENESIS_HASH }, ...fields });
  }

  types(): string[] {
    return this.received.map((m) => m.type);
  }

  close(): void {
    this.socket.destroy();
  }
}
