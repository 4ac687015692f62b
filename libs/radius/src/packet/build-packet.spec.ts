import * as crypto from 'node:crypto';
import { integerAttribute, ipAddressAttribute, octetsAttribute, replyMessageAttributes, stringAttribute } from './attributes';
import {
  computeMessageAuthenticator,
  computeResponseAuthenticator,
  verifyAccountingRequestAuthenticator,
  verifyMessageAuthenticator,
  verifyResponseAuthenticator,
} from './authenticators';
import { buildRequest, buildResponse, encodePacket, verifyResponse } from './build-packet';
import { RadiusCode } from './codes';
import { parsePacket } from './parse-packet';
import { RadiusPacket } from './radius-packet';
import { decryptUserPassword } from './user-password';
import { packetErrorCode } from '../testing/packet-error-code';

const RFC_SECRET = 'xyzzy5461';
const RFC_REQUEST = Buffer.from(
  '010000380f403f9473978057bd83d5cb98f4227a01066e656d6f02120dbe708d93d413ce3196e43f782a0aee0406c0a80110050600000003',
  'hex',
);
const RFC_ACCEPT = Buffer.from('0200002686fe220e7624ba2a1005f6bf9b55e0b2060600000001 0f06000000000e06c0a80103'.replace(/ /g, ''), 'hex');
const SECRET = 'testing123';

const codeOf = packetErrorCode;

// Every single-bit change of `buf`, parsed where it still parses.
function* bitFlips(buf: Buffer): Generator<RadiusPacket | 'unparseable'> {
  for (let i = 0; i < buf.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const copy = Buffer.from(buf);
      copy[i] ^= 1 << bit;
      try {
        yield parsePacket(copy);
      } catch {
        yield 'unparseable';
      }
    }
  }
}

function accessRequest(extra: Parameters<typeof buildRequest>[0]['attributes'] = []): RadiusPacket {
  return buildRequest({ secret: SECRET, attributes: [stringAttribute('User-Name', 'alice'), ...extra], userPassword: 'correct horse' });
}

describe('RFC 2865 §7.1 known answers', () => {
  it('verifies the Access-Accept response authenticator against the request', () => {
    const request = parsePacket(RFC_REQUEST);
    const accept = parsePacket(RFC_ACCEPT);
    expect(verifyResponseAuthenticator(accept, request.authenticator, RFC_SECRET)).toBe(true);
    expect(verifyResponseAuthenticator(accept, request.authenticator, 'xyzzy5462')).toBe(false);
    expect(verifyResponse(accept, request, RFC_SECRET, { requireMessageAuthenticator: false })).toEqual({ ok: true });
    // The RFC example predates RFC 3579: by default an Access-Accept needs a Message-Authenticator.
    expect(verifyResponse(accept, request, RFC_SECRET)).toEqual({ ok: false, reason: 'missing_message_authenticator' });
  });

  it('builds the exact Access-Accept bytes when Message-Authenticator is off', () => {
    const sut = buildResponse({
      code: RadiusCode.AccessAccept,
      request: parsePacket(RFC_REQUEST),
      secret: RFC_SECRET,
      messageAuthenticator: false,
      attributes: [integerAttribute('Service-Type', 1), integerAttribute('Login-Service', 0), ipAddressAttribute('Login-IP-Host', '192.168.1.3')],
    });
    expect(sut.toString('hex')).toBe(RFC_ACCEPT.toString('hex'));
  });
});

describe('buildResponse', () => {
  it('puts Message-Authenticator first and signs it with the request authenticator', () => {
    const request = accessRequest();
    const raw = buildResponse({ code: RadiusCode.AccessAccept, request, secret: SECRET, attributes: replyMessageAttributes('welcome') });
    const sut = parsePacket(raw);
    expect(sut.identifier).toBe(request.identifier);
    expect(sut.attributes[0].type).toBe(80);
    expect(sut.getString('Reply-Message')).toBe('welcome');
    expect(verifyMessageAuthenticator(sut, SECRET, request.authenticator)).toBe(true);
    expect(verifyMessageAuthenticator(sut, SECRET)).toBe(false); // a response needs the request authenticator
    expect(verifyMessageAuthenticator(sut, SECRET, crypto.randomBytes(16))).toBe(false);
    expect(verifyResponse(sut, request, SECRET)).toEqual({ ok: true });
  });

  it('copies Proxy-State attributes from the request, in order, after the reply attributes', () => {
    const request = accessRequest([octetsAttribute('Proxy-State', Buffer.from('first')), octetsAttribute('Proxy-State', Buffer.from('second'))]);
    const sut = parsePacket(buildResponse({ code: RadiusCode.AccessReject, request, secret: SECRET, attributes: replyMessageAttributes('no') }));
    expect(sut.attributes.map((a) => a.type)).toEqual([80, 18, 33, 33]);
    expect(sut.getAll('Proxy-State').map(String)).toEqual(['first', 'second']);
    expect(verifyResponse(sut, request, SECRET)).toEqual({ ok: true });
  });

  it('answers an Accounting-Request with an Accounting-Response the sender can verify', () => {
    const request = buildRequest({ code: RadiusCode.AccountingRequest, secret: SECRET, attributes: [integerAttribute('Acct-Status-Type', 1)] });
    const sut = parsePacket(buildResponse({ code: RadiusCode.AccountingResponse, request, secret: SECRET }));
    expect(sut.code).toBe(RadiusCode.AccountingResponse);
    expect(verifyResponse(sut, request, SECRET)).toEqual({ ok: true });
  });

  it('signs an Accounting-Response Message-Authenticator over a zero authenticator, as FreeRADIUS checks it', () => {
    const request = buildRequest({ code: RadiusCode.AccountingRequest, secret: SECRET });
    const sut = parsePacket(buildResponse({ code: RadiusCode.AccountingResponse, request, secret: SECRET }));
    const expected = computeMessageAuthenticator(sut.raw, 22, Buffer.alloc(16), SECRET);
    expect(sut.get('Message-Authenticator')).toEqual(expected);
    expect(verifyMessageAuthenticator(sut, SECRET)).toBe(true);
  });

  it('detects every single-bit change of a signed response', () => {
    const request = accessRequest([octetsAttribute('Proxy-State', Buffer.from('p'))]);
    const raw = buildResponse({ code: RadiusCode.AccessChallenge, request, secret: SECRET, attributes: [octetsAttribute('State', Buffer.from('abc'))] });
    let checked = 0;
    for (const tampered of bitFlips(raw)) {
      if (tampered === 'unparseable') continue;
      checked++;
      expect(verifyResponse(tampered, request, SECRET).ok).toBe(false);
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('refuses codes that do not answer the request and attributes it adds itself', () => {
    const request = accessRequest();
    expect(codeOf(() => buildResponse({ code: RadiusCode.AccountingResponse, request, secret: SECRET }))).toBe('invalid_code');
    expect(codeOf(() => buildResponse({ code: 1 as typeof RadiusCode.AccessAccept, request, secret: SECRET }))).toBe('invalid_code');
    expect(codeOf(() => buildResponse({ code: 2, request, secret: SECRET, attributes: [octetsAttribute(80, Buffer.alloc(16))] }))).toBe('invalid_attribute');
    expect(codeOf(() => buildResponse({ code: 2, request, secret: SECRET, attributes: [octetsAttribute(33, Buffer.alloc(1))] }))).toBe('invalid_attribute');
    expect(codeOf(() => buildResponse({ code: 2, request, secret: '' }))).toBe('invalid_secret');
  });

  it('refuses a response over 4096 bytes', () => {
    const request = accessRequest();
    const attributes = replyMessageAttributes('x'.repeat(5000));
    expect(attributes).toHaveLength(20);
    expect(codeOf(() => buildResponse({ code: RadiusCode.AccessReject, request, secret: SECRET, attributes }))).toBe('too_long');
  });
});

describe('verifyResponse', () => {
  const request = accessRequest();

  it('rejects an answer to another request', () => {
    const other = buildRequest({ secret: SECRET, identifier: (request.identifier + 1) % 256, attributes: [stringAttribute('User-Name', 'bob')] });
    const raw = buildResponse({ code: RadiusCode.AccessAccept, request: other, secret: SECRET });
    expect(verifyResponse(parsePacket(raw), request, SECRET)).toEqual({ ok: false, reason: 'identifier_mismatch' });
    const sameId = buildRequest({ secret: SECRET, identifier: request.identifier });
    const raw2 = buildResponse({ code: RadiusCode.AccessAccept, request: sameId, secret: SECRET });
    expect(verifyResponse(parsePacket(raw2), request, SECRET)).toEqual({ ok: false, reason: 'bad_response_authenticator' });
  });

  it('rejects the wrong secret and the wrong kind of answer', () => {
    const raw = buildResponse({ code: RadiusCode.AccessAccept, request, secret: SECRET });
    expect(verifyResponse(parsePacket(raw), request, 'other')).toEqual({ ok: false, reason: 'bad_response_authenticator' });
    const acct = encodePacket(RadiusCode.AccountingResponse, request.identifier, request.authenticator, []);
    computeResponseAuthenticator(acct, request.authenticator, SECRET).copy(acct, 4);
    expect(verifyResponse(parsePacket(acct), request, SECRET)).toEqual({ ok: false, reason: 'unexpected_code' });
  });

  it('rejects a correct response authenticator over a wrong Message-Authenticator', () => {
    // What a Blast-RADIUS forgery looks like from the client side: the MD5 response authenticator
    // matches but the HMAC does not.
    const raw = encodePacket(RadiusCode.AccessAccept, request.identifier, request.authenticator, [{ type: 80, value: Buffer.alloc(16) }]);
    computeMessageAuthenticator(raw, 22, request.authenticator, 'not-the-secret').copy(raw, 22);
    computeResponseAuthenticator(raw, request.authenticator, SECRET).copy(raw, 4);
    expect(verifyResponse(parsePacket(raw), request, SECRET)).toEqual({ ok: false, reason: 'bad_message_authenticator' });
  });

  it('requires Message-Authenticator on Access-* answers unless told not to', () => {
    const raw = buildResponse({ code: RadiusCode.AccessReject, request, secret: SECRET, messageAuthenticator: false });
    expect(verifyResponse(parsePacket(raw), request, SECRET)).toEqual({ ok: false, reason: 'missing_message_authenticator' });
    expect(verifyResponse(parsePacket(raw), request, SECRET, { requireMessageAuthenticator: false })).toEqual({ ok: true });
  });

  it('accepts an Accounting-Response without Message-Authenticator by default', () => {
    const acctRequest = buildRequest({ code: RadiusCode.AccountingRequest, secret: SECRET, messageAuthenticator: false });
    const raw = buildResponse({ code: RadiusCode.AccountingResponse, request: acctRequest, secret: SECRET, messageAuthenticator: false });
    expect(verifyResponse(parsePacket(raw), acctRequest, SECRET)).toEqual({ ok: true });
  });
});

describe('buildRequest', () => {
  it('builds an Access-Request with Message-Authenticator first and an encrypted password', () => {
    const sut = buildRequest({ secret: SECRET, identifier: 42, attributes: [stringAttribute('User-Name', 'alice')], userPassword: 'correct horse' });
    expect(sut.code).toBe(RadiusCode.AccessRequest);
    expect(sut.identifier).toBe(42);
    expect(sut.attributes.map((a) => a.type)).toEqual([80, 1, 2]);
    expect(sut.raw.includes(Buffer.from('correct horse'))).toBe(false);
    expect(decryptUserPassword(sut.get('User-Password')!, SECRET, sut.authenticator).toString()).toBe('correct horse');
    expect(verifyMessageAuthenticator(sut, SECRET)).toBe(true);
    expect(verifyMessageAuthenticator(sut, 'other')).toBe(false);
    expect(verifyMessageAuthenticator(sut, '')).toBe(false);
  });

  it('uses a fresh random authenticator each time', () => {
    expect(accessRequest().authenticator.equals(accessRequest().authenticator)).toBe(false);
  });

  it('returns false for a request without Message-Authenticator', () => {
    const sut = buildRequest({ secret: SECRET, messageAuthenticator: false, attributes: [stringAttribute('User-Name', 'a')] });
    expect(sut.has('Message-Authenticator')).toBe(false);
    expect(verifyMessageAuthenticator(sut, SECRET)).toBe(false);
  });

  it('detects every single-bit change of a signed request', () => {
    const raw = accessRequest([stringAttribute('NAS-Identifier', 'vpn')]).raw;
    let checked = 0;
    for (const tampered of bitFlips(raw)) {
      if (tampered === 'unparseable') continue;
      checked++;
      expect(verifyMessageAuthenticator(tampered, SECRET)).toBe(false);
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('signs Status-Server with Message-Authenticator (RFC 5997)', () => {
    const sut = buildRequest({ code: RadiusCode.StatusServer, secret: SECRET });
    expect(verifyMessageAuthenticator(sut, SECRET)).toBe(true);
    const reply = parsePacket(buildResponse({ code: RadiusCode.AccessAccept, request: sut, secret: SECRET }));
    expect(verifyResponse(reply, sut, SECRET)).toEqual({ ok: true });
  });

  it('builds an Accounting-Request whose authenticator and Message-Authenticator verify (RFC 2866, RFC 5080)', () => {
    const sut = buildRequest({
      code: RadiusCode.AccountingRequest,
      secret: SECRET,
      attributes: [integerAttribute('Acct-Status-Type', 1), stringAttribute('Acct-Session-Id', 's1')],
    });
    expect(sut.attributes[0].type).toBe(80);
    expect(verifyAccountingRequestAuthenticator(sut, SECRET)).toBe(true);
    expect(verifyAccountingRequestAuthenticator(sut, 'other')).toBe(false);
    expect(verifyMessageAuthenticator(sut, SECRET)).toBe(true);
    for (const tampered of bitFlips(sut.raw)) {
      if (tampered === 'unparseable' || tampered.code !== RadiusCode.AccountingRequest) continue;
      expect(verifyAccountingRequestAuthenticator(tampered, SECRET)).toBe(false);
    }
  });

  it('only checks the accounting authenticator on Accounting-Requests', () => {
    expect(verifyAccountingRequestAuthenticator(accessRequest(), SECRET)).toBe(false);
  });

  it('refuses attributes it owns and passwords where they do not belong', () => {
    expect(codeOf(() => buildRequest({ secret: SECRET, attributes: [octetsAttribute('User-Password', Buffer.from('plain'))] }))).toBe('invalid_attribute');
    expect(codeOf(() => buildRequest({ secret: SECRET, attributes: [octetsAttribute(80, Buffer.alloc(16))] }))).toBe('invalid_attribute');
    expect(codeOf(() => buildRequest({ code: RadiusCode.AccountingRequest, secret: SECRET, userPassword: 'x' }))).toBe('invalid_attribute');
    expect(codeOf(() => buildRequest({ secret: SECRET, identifier: 256 }))).toBe('invalid_identifier');
    expect(codeOf(() => buildRequest({ secret: SECRET, userPassword: 'x'.repeat(129) }))).toBe('password_too_long');
  });
});

describe('constant-time comparison', () => {
  afterEach(() => jest.restoreAllMocks());

  it('compares Message-Authenticator, request and response authenticators with timingSafeEqual', () => {
    // The module object itself (not an import-interop copy), which is what the code under test calls into.
    const spy = jest.spyOn(jest.requireActual<typeof crypto>('node:crypto'), 'timingSafeEqual');
    const request = accessRequest();
    verifyMessageAuthenticator(request, SECRET);
    expect(spy).toHaveBeenCalledTimes(1);
    verifyResponse(parsePacket(buildResponse({ code: RadiusCode.AccessAccept, request, secret: SECRET })), request, SECRET);
    expect(spy).toHaveBeenCalledTimes(3);
    verifyAccountingRequestAuthenticator(buildRequest({ code: RadiusCode.AccountingRequest, secret: SECRET, messageAuthenticator: false }), SECRET);
    expect(spy).toHaveBeenCalledTimes(4);
  });
});
