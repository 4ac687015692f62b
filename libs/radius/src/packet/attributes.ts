import { isIPv4 } from 'node:net';
import { MAX_ATTRIBUTE_VALUE_LENGTH } from './codes';
import { RadiusPacketError } from './radius-packet-error';

export interface RadiusAttribute {
  type: number;
  value: Buffer;
}

// RFC 2865, 2866, 2869, 3162, 3579: the attributes Twofold reads or writes, plus common ones seen in logs.
export const AttributeType = {
  'User-Name': 1,
  'User-Password': 2,
  'CHAP-Password': 3,
  'NAS-IP-Address': 4,
  'NAS-Port': 5,
  'Service-Type': 6,
  'Framed-Protocol': 7,
  'Framed-IP-Address': 8,
  'Framed-IP-Netmask': 9,
  'Filter-Id': 11,
  'Framed-MTU': 12,
  'Login-IP-Host': 14,
  'Login-Service': 15,
  'Reply-Message': 18,
  State: 24,
  Class: 25,
  'Vendor-Specific': 26,
  'Session-Timeout': 27,
  'Idle-Timeout': 28,
  'Termination-Action': 29,
  'Called-Station-Id': 30,
  'Calling-Station-Id': 31,
  'NAS-Identifier': 32,
  'Proxy-State': 33,
  'Acct-Status-Type': 40,
  'Acct-Delay-Time': 41,
  'Acct-Input-Octets': 42,
  'Acct-Output-Octets': 43,
  'Acct-Session-Id': 44,
  'Acct-Authentic': 45,
  'Acct-Session-Time': 46,
  'Acct-Input-Packets': 47,
  'Acct-Output-Packets': 48,
  'Acct-Terminate-Cause': 49,
  'Acct-Multi-Session-Id': 50,
  'Acct-Link-Count': 51,
  'Event-Timestamp': 55,
  'CHAP-Challenge': 60,
  'NAS-Port-Type': 61,
  'Port-Limit': 62,
  'Connect-Info': 77,
  'EAP-Message': 79,
  'Message-Authenticator': 80,
  'NAS-Port-Id': 87,
  'Framed-Pool': 88,
  'NAS-IPv6-Address': 95,
} as const;
export type AttributeName = keyof typeof AttributeType;
export type AttributeKey = AttributeName | number;

const NAMES_BY_TYPE = new Map<number, string>(Object.entries(AttributeType).map(([name, type]) => [type, name]));

export function attributeType(key: AttributeKey): number {
  if (typeof key === 'number') {
    if (!Number.isInteger(key) || key < 1 || key > 255) {
      throw new RadiusPacketError('invalid_attribute', `attribute type ${key} is not in 1..255`);
    }
    return key;
  }
  const type = (AttributeType as Record<string, number | undefined>)[key];
  if (type === undefined) throw new RadiusPacketError('invalid_attribute', `unknown attribute name ${key}`);
  return type;
}

export function attributeName(type: number): string {
  return NAMES_BY_TYPE.get(type) ?? `Attr-${type}`;
}

// ---- encoders ----

export function octetsAttribute(key: AttributeKey, value: Buffer): RadiusAttribute {
  const type = attributeType(key);
  if (value.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
    throw new RadiusPacketError('attribute_too_long', `${attributeName(type)} value is ${value.length} bytes, the limit is ${MAX_ATTRIBUTE_VALUE_LENGTH}`);
  }
  return { type, value: Buffer.from(value) };
}

export function stringAttribute(key: AttributeKey, value: string): RadiusAttribute {
  return octetsAttribute(key, Buffer.from(value, 'utf8'));
}

export function integerAttribute(key: AttributeKey, value: number): RadiusAttribute {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RadiusPacketError('invalid_attribute', `${attributeName(attributeType(key))} integer must be in 0..2^32-1`);
  }
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(value, 0);
  return octetsAttribute(key, buf);
}

export function ipAddressAttribute(key: AttributeKey, address: string): RadiusAttribute {
  if (!isIPv4(address)) {
    throw new RadiusPacketError('invalid_attribute', `${attributeName(attributeType(key))} needs an IPv4 address`);
  }
  return octetsAttribute(key, Buffer.from(address.split('.').map(Number)));
}

// Long texts become several Reply-Message attributes (RFC 2865 §5.18: displayed concatenated),
// cut on UTF-8 character boundaries so no chunk holds half a character.
export function replyMessageAttributes(text: string, type: AttributeKey = 'Reply-Message'): RadiusAttribute[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: RadiusAttribute[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + MAX_ATTRIBUTE_VALUE_LENGTH, bytes.length);
    // Step back over continuation bytes (10xxxxxx) so the cut falls before a lead byte.
    if (end < bytes.length) {
      while (end > start && (bytes[end] & 0xc0) === 0x80) end--;
      if (end === start) end = Math.min(start + MAX_ATTRIBUTE_VALUE_LENGTH, bytes.length);
    }
    out.push(octetsAttribute(type, bytes.subarray(start, end)));
    start = end;
  }
  return out;
}

export interface VendorSubAttribute {
  type: number;
  value: Buffer;
}

// RFC 2865 §5.26 with the recommended sub-attribute layout (type, length, value).
export function vendorSpecificAttribute(vendorId: number, subAttributes: VendorSubAttribute[]): RadiusAttribute {
  if (!Number.isInteger(vendorId) || vendorId < 0 || vendorId > 0xffffff) {
    throw new RadiusPacketError('invalid_attribute', 'vendor id must be in 0..2^24-1');
  }
  const parts: Buffer[] = [];
  const head = Buffer.alloc(4);
  head.writeUInt32BE(vendorId, 0);
  parts.push(head);
  for (const sub of subAttributes) {
    if (!Number.isInteger(sub.type) || sub.type < 1 || sub.type > 255) {
      throw new RadiusPacketError('invalid_attribute', 'vendor sub-attribute type must be in 1..255');
    }
    if (sub.value.length > 253) throw new RadiusPacketError('attribute_too_long', 'vendor sub-attribute is too long');
    parts.push(Buffer.from([sub.type, sub.value.length + 2]), sub.value);
  }
  return octetsAttribute('Vendor-Specific', Buffer.concat(parts));
}

// ---- decoders: undefined when the value does not have the shape, never a throw ----

export function decodeInteger(value: Buffer | undefined): number | undefined {
  return value !== undefined && value.length === 4 ? value.readUInt32BE(0) : undefined;
}

export function decodeIpAddress(value: Buffer | undefined): string | undefined {
  return value !== undefined && value.length === 4 ? `${value[0]}.${value[1]}.${value[2]}.${value[3]}` : undefined;
}

export function decodeVendorSpecific(value: Buffer): { vendorId: number; attributes: VendorSubAttribute[] } | undefined {
  if (value.length < 4) return undefined;
  const vendorId = value.readUInt32BE(0);
  const attributes: VendorSubAttribute[] = [];
  let offset = 4;
  while (offset < value.length) {
    if (offset + 2 > value.length) return undefined;
    const length = value[offset + 1];
    if (length < 2 || offset + length > value.length) return undefined;
    attributes.push({ type: value[offset], value: value.subarray(offset + 2, offset + length) });
    offset += length;
  }
  return { vendorId, attributes };
}
