import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';

export interface ReceivedMail { from: string; to: string[]; headers: Record<string, string>; subject: string; text: string; tls: boolean }

// A tiny real SMTP server on a local socket, for tests: EHLO/HELO, MAIL, RCPT, DATA, RSET, QUIT
// (RFC 5321; STARTTLS with a throw-away certificate for 127.0.0.1 when started with tls; no AUTH). It keeps every message it accepted, decoded (base64 or 8bit bodies,
// RFC 2047 B-encoded subjects). `refuseRecipients` answers 550 to RCPT for those addresses.
export class SmtpListener {
  readonly received: ReceivedMail[] = [];
  readonly refuseRecipients = new Set<string>();
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number, readonly tls?: { key: Buffer; cert: Buffer }) {}

  static async start(opts: { tls?: boolean } = {}): Promise<SmtpListener> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const listener = new SmtpListener(server, (server.address() as { port: number }).port, opts.tls ? selfSigned() : undefined);
    server.on('connection', (socket) => listener.session(socket));
    return listener;
  }

  private session(plain: Socket): void {
    let socket: Socket = plain;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(plain));
    socket.on('error', () => socket.destroy());
    socket.setEncoding('utf8');
    let secure = false;
    let buffer = '';
    let inData = false;
    let data: string[] = [];
    let envelope: { from: string; to: string[] } = { from: '', to: [] };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 test-smtp ESMTP ready');
    const onData = (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            this.received.push({ ...envelope, ...decode(data), tls: secure });
            envelope = { from: '', to: [] };
            reply('250 2.0.0 queued');
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') reply(`250-test-smtp${this.tls && !secure ? '\r\n250-STARTTLS' : ''}\r\n250-8BITMIME\r\n250 SIZE 1048576`);
        else if (line.toUpperCase() === 'STARTTLS' && this.tls && !secure) {
          reply('220 2.0.0 go ahead');
          socket.removeListener('data', onData);
          const upgraded = new TLSSocket(socket, { isServer: true, key: this.tls.key, cert: this.tls.cert });
          upgraded.on('error', () => upgraded.destroy());
          upgraded.setEncoding('utf8');
          upgraded.on('data', onData);
          socket = upgraded;
          secure = true;
          buffer = '';
          envelope = { from: '', to: [] };
          return;
        }
        else if (verb === 'HELO') reply('250 test-smtp');
        else if (/^MAIL FROM:<([^>]*)>/i.test(line)) {
          envelope.from = /^MAIL FROM:<([^>]*)>/i.exec(line)![1];
          reply('250 2.1.0 ok');
        } else if (/^RCPT TO:<([^>]*)>/i.test(line)) {
          const to = /^RCPT TO:<([^>]*)>/i.exec(line)![1];
          if (this.refuseRecipients.has(to)) reply('550 5.1.1 no such user');
          else {
            envelope.to.push(to);
            reply('250 2.1.5 ok');
          }
        } else if (verb === 'DATA') {
          if (envelope.to.length === 0) reply('554 5.5.1 no valid recipients');
          else {
            inData = true;
            data = [];
            reply('354 end with <CRLF>.<CRLF>');
          }
        } else if (verb === 'RSET') {
          envelope = { from: '', to: [] };
          reply('250 ok');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('502 5.5.2 not implemented');
      }
    };
    socket.on('data', onData);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function decode(lines: string[]): Omit<ReceivedMail, 'from' | 'to' | 'tls'> {
  const blank = lines.indexOf('');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(0, blank)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = lines.slice(blank + 1).join('\r\n');
  const text = /base64/i.test(headers['content-transfer-encoding'] ?? '') ? Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8') : body;
  const subject = (headers.subject ?? '').replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
  return { headers, subject, text };
}

// A self-signed certificate for 127.0.0.1 (the relay's name as the client dials it).
function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'twofold-smtp-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir, stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
