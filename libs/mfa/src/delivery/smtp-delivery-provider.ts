import { randomUUID } from 'node:crypto';
import { connect as netConnect, Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import { DeliveryMessage, DeliveryProvider, DeliveryReceipt } from './delivery-provider';
import { DeliveryError } from './delivery.error';

export interface SmtpOptions {
  host: string;
  port: number;
  from: string; // envelope and From: address
  startTls?: boolean; // require STARTTLS before MAIL FROM (the relay must offer it)
  ca?: Buffer[]; // trust for STARTTLS (else the system store)
  timeoutMs?: number; // per reply; default 10000
  heloName?: string;
}

// A mailbox address without anything that could break out of a header or an SMTP command.
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && ADDRESS.test(value);
}

// E-mail through an SMTP relay (RFC 5321): EHLO, STARTTLS when asked, one message per
// connection, the body base64 (UTF-8) so no line of the text can end the DATA. Errors name the
// SMTP stage and reply code, never the message (it holds the one-time code).
export class SmtpDeliveryProvider implements DeliveryProvider {
  private readonly timeoutMs: number;

  constructor(private readonly options: SmtpOptions) {
    if (!isEmailAddress(options.from)) throw new DeliveryError('invalid_config', 'the SMTP sender address is not an e-mail address');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async send(message: DeliveryMessage): Promise<DeliveryReceipt> {
    if (message.channel !== 'email') throw new DeliveryError('delivery_failed', `the SMTP provider sends e-mail only, not ${message.channel}`);
    if (!isEmailAddress(message.to)) throw new DeliveryError('delivery_failed', 'the recipient is not an e-mail address');
    const messageId = `${randomUUID()}@${this.options.heloName ?? 'twofold'}`;
    const session = await SmtpSession.open(this.options, this.timeoutMs);
    try {
      await session.expect('greeting', 220);
      const helo = this.options.heloName ?? 'twofold';
      let features = await session.command('EHLO', `EHLO ${helo}`, 250);
      if (this.options.startTls) {
        if (!/^STARTTLS$/im.test(features.join('\n'))) throw new DeliveryError('delivery_failed', 'the SMTP relay does not offer STARTTLS');
        await session.command('STARTTLS', 'STARTTLS', 220);
        await session.upgrade(this.options);
        features = await session.command('EHLO', `EHLO ${helo}`, 250);
      }
      await session.command('MAIL FROM', `MAIL FROM:<${this.options.from}>`, 250);
      await session.command('RCPT TO', `RCPT TO:<${message.to}>`, 250, 251);
      await session.command('DATA', 'DATA', 354);
      await session.command('message', `${mime(this.options.from, message, messageId)}\r\n.`, 250);
      await session.command('QUIT', 'QUIT', 221).catch(() => undefined);
    } finally {
      session.close();
    }
    return { providerMessageId: messageId };
  }
}

const encodedWord = (text: string) => `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;

function mime(from: string, message: DeliveryMessage, messageId: string): string {
  const body = Buffer.from(message.text, 'utf8').toString('base64').replace(/(.{76})/g, '$1\r\n');
  return [
    `From: <${from}>`, `To: <${message.to}>`, `Subject: ${encodedWord(message.metadata?.subject ?? 'Twofold')}`,
    `Date: ${new Date().toUTCString()}`, `Message-ID: <${messageId}>`, 'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', body,
  ].join('\r\n');
}

// One SMTP connection: writes a line, reads one (possibly multi-line) reply.
class SmtpSession {
  private buffered = '';
  private lines: string[] = [];
  private waiting?: () => void;
  private failure?: Error;

  private constructor(private socket: Socket | TLSSocket, private readonly timeoutMs: number) {
    this.attach(socket);
  }

  static open(options: SmtpOptions, timeoutMs: number): Promise<SmtpSession> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host: options.host, port: options.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new DeliveryError('delivery_timeout', 'the SMTP relay did not accept the connection in time'));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new SmtpSession(socket, timeoutMs));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new DeliveryError('delivery_failed', `cannot connect to the SMTP relay (${err.code ?? 'error'})`));
      });
    });
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      if (this.buffered.length > 64 * 1024) this.fail(new DeliveryError('delivery_failed', 'the SMTP relay sent an over-long reply'));
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        this.lines.push(this.buffered.slice(0, nl).replace(/\r$/, ''));
        this.buffered = this.buffered.slice(nl + 1);
      }
      this.waiting?.();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(new DeliveryError('delivery_failed', `SMTP connection failed (${err.code ?? 'error'})`)));
    socket.on('close', () => this.fail(new DeliveryError('delivery_failed', 'the SMTP relay closed the connection')));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.waiting?.();
  }

  // STARTTLS: the same TCP connection, now TLS, checked against the relay's host name.
  async upgrade(options: SmtpOptions): Promise<void> {
    const plain = this.socket as Socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    this.socket = await new Promise<TLSSocket>((resolve, reject) => {
      const secure = tlsConnect({ socket: plain, servername: /^[\d.]+$|:/.test(options.host) ? undefined : options.host, host: options.host, ...(options.ca ? { ca: options.ca } : {}) });
      secure.once('secureConnect', () => resolve(secure));
      secure.once('error', (err: NodeJS.ErrnoException) => reject(new DeliveryError('delivery_failed', `SMTP STARTTLS failed (${err.code ?? err.message})`)));
    });
    this.attach(this.socket);
  }

  async command(stage: string, line: string, ...ok: number[]): Promise<string[]> {
    this.socket.write(`${line}\r\n`);
    return this.expect(stage, ...ok);
  }

  // A reply: "250-first", "250-second", "250 last"; the codes in `ok` are success.
  async expect(stage: string, ...ok: number[]): Promise<string[]> {
    const reply: string[] = [];
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      while (this.lines.length) {
        const line = this.lines.shift()!;
        reply.push(line.slice(4));
        if (line[3] !== '-') {
          const code = Number(line.slice(0, 3));
          if (!ok.includes(code)) throw new DeliveryError('delivery_failed', `the SMTP relay refused ${stage} (${Number.isFinite(code) ? code : 'no code'})`);
          return reply;
        }
      }
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new DeliveryError('delivery_timeout', `the SMTP relay did not answer ${stage} in time`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiting = () => {
          clearTimeout(timer);
          this.waiting = undefined;
          resolve();
        };
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
