import {
  attributeName,
  attributeType,
  decodeInteger,
  decodeIpAddress,
  decodeVendorSpecific,
  integerAttribute,
  ipAddressAttribute,
  octetsAttribute,
  replyMessageAttributes,
  stringAttribute,
  vendorSpecificAttribute,
} from './attributes';
import { packetErrorCode } from '../testing/packet-error-code';

const codeOf = packetErrorCode;

describe('attribute encoders', () => {
  it('maps names to RFC type numbers and back', () => {
    expect(attributeType('User-Name')).toBe(1);
    expect(attributeType('Message-Authenticator')).toBe(80);
    expect(attributeType('Acct-Status-Type')).toBe(40);
    expect(attributeType(26)).toBe(26);
    expect(attributeName(24)).toBe('State');
    expect(attributeName(200)).toBe('Attr-200');
    expect(codeOf(() => attributeType('No-Such' as 'State'))).toBe('invalid_attribute');
    expect(codeOf(() => attributeType(0))).toBe('invalid_attribute');
    expect(codeOf(() => attributeType(256))).toBe('invalid_attribute');
  });

  it('encodes string, integer, ipaddr and octets values', () => {
    expect(stringAttribute('User-Name', 'nemo')).toEqual({ type: 1, value: Buffer.from('nemo') });
    expect(integerAttribute('Session-Timeout', 0x01020304).value.toString('hex')).toBe('01020304');
    expect(ipAddressAttribute('NAS-IP-Address', '192.168.1.16').value.toString('hex')).toBe('c0a80110');
    expect(octetsAttribute('State', Buffer.from([0, 255])).value).toEqual(Buffer.from([0, 255]));
    expect(decodeInteger(integerAttribute(27, 4294967295).value)).toBe(4294967295);
    expect(decodeIpAddress(ipAddressAttribute(4, '10.0.0.1').value)).toBe('10.0.0.1');
    expect(decodeInteger(Buffer.alloc(3))).toBeUndefined();
    expect(decodeIpAddress(undefined)).toBeUndefined();
  });

  it('rejects values that do not fit', () => {
    expect(codeOf(() => stringAttribute('User-Name', 'x'.repeat(254)))).toBe('attribute_too_long');
    expect(codeOf(() => stringAttribute('User-Name', 'x'.repeat(253)))).toBe('no error');
    expect(codeOf(() => integerAttribute('Session-Timeout', -1))).toBe('invalid_attribute');
    expect(codeOf(() => integerAttribute('Session-Timeout', 2 ** 32))).toBe('invalid_attribute');
    expect(codeOf(() => integerAttribute('Session-Timeout', 1.5))).toBe('invalid_attribute');
    expect(codeOf(() => ipAddressAttribute('NAS-IP-Address', '::1'))).toBe('invalid_attribute');
    expect(codeOf(() => ipAddressAttribute('NAS-IP-Address', '300.1.1.1'))).toBe('invalid_attribute');
  });

  it('splits a long Reply-Message into 253-byte chunks that join back to the text', () => {
    const text = 'a'.repeat(600);
    const sut = replyMessageAttributes(text);
    expect(sut.map((a) => a.value.length)).toEqual([253, 253, 94]);
    expect(sut.every((a) => a.type === 18)).toBe(true);
    expect(Buffer.concat(sut.map((a) => a.value)).toString()).toBe(text);
    expect(replyMessageAttributes('')).toEqual([]);
  });

  it('never cuts a multi-byte character in half', () => {
    const text = 'é'.repeat(300); // 2 bytes each
    const sut = replyMessageAttributes(text);
    for (const chunk of sut) {
      expect(chunk.value.length).toBeLessThanOrEqual(253);
      expect(Buffer.from(chunk.value.toString('utf8'), 'utf8').equals(chunk.value)).toBe(true);
    }
    expect(sut.map((a) => a.value.toString('utf8')).join('')).toBe(text);
  });

  it('round-trips a Vendor-Specific attribute and refuses malformed ones', () => {
    const sut = vendorSpecificAttribute(311, [{ type: 1, value: Buffer.from('ab') }, { type: 7, value: Buffer.from([9]) }]);
    expect(sut.type).toBe(26);
    expect(decodeVendorSpecific(sut.value)).toEqual({
      vendorId: 311,
      attributes: [
        { type: 1, value: Buffer.from('ab') },
        { type: 7, value: Buffer.from([9]) },
      ],
    });
    expect(decodeVendorSpecific(Buffer.from([0, 0, 1, 55, 1, 9, 0]))).toBeUndefined();
    expect(decodeVendorSpecific(Buffer.from([0, 0, 1]))).toBeUndefined();
    expect(decodeVendorSpecific(Buffer.from([0, 0, 1, 55, 1, 1]))).toBeUndefined();
  });
});
