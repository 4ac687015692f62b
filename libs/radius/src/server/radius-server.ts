import { createSocket, RemoteInfo, Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { RadiusAttribute, replyMessageAttributes } from '../packet/attributes';
import { buildResponse, ResponseCode } from '../packet/build-packet';
import { RadiusCode } from '../packet/codes';
import { DuplicateRequestCache, duplicateRequestKey } from '../packet/duplicate-request-cache';
import { parsePacket } from '../packet/parse-packet';
import { RadiusPacket } from '../packet/radius-packet';
import { decryptUserPassword } from '../packet/user-password';
import { verifyRequest } from '../packet/verify-request';

// A RADIUS client as the transport needs it: who it is, its shared secret, its MA switch.
export interface RadiusServerClient {
  clientId: string;
  name: string;
  secret: Buffer;
  requireMessageAuthenticator: boolean;
}

export interface RadiusClientLookup<C extends RadiusServerClient> {
  // By source address (exact or CIDR, most specific wins); undefined for an unknown source.
  lookup(address: string): Promise<C | undefined> | C | undefined;
}

export interface AccessRequestContext<C extends RadiusServerClient> {
  client: C;
  packet: RadiusPacket;
  address: string;
  port: number;
  username: string | undefined;
  password: Buffer | undefined; // decrypted User-Password; never log it
  state: Buffer | undefined;
}

export interface AccessAnswer {
  code: 'accept' | 'reject' | 'challenge';
  attributes?: RadiusAttribute[];
  // For logs and metrics only; never a secret.
  reason?: string;
  userId?: string;
}

export type AccessHandler<C extends RadiusServerClient> = (request: AccessRequestContext<C>) => Promise<AccessAnswer>;

export type RadiusServerOutcome =
  | 'malformed'
  | 'unknown_client'
  | 'unexpected_code'
  | 'missing_message_authenticator'
  | 'bad_authenticator'
  | 'overloaded'
  | 'duplicate_cached'
  | 'duplicate_in_progress'
  | 'accept'
  | 'reject'
  | 'challenge'
  | 'accounting'
  | 'status_server'
  | 'handler_error'
  | 'send_error';

export interface RadiusOutcomeDetails {
  address: string;
  port: number;
  clientId?: string;
  identifier?: number;
  reason?: string;
  userId?: string;
  ms?: number;
}

export interface RadiusServerOptions<C extends RadiusServerClient> {
  bindAddress: string;
  authPort: number; // 0: any free port (tests)
  acctPort?: number | null; // null: no accounting socket
  clients: RadiusClientLookup<C>;
  access: AccessHandler<C>;
  // How long a retransmission gets the cached answer (RFC 5080 §2.2.2).
  duplicateWindowMs?: number;
  // How long an unanswered request blocks its retransmissions (covers out-of-band holds).
  inProgressTtlMs?: number;
  maxInFlight?: number;
  onOutcome?: (outcome: RadiusServerOutcome, details: RadiusOutcomeDetails) => void;
  clock?: () => number;
}

const INTERNAL_ERROR_MESSAGE = 'Authentication is temporarily unavailable. Try again later.';

// The UDP transport: strict checks first (parse, known source, authenticators), duplicate
// detection, then one call to the access handler per new Access-Request. Every packet is handled
// on its own: a slow or failing one never blocks or crashes the others.
export class RadiusServer<C extends RadiusServerClient> {
  private auth?: Socket;
  private acct?: Socket;
  private readonly cache: DuplicateRequestCache;
  private readonly clock: () => number;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: RadiusServerOptions<C>) {
    this.clock = options.clock ?? Date.now;
    this.maxInFlight = options.maxInFlight ?? 4096;
    this.cache = new DuplicateRequestCache({
      ttlMs: options.duplicateWindowMs ?? 30_000,
      inProgressTtlMs: options.inProgressTtlMs ?? 120_000,
      maxEntries: 50_000,
    });
  }

  get ports(): { auth: number; acct: number | null } {
    return { auth: this.auth?.address().port ?? 0, acct: this.acct?.address().port ?? null };
  }

  async start(): Promise<{ auth: number; acct: number | null }> {
    this.auth = await this.bind(this.options.authPort, 'auth');
    if (this.options.acctPort !== null && this.options.acctPort !== undefined) {
      try {
        this.acct = await this.bind(this.options.acctPort, 'acct');
      } catch (error) {
        this.auth.close();
        throw error;
      }
    }
    return this.ports;
  }

  // Stops listening; requests already being answered finish (their answers are dropped).
  async close(): Promise<void> {
    const sockets = [this.auth, this.acct].filter((s): s is Socket => s !== undefined);
    this.auth = undefined;
    this.acct = undefined;
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    await Promise.allSettled([...this.pending]);
  }

  private bind(port: number, role: 'auth' | 'acct'): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: isIPv6(this.options.bindAddress) ? 'udp6' : 'udp4', reuseAddr: false });
      const onError = (error: Error) => reject(error);
      socket.once('error', onError);
      socket.bind(port, this.options.bindAddress, () => {
        socket.off('error', onError);
        // After binding, socket errors (ICMP unreachable on send, etc.) must not kill the process.
        socket.on('error', () => undefined);
        socket.on('message', (msg, rinfo) => this.receive(socket, role, msg, rinfo));
        resolve(socket);
      });
    });
  }

  private receive(socket: Socket, role: 'auth' | 'acct', msg: Buffer, rinfo: RemoteInfo): void {
    const task = this.handle(socket, role, msg, rinfo).catch(() => this.outcome('handler_error', { address: rinfo.address, port: rinfo.port }));
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  private outcome(outcome: RadiusServerOutcome, details: RadiusOutcomeDetails): void {
    try {
      this.options.onOutcome?.(outcome, details);
    } catch {
      // A failing metrics or log hook must not change the answer.
    }
  }

  private async handle(socket: Socket, role: 'auth' | 'acct', msg: Buffer, rinfo: RemoteInfo): Promise<void> {
    const from = { address: rinfo.address, port: rinfo.port };
    let packet: RadiusPacket;
    try {
      packet = parsePacket(msg);
    } catch {
      return this.outcome('malformed', from);
    }
    const allowed = role === 'auth'
      ? packet.code === RadiusCode.AccessRequest || packet.code === RadiusCode.StatusServer
      : packet.code === RadiusCode.AccountingRequest || packet.code === RadiusCode.StatusServer;
    if (!allowed) return this.outcome('unexpected_code', { ...from, identifier: packet.identifier });
    const found = this.options.clients.lookup(rinfo.address);
    const client = found instanceof Promise ? await found : found;
    if (!client) return this.outcome('unknown_client', { ...from, identifier: packet.identifier });
    const details: RadiusOutcomeDetails = { ...from, clientId: client.clientId, identifier: packet.identifier };
    const verified = verifyRequest(packet, client.secret, { requireMessageAuthenticator: client.requireMessageAuthenticator });
    if (!verified.ok) {
      return this.outcome(verified.reason === 'missing_message_authenticator' ? 'missing_message_authenticator' : 'bad_authenticator', { ...details, reason: verified.reason });
    }

    if (packet.code === RadiusCode.StatusServer) {
      // RFC 5997: "alive" is Access-Accept on the auth port, Accounting-Response on the acct port.
      this.send(socket, this.respond(role === 'auth' ? RadiusCode.AccessAccept : RadiusCode.AccountingResponse, packet, client), details);
      return this.outcome('status_server', details);
    }
    if (packet.code === RadiusCode.AccountingRequest) {
      // Nothing is billed here; answering stops the NAS from retrying (RFC 2866 §2).
      this.send(socket, this.respond(RadiusCode.AccountingResponse, packet, client), details);
      return this.outcome('accounting', details);
    }
    return this.access(socket, packet, client, details);
  }

  private async access(socket: Socket, packet: RadiusPacket, client: C, details: RadiusOutcomeDetails): Promise<void> {
    const key = duplicateRequestKey(details.address, details.port, packet);
    const seen = this.cache.begin(key, this.clock());
    if (seen === 'in-progress') return this.outcome('duplicate_in_progress', details);
    if (seen !== 'new') {
      this.send(socket, seen.cached, details);
      return this.outcome('duplicate_cached', details);
    }
    if (this.inFlight >= this.maxInFlight) {
      this.cache.delete(key);
      return this.outcome('overloaded', details);
    }

    let password: Buffer | undefined;
    const encrypted = packet.get('User-Password');
    if (encrypted !== undefined) {
      try {
        password = decryptUserPassword(encrypted, client.secret, packet.authenticator);
      } catch {
        this.cache.delete(key);
        return this.outcome('malformed', { ...details, reason: 'bad_user_password' });
      }
    }

    const started = this.clock();
    this.inFlight++;
    let answer: AccessAnswer;
    let failed = false;
    try {
      if (password === undefined) {
        answer = { code: 'reject', attributes: replyMessageAttributes('Only PAP (User-Password) is supported.'), reason: 'no_user_password' };
      } else {
        answer = await this.options.access({
          client, packet, address: details.address, port: details.port,
          username: packet.getString('User-Name'), password, state: packet.get('State'),
        });
      }
    } catch {
      failed = true;
      answer = { code: 'reject', attributes: replyMessageAttributes(INTERNAL_ERROR_MESSAGE), reason: 'handler_error' };
    } finally {
      this.inFlight--;
    }

    let response: Buffer;
    try {
      response = this.respond(CODES[answer.code], packet, client, answer.attributes);
    } catch {
      failed = true;
      response = this.respond(RadiusCode.AccessReject, packet, client, replyMessageAttributes(INTERNAL_ERROR_MESSAGE));
    }
    this.cache.set(key, response, this.clock());
    this.send(socket, response, details);
    this.outcome(failed ? 'handler_error' : answer.code, { ...details, reason: answer.reason, userId: answer.userId, ms: this.clock() - started });
  }

  private respond(code: ResponseCode, request: RadiusPacket, client: C, attributes: RadiusAttribute[] = []): Buffer {
    // Always signed with a Message-Authenticator, placed first (Blast-RADIUS).
    return buildResponse({ code, request, secret: client.secret, attributes });
  }

  private send(socket: Socket, response: Buffer, details: RadiusOutcomeDetails): void {
    if (socket !== this.auth && socket !== this.acct) return; // closed meanwhile
    socket.send(response, details.port, details.address, (error) => {
      if (error) this.outcome('send_error', details);
    });
  }
}

const CODES: Record<AccessAnswer['code'], ResponseCode> = {
  accept: RadiusCode.AccessAccept,
  reject: RadiusCode.AccessReject,
  challenge: RadiusCode.AccessChallenge,
};
