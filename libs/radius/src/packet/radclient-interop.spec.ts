import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { AddressInfo } from 'node:net';
import { integerAttribute, octetsAttribute, replyMessageAttributes } from './attributes';
import { computeMessageAuthenticator, computeResponseAuthenticator, verifyAccountingRequestAuthenticator, verifyMessageAuthenticator } from './authenticators';
import { buildResponse, encodePacket } from './build-packet';
import { RadiusCode } from './codes';
import { parsePacket } from './parse-packet';
import { RadiusPacket } from './radius-packet';
import { decryptUserPassword } from './user-password';
import { verifyRequest } from './verify-request';

// Interop with FreeRADIUS's radclient: it builds the requests and checks our answers.
const hasRadclient = spawnSync('radclient', ['-v']).status === 0;
const describeIfRadclient = hasRadclient ? describe : describe.skip;
if (!hasRadclient) console.warn('radclient not installed: skipping RADIUS interop specs');

const SECRET = 'interop-s3cret';

interface Exchange {
  exitCode: number | null;
  stdout: string;
  requests: RadiusPacket[];
}

// One radclient run against an in-test UDP listener whose answers come from `answer`.
async function exchange(command: 'auth' | 'acct' | 'status', input: string, answer: (request: RadiusPacket) => Buffer | undefined): Promise<Exchange> {
  const socket = createSocket('udp4');
  const requests: RadiusPacket[] = [];
  socket.on('message', (msg, rinfo) => {
    const request = parsePacket(msg);
    requests.push(request);
    const reply = answer(request);
    if (reply !== undefined) socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  try {
    const child = spawn('radclient', ['-x', '-r', '1', '-t', '2', `127.0.0.1:${port}`, command, SECRET]);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stdin.end(input);
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { exitCode, stdout, requests };
  } finally {
    socket.close();
  }
}

const AUTH_INPUT = ['User-Name = "alice"', 'User-Password = "correct horse battery staple"', 'Message-Authenticator = 0x00', 'Proxy-State = 0x6869', ''].join('\n');

describeIfRadclient('radclient interop', () => {
  jest.setTimeout(20_000);

  it('accepts radclient Access-Requests and radclient accepts our signed Access-Accept', async () => {
    const result = await exchange('auth', AUTH_INPUT, (request) =>
      buildResponse({ code: RadiusCode.AccessAccept, request, secret: SECRET, attributes: replyMessageAttributes('Welcome, alice') }),
    );
    expect(result.requests).toHaveLength(1);
    const [request] = result.requests;
    expect(request.code).toBe(RadiusCode.AccessRequest);
    expect(request.getString('User-Name')).toBe('alice');
    expect(verifyMessageAuthenticator(request, SECRET)).toBe(true);
    expect(verifyMessageAuthenticator(request, 'wrong')).toBe(false);
    expect(verifyRequest(request, SECRET)).toEqual({ ok: true, messageAuthenticator: true });
    expect(decryptUserPassword(request.get('User-Password')!, SECRET, request.authenticator).toString()).toBe('correct horse battery staple');
    expect(result.stdout).toContain('Received Access-Accept');
    expect(result.stdout).toContain('Welcome, alice');
    expect(result.stdout).toMatch(/Proxy-State = 0x6869/);
    expect(result.exitCode).toBe(0);
  });

  it('radclient refuses an answer signed with the wrong secret', async () => {
    const result = await exchange('auth', AUTH_INPUT, (request) => buildResponse({ code: RadiusCode.AccessAccept, request, secret: 'not-the-secret' }));
    expect(result.stdout).not.toContain('Received Access-Accept');
    expect(result.exitCode).not.toBe(0);
  });

  it('radclient refuses a right response authenticator over a wrong Message-Authenticator', async () => {
    const result = await exchange('auth', AUTH_INPUT, (request) => {
      const raw = encodePacket(RadiusCode.AccessAccept, request.identifier, request.authenticator, [octetsAttribute(80, Buffer.alloc(16))]);
      computeMessageAuthenticator(raw, 22, request.authenticator, 'not-the-secret').copy(raw, 22);
      computeResponseAuthenticator(raw, request.authenticator, SECRET).copy(raw, 4);
      return raw;
    });
    expect(result.stdout).not.toContain('Received Access-Accept');
    expect(result.exitCode).not.toBe(0);
  });

  it('verifies radclient Accounting-Requests (authenticator and Message-Authenticator) and answers them', async () => {
    const input = ['Acct-Status-Type = Start', 'User-Name = "alice"', 'Acct-Session-Id = "s-1"', 'Message-Authenticator = 0x00', ''].join('\n');
    const result = await exchange('acct', input, (request) => buildResponse({ code: RadiusCode.AccountingResponse, request, secret: SECRET }));
    const [request] = result.requests;
    expect(request.code).toBe(RadiusCode.AccountingRequest);
    expect(request.getInteger('Acct-Status-Type')).toBe(1);
    expect(verifyAccountingRequestAuthenticator(request, SECRET)).toBe(true);
    expect(verifyAccountingRequestAuthenticator(request, 'wrong')).toBe(false);
    expect(verifyMessageAuthenticator(request, SECRET)).toBe(true);
    expect(verifyRequest(request, SECRET)).toEqual({ ok: true, messageAuthenticator: true });
    expect(result.stdout).toContain('Received Accounting-Response');
    expect(result.exitCode).toBe(0);
  });

  it('answers radclient Status-Server (RFC 5997) with a signed Access-Accept', async () => {
    const result = await exchange('status', 'Message-Authenticator = 0x00\n', (request) =>
      buildResponse({ code: RadiusCode.AccessAccept, request, secret: SECRET }),
    );
    const [request] = result.requests;
    expect(request.code).toBe(RadiusCode.StatusServer);
    expect(verifyMessageAuthenticator(request, SECRET)).toBe(true);
    expect(result.stdout).toContain('Received Access-Accept');
    expect(result.exitCode).toBe(0);
  });

  it('answers an Access-Challenge with a State that radclient shows', async () => {
    const result = await exchange('auth', AUTH_INPUT, (request) =>
      buildResponse({
        code: RadiusCode.AccessChallenge,
        request,
        secret: SECRET,
        attributes: [...replyMessageAttributes('Enter your code'), octetsAttribute('State', Buffer.from('abcdef', 'hex')), integerAttribute('Session-Timeout', 60)],
      }),
    );
    expect(result.stdout).toContain('Received Access-Challenge');
    expect(result.stdout).toMatch(/State = 0xabcdef/);
  });
});
