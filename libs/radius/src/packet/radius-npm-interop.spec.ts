import { integerAttribute, stringAttribute } from './attributes';
import { buildRequest, buildResponse, verifyResponse } from './build-packet';
import { RadiusCode } from './codes';
import { parsePacket } from './parse-packet';

// A second, independent implementation (npm `radius`) as a peer. It is only a test partner here:
// its own checks are too lax to rely on in production code.
const SECRET = 'npm-interop';

// The package ships no types; just the calls used here.
interface DecodedPacket {
  code: string;
  attributes: Record<string, unknown>;
}
interface RadiusNpm {
  decode(args: { packet: Buffer; secret: string }): DecodedPacket;
  encode_response(args: { packet: DecodedPacket; code: string; secret: string; attributes: Array<[string, string]> }): Buffer;
  verify_response(args: { response: Buffer; request: Buffer; secret: string }): boolean;
}
const radius = jest.requireActual<RadiusNpm>('radius');

describe('interop with the npm radius package', () => {
  it('decodes our Access-Request: Message-Authenticator verifies and the password decrypts', () => {
    const request = buildRequest({ secret: SECRET, attributes: [stringAttribute('User-Name', 'bob'), integerAttribute('NAS-Port', 7)], userPassword: 'p@ss-wörd' });
    const decoded = radius.decode({ packet: request.raw, secret: SECRET });
    expect(decoded.code).toBe('Access-Request');
    expect(decoded.attributes['User-Name']).toBe('bob');
    expect(decoded.attributes['User-Password']).toBe('p@ss-wörd');
    expect(decoded.attributes['NAS-Port']).toBe(7);
    expect(() => radius.decode({ packet: request.raw, secret: 'other' })).toThrow(/Message-Authenticator/);
  });

  it('accepts its signed Access-Accept, and it accepts ours', () => {
    const request = buildRequest({ secret: SECRET, attributes: [stringAttribute('User-Name', 'bob')], userPassword: 'x' });
    const theirs = radius.encode_response({
      packet: radius.decode({ packet: request.raw, secret: SECRET }),
      code: 'Access-Accept',
      secret: SECRET,
      attributes: [['Reply-Message', 'hi']],
    });
    const response = parsePacket(theirs);
    expect(response.has('Message-Authenticator')).toBe(true);
    expect(verifyResponse(response, request, SECRET)).toEqual({ ok: true });

    const ours = buildResponse({ code: RadiusCode.AccessAccept, request, secret: SECRET, attributes: [stringAttribute('Reply-Message', 'hi')] });
    expect(radius.verify_response({ response: ours, request: request.raw, secret: SECRET })).toBe(true);
    expect(radius.verify_response({ response: ours, request: request.raw, secret: 'other' })).toBe(false);
  });
});
