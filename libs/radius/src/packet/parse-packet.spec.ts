import { randomBytes } from 'node:crypto';
import { parsePacket } from './parse-packet';
import { RadiusPacketError, RadiusPacketErrorCode } from './radius-packet-error';
import { packetErrorCode } from '../testing/packet-error-code';

// RFC 2865 §7.1 Access-Request (secret "xyzzy5461", user nemo, password arctangent).
const RFC_REQUEST = Buffer.from(
  '010000380f403f9473978057bd83d5cb98f4227a01066e656d6f02120dbe708d93d413ce3196e43f782a0aee0406c0a8011005060000000 3'.replace(/ /g, ''),
  'hex',
);

// A zeroed datagram of `size` bytes (default: the Length field, at least 20) with that header.
function header(code: number, length: number, size = Math.max(20, length)): Buffer {
  const buf = Buffer.alloc(size);
  buf[0] = code;
  buf[1] = 7;
  buf.writeUInt16BE(length, 2);
  return buf;
}

function packetWith(code: number, attributeBytes: number[]): Buffer {
  const buf = header(code, 20 + attributeBytes.length);
  Buffer.from(attributeBytes).copy(buf, 20);
  return buf;
}

describe('parsePacket', () => {
  it('parses the RFC 2865 §7.1 Access-Request', () => {
    const sut = parsePacket(RFC_REQUEST);
    expect(sut.code).toBe(1);
    expect(sut.codeName).toBe('Access-Request');
    expect(sut.identifier).toBe(0);
    expect(sut.authenticator.toString('hex')).toBe('0f403f9473978057bd83d5cb98f4227a');
    expect(sut.attributes.map((a) => a.type)).toEqual([1, 2, 4, 5]);
    expect(sut.getString('User-Name')).toBe('nemo');
    expect(sut.getIpAddress('NAS-IP-Address')).toBe('192.168.1.16');
    expect(sut.getInteger('NAS-Port')).toBe(3);
    expect(sut.get(2)?.length).toBe(16);
    expect(sut.has('State')).toBe(false);
    expect(sut.raw.equals(RFC_REQUEST)).toBe(true);
  });

  it('ignores bytes beyond the Length field (RFC 2865 §3 padding)', () => {
    const padded = Buffer.concat([RFC_REQUEST, Buffer.from('deadbeef', 'hex')]);
    const sut = parsePacket(padded);
    expect(sut.raw.equals(RFC_REQUEST)).toBe(true);
    expect(sut.attributes).toHaveLength(4);
  });

  it('keeps its own copy, so reusing the receive buffer does not change the packet', () => {
    const buf = Buffer.from(RFC_REQUEST);
    const sut = parsePacket(buf);
    buf.fill(0);
    expect(sut.getString('User-Name')).toBe('nemo');
    expect(sut.authenticator.toString('hex')).toBe('0f403f9473978057bd83d5cb98f4227a');
  });

  it('returns all attributes of a type in order', () => {
    const sut = parsePacket(packetWith(2, [18, 4, 0x61, 0x62, 18, 3, 0x63, 33, 2]));
    expect(sut.getAll('Reply-Message').map((v) => v.toString())).toEqual(['ab', 'c']);
    expect(sut.getAll('Proxy-State')).toEqual([Buffer.alloc(0)]);
  });

  it.each([1, 2, 3, 4, 5, 11, 12])('accepts known code %i', (code) => {
    expect(parsePacket(header(code, 20)).code).toBe(code);
  });

  it.each<[string, Buffer, RadiusPacketErrorCode]>([
    ['empty datagram', Buffer.alloc(0), 'too_short'],
    ['19-byte datagram', Buffer.alloc(19), 'too_short'],
    ['Length field below 20', header(1, 19), 'too_short'],
    ['Length field of 0', header(1, 0), 'too_short'],
    ['Length field above 4096', header(1, 4097, 4096), 'too_long'],
    ['datagram above 4096 bytes', header(1, 20, 4097), 'too_long'],
    ['Length field beyond the datagram', header(1, 21, 20), 'length_mismatch'],
    ['Length field 0xffff in a 30-byte datagram', header(1, 0xffff, 30), 'too_long'],
    ['truncated RFC request', RFC_REQUEST.subarray(0, RFC_REQUEST.length - 1), 'length_mismatch'],
    ['code 0', header(0, 20), 'unknown_code'],
    ['code 13 (Status-Client)', header(13, 20), 'unknown_code'],
    ['code 40 (Disconnect-Request)', header(40, 20), 'unknown_code'],
    ['attribute type 0', packetWith(1, [0, 3, 0x61]), 'invalid_attribute'],
    ['attribute length 0', packetWith(1, [1, 0, 0x61]), 'bad_attribute_length'],
    ['attribute length 1', packetWith(1, [1, 1, 0x61]), 'bad_attribute_length'],
    ['attribute past the end', packetWith(1, [1, 5, 0x61, 0x62]), 'bad_attribute_length'],
    ['lone trailing type byte', packetWith(1, [1, 3, 0x61, 18]), 'bad_attribute_length'],
    ['two Message-Authenticators', packetWith(1, [80, 18, ...new Array(16).fill(0), 80, 18, ...new Array(16).fill(0)]), 'duplicate_message_authenticator'],
    ['short Message-Authenticator', packetWith(1, [80, 17, ...new Array(15).fill(0)]), 'bad_message_authenticator_length'],
    ['long Message-Authenticator', packetWith(1, [80, 19, ...new Array(17).fill(0)]), 'bad_message_authenticator_length'],
  ])('rejects %s', (_name, buf, code) => {
    expect(packetErrorCode(() => parsePacket(buf))).toBe(code);
  });

  it('rejects an attribute running past Length even when the datagram has more bytes', () => {
    const buf = Buffer.concat([packetWith(1, [1, 3, 0x61]), Buffer.from([0x62, 0x63])]);
    buf[21] = 5; // User-Name claims 5 bytes, Length says the packet ends after 3
    expect(packetErrorCode(() => parsePacket(buf))).toBe('bad_attribute_length');
  });

  it('rejects a non-Buffer input with a RadiusPacketError', () => {
    expect(packetErrorCode(() => parsePacket('hello' as unknown as Buffer))).toBe('invalid_input');
    expect(packetErrorCode(() => parsePacket(undefined as unknown as Buffer))).toBe('invalid_input');
  });

  it('only ever throws RadiusPacketError on 20,000 random, mutated and truncated inputs', () => {
    const seeds = [RFC_REQUEST, packetWith(2, [18, 4, 0x61, 0x62, 80, 18, ...new Array(16).fill(1)])];
    let parsed = 0;
    let rejected = 0;
    for (let i = 0; i < 20_000; i++) {
      let buf: Buffer;
      switch (i % 4) {
        case 0:
          buf = randomBytes(Math.floor(Math.random() * 120));
          break;
        case 1: {
          // Plausible header with a matching Length, random attributes: exercises the attribute walk.
          const len = 20 + Math.floor(Math.random() * 80);
          buf = randomBytes(len);
          buf[0] = [1, 2, 3, 4, 5, 11, 12][i % 7];
          buf.writeUInt16BE(len, 2);
          break;
        }
        case 2: {
          const seed = seeds[i % seeds.length];
          buf = Buffer.from(seed.subarray(0, Math.floor(Math.random() * (seed.length + 1))));
          break;
        }
        default: {
          buf = Buffer.from(seeds[i % seeds.length]);
          for (let k = 0; k < 3; k++) buf[Math.floor(Math.random() * buf.length)] = Math.floor(Math.random() * 256);
        }
      }
      try {
        const packet = parsePacket(buf);
        // Whatever parses is consistent: the attributes tile the packet exactly.
        const covered = packet.attributes.reduce((n, a) => n + 2 + a.value.length, 20);
        expect(covered).toBe(packet.raw.length);
        parsed++;
      } catch (err) {
        if (!(err instanceof RadiusPacketError)) throw err;
        rejected++;
      }
    }
    expect(parsed).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });
});
