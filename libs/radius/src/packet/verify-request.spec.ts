import { octetsAttribute, stringAttribute } from './attributes';
import { buildRequest, buildResponse, encodePacket } from './build-packet';
import { RadiusCode } from './codes';
import { parsePacket } from './parse-packet';
import { verifyRequest } from './verify-request';

const SECRET = 'srv-secret';

describe('verifyRequest', () => {
  it('accepts a signed Access-Request and refuses the wrong secret', () => {
    const sut = buildRequest({ secret: SECRET, attributes: [stringAttribute('User-Name', 'a')], userPassword: 'pw' });
    expect(verifyRequest(sut, SECRET)).toEqual({ ok: true, messageAuthenticator: true });
    expect(verifyRequest(sut, 'other')).toEqual({ ok: false, reason: 'bad_message_authenticator' });
  });

  it('requires Message-Authenticator unless the client is marked legacy', () => {
    const sut = buildRequest({ secret: SECRET, messageAuthenticator: false, userPassword: 'pw' });
    expect(verifyRequest(sut, SECRET)).toEqual({ ok: false, reason: 'missing_message_authenticator' });
    expect(verifyRequest(sut, SECRET, { requireMessageAuthenticator: false })).toEqual({ ok: true, messageAuthenticator: false });
  });

  it('still checks a Message-Authenticator a legacy client does send', () => {
    const sut = buildRequest({ secret: 'other', userPassword: 'pw' });
    expect(verifyRequest(sut, SECRET, { requireMessageAuthenticator: false })).toEqual({ ok: false, reason: 'bad_message_authenticator' });
  });

  it('drops an unsigned request carrying Proxy-State even for legacy clients (Blast-RADIUS)', () => {
    const sut = buildRequest({ secret: SECRET, messageAuthenticator: false, attributes: [octetsAttribute('Proxy-State', Buffer.from('x'))] });
    expect(verifyRequest(sut, SECRET, { requireMessageAuthenticator: false })).toEqual({ ok: false, reason: 'proxy_state_without_message_authenticator' });
  });

  it('always requires Message-Authenticator on Status-Server', () => {
    expect(verifyRequest(buildRequest({ code: RadiusCode.StatusServer, secret: SECRET }), SECRET).ok).toBe(true);
    const unsigned = buildRequest({ code: RadiusCode.StatusServer, secret: SECRET, messageAuthenticator: false });
    expect(verifyRequest(unsigned, SECRET, { requireMessageAuthenticator: false })).toEqual({ ok: false, reason: 'missing_message_authenticator' });
  });

  it('checks the Accounting-Request authenticator, with or without Message-Authenticator', () => {
    const signed = buildRequest({ code: RadiusCode.AccountingRequest, secret: SECRET });
    expect(verifyRequest(signed, SECRET)).toEqual({ ok: true, messageAuthenticator: true });
    const plain = buildRequest({ code: RadiusCode.AccountingRequest, secret: SECRET, messageAuthenticator: false });
    expect(verifyRequest(plain, SECRET)).toEqual({ ok: true, messageAuthenticator: false });
    expect(verifyRequest(plain, 'other')).toEqual({ ok: false, reason: 'bad_request_authenticator' });
    const forged = parsePacket(encodePacket(RadiusCode.AccountingRequest, 1, Buffer.alloc(16, 9), []));
    expect(verifyRequest(forged, SECRET)).toEqual({ ok: false, reason: 'bad_request_authenticator' });
  });

  it('refuses responses sent to the server port', () => {
    const request = buildRequest({ secret: SECRET });
    const response = parsePacket(buildResponse({ code: RadiusCode.AccessAccept, request, secret: SECRET }));
    expect(verifyRequest(response, SECRET)).toEqual({ ok: false, reason: 'not_a_request' });
  });
});
