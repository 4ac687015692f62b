import { createServer, Server, Socket } from 'node:net';

export interface ReceivedMail { from: string; to: string[]; headers: Record<string, string>; subject: string; text: string }

// A tiny real SMTP server on a local socket, for tests: EHLO/HELO, MAIL, RCPT, DATA, RSET, QUIT
// (RFC 5321, no TLS, no AUTH). It keeps every message it accepted, decoded (base64 or 8bit bodies,
// RFC 2047 B-encoded subjects). `refuseRecipients` answers 550 to RCPT for those addresses.
export class SmtpListener {
  readonly received: ReceivedMail[] = [];
  readonly refuseRecipients = new Set<string>();
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(): Promise<SmtpListener> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const listener = new SmtpListener(server, (server.address() as { port: number }).port);
    server.on('connection', (socket) => listener.session(socket));
    return listener;
  }

  private session(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let data: string[] = [];
    let envelope: { from: string; to: string[] } = { from: '', to: [] };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 test-smtp ESMTP ready');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            this.received.push({ ...envelope, ...decode(data) });
            envelope = { from: '', to: [] };
            reply('250 2.0.0 queued');
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') reply('250-test-smtp\r\n250-8BITMIME\r\n250 SIZE 1048576');
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
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function decode(lines: string[]): Omit<ReceivedMail, 'from' | 'to'> {
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
