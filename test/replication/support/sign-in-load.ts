import { base32Decode } from '@twofold/domain';
import { generateHotp } from '@twofold/mfa';
import { createSocket, type Socket } from 'node:dgram';
import { buildRequest, parsePacket, stringAttribute, verifyResponse, type RadiusPacket } from '@twofold/radius';

// One UDP socket per user: one request in flight on it at a time.
class LoadClient {
  private constructor(private readonly socket: Socket) {}

  static async open(): Promise<LoadClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, resolve));
    return new LoadClient(socket);
  }

  exchange(secret: string, username: string, password: string, target: { host: string; port: number }, waitMs: number): Promise<RadiusPacket | undefined> {
    const request = buildRequest({ secret, userPassword: password, messageAuthenticator: true, attributes: [stringAttribute('User-Name', username)] });
    return new Promise((resolve) => {
      // Timers run before pending socket reads in a turn of the event loop: when this (busy) test
      // process wakes late, an answer that arrived in time may still be unread. One more turn
      // (setImmediate runs after the poll phase) lets it be read before the request counts as lost.
      const timer = setTimeout(() => setImmediate(() => { this.socket.off('message', onMessage); resolve(undefined); }), waitMs);
      const onMessage = (msg: Buffer) => {
        let packet: RadiusPacket;
        try { packet = parsePacket(msg); } catch { return; }
        if (packet.identifier !== request.identifier || !verifyResponse(packet, request, secret).ok) return;
        clearTimeout(timer);
        this.socket.off('message', onMessage);
        resolve(packet);
      };
      this.socket.on('message', onMessage);
      this.socket.send(request.raw, target.port, target.host);
    });
  }

  close(): void {
    this.socket.close();
  }
}

export interface HotpUser { username: string; seed: Buffer; counter: number }

export interface LoadReport {
  answered: number;
  accepted: number;
  failed: number; // Access-Reject or no answer within the client's timeout
  worstGapMs: number; // longest time without any answer while the load ran
  perBucket: number[]; // answers per 250 ms
  failures: string[];
  latencies: Array<{ at: number; ms: number }>; // each answer: when it came (epoch ms) and its round trip
}

// HOTP sign-ins over RADIUS, one request in flight per user (each user's counter moves on only
// after an answer), counting answers per 250 ms. What a RADIUS client sees; nothing server-side.
export class SignInLoad {
  private running = false;
  private loops: Promise<void>[] = [];
  private answers: number[] = [];
  private accepted = 0;
  private failures: string[] = [];
  private latencies: Array<{ at: number; ms: number }> = [];
  private startedAt = 0;
  private stoppedAt = 0;

  private readonly target: { host: string; port: number };

  constructor(target: number | { host: string; port: number }, private readonly secret: string, private readonly users: HotpUser[], private readonly timeoutMs = 3000, private readonly pauseMs = 0) {
    this.target = typeof target === 'number' ? { host: '127.0.0.1', port: target } : target;
  }

  async start(): Promise<void> {
    this.running = true;
    this.startedAt = Date.now();
    const clients = await Promise.all(this.users.map(() => LoadClient.open()));
    this.loops = this.users.map((user, i) => this.loop(user, clients[i]));
  }

  // Runs until `count` more answers arrived (for building up an outbox).
  async untilAnswered(count: number): Promise<void> {
    const target = this.answers.length + count;
    while (this.answers.length < target && this.running) await new Promise((r) => setTimeout(r, 20));
  }

  async stop(): Promise<LoadReport> {
    this.running = false;
    await Promise.all(this.loops);
    this.stoppedAt = Date.now();
    return this.report();
  }

  private async loop(user: HotpUser, client: LoadClient): Promise<void> {
    try {
      while (this.running) {
        const code = generateHotp(user.seed, user.counter);
        const sentAt = Date.now();
        const answer = await client.exchange(this.secret, user.username, code, this.target, this.timeoutMs);
        user.counter++;
        if (!answer) this.failures.push(`${user.username}: no answer within ${this.timeoutMs} ms`);
        else {
          const at = Date.now();
          this.answers.push(at);
          this.latencies.push({ at, ms: at - sentAt });
          if (answer.code === 2) this.accepted++;
          else this.failures.push(`${user.username}: RADIUS code ${answer.code}`);
        }
        if (this.pauseMs) await new Promise((r) => setTimeout(r, this.pauseMs));
      }
    } finally {
      client.close();
    }
  }

  private report(): LoadReport {
    const times = [this.startedAt, ...this.answers, this.stoppedAt].sort((a, b) => a - b);
    let worstGapMs = 0;
    for (let i = 1; i < times.length; i++) worstGapMs = Math.max(worstGapMs, times[i] - times[i - 1]);
    const perBucket = new Array(Math.max(1, Math.ceil((this.stoppedAt - this.startedAt) / 250))).fill(0);
    for (const t of this.answers) perBucket[Math.min(perBucket.length - 1, Math.floor((t - this.startedAt) / 250))]++;
    return { answered: this.answers.length, accepted: this.accepted, failed: this.failures.length, worstGapMs, perBucket, failures: this.failures.slice(0, 10), latencies: this.latencies };
  }
}

// Users with HOTP tokens whose seeds the test knows (the admin API returns each seed once).
export async function createHotpUsers(node: { api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> }, prefix: string, count: number): Promise<HotpUser[]> {
  const users: HotpUser[] = [];
  for (let i = 0; i < count; i++) {
    const username = `${prefix}${i}`;
    const created = await node.api('POST', '/admin/v1/users', { username, preferredMethod: 'totp' });
    if (created.status !== 201) throw new Error(`create ${username}: ${created.status} ${created.text}`);
    const token = await node.api('POST', `/admin/v1/users/${username}/tokens`, { kind: 'hotp' });
    if (token.status >= 300) throw new Error(`hotp token for ${username}: ${token.status} ${token.text}`);
    const secret = new URL(token.body.otpauthUri as string).searchParams.get('secret')!;
    users.push({ username, seed: Buffer.from(base32Decode(secret)), counter: 1 });
  }
  return users;
}
