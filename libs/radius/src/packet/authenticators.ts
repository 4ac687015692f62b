import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AUTHENTICATOR_LENGTH, HEADER_LENGTH, MESSAGE_AUTHENTICATOR, RadiusCode, isResponseCode } from './codes';
import { RadiusPacket } from './radius-packet';
import { RadiusSecret, secretBytes } from './secret';

const ZERO_AUTHENTICATOR = Buffer.alloc(AUTHENTICATOR_LENGTH);

// Offset of the first value byte of the first attribute of `type`, or -1. Walks defensively so a
// hand-made packet cannot make it read out of bounds.
export function findAttributeValueOffset(raw: Buffer, type: number): number {
  let offset = HEADER_LENGTH;
  while (offset + 2 <= raw.length) {
    const length = raw[offset + 1];
    if (length < 2 || offset + length > raw.length) return -1;
    if (raw[offset] === type) return offset + 2;
    offset += length;
  }
  return -1;
}

function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  // Lengths are public (fixed 16 bytes); only contents need the constant-time compare.
  return a.length === b.length && timingSafeEqual(a, b);
}

function safeSecret(secret: RadiusSecret): Buffer | undefined {
  try {
    return secretBytes(secret);
  } catch {
    return undefined;
  }
}

// RFC 3579 §3.2: HMAC-MD5 over the whole packet with the Message-Authenticator value zeroed and
// `authenticatorField` in the header's authenticator slot.
export function computeMessageAuthenticator(raw: Buffer, maValueOffset: number, authenticatorField: Buffer, secret: RadiusSecret): Buffer {
  const copy = Buffer.from(raw);
  authenticatorField.copy(copy, 4);
  copy.fill(0, maValueOffset, maValueOffset + AUTHENTICATOR_LENGTH);
  return createHmac('md5', secretBytes(secret)).update(copy).digest();
}

// For a packet this process is building whose authenticator slot already holds the field the
// HMAC covers and whose Message-Authenticator value is still zero: the buffer as it is, no copy.
export function computeOwnMessageAuthenticator(packet: Buffer, secret: RadiusSecret): Buffer {
  return createHmac('md5', secretBytes(secret)).update(packet).digest();
}

// What goes in the authenticator slot while the HMAC is computed, per packet kind. RFC 3579 §3.2
// for Access-*; accounting packets (both directions) use 16 zero octets, as FreeRADIUS signs and
// checks them (its rad_sign/rad_verify), since their authenticator is computed after the HMAC.
export function messageAuthenticatorField(code: number, ownAuthenticator: Buffer, requestAuthenticator: Buffer | undefined): Buffer | undefined {
  if (code === RadiusCode.AccessRequest || code === RadiusCode.StatusServer) return ownAuthenticator;
  if (code === RadiusCode.AccountingRequest || code === RadiusCode.AccountingResponse) return ZERO_AUTHENTICATOR;
  if (isResponseCode(code)) {
    return requestAuthenticator !== undefined && requestAuthenticator.length === AUTHENTICATOR_LENGTH ? requestAuthenticator : undefined;
  }
  return undefined;
}

// False when absent, malformed or wrong. Access-Accept/Reject/Challenge need the authenticator of the
// request they answer.
export function verifyMessageAuthenticator(packet: RadiusPacket, secret: RadiusSecret, requestAuthenticator?: Buffer): boolean {
  const key = safeSecret(secret);
  if (key === undefined) return false;
  const offset = findAttributeValueOffset(packet.raw, MESSAGE_AUTHENTICATOR);
  if (offset < 0 || packet.raw[offset - 1] !== 2 + AUTHENTICATOR_LENGTH) return false;
  const field = messageAuthenticatorField(packet.code, packet.authenticator, requestAuthenticator);
  if (field === undefined) return false;
  const expected = computeMessageAuthenticator(packet.raw, offset, field, key);
  return constantTimeEqual(expected, packet.raw.subarray(offset, offset + AUTHENTICATOR_LENGTH));
}

// RFC 2866 §3: MD5(Code + Identifier + Length + 16 zero octets + Attributes + Secret).
export function computeAccountingRequestAuthenticator(raw: Buffer, secret: RadiusSecret): Buffer {
  const copy = Buffer.from(raw);
  ZERO_AUTHENTICATOR.copy(copy, 4);
  return createHash('md5').update(copy).update(secretBytes(secret)).digest();
}

export function verifyAccountingRequestAuthenticator(packet: RadiusPacket, secret: RadiusSecret): boolean {
  const key = safeSecret(secret);
  if (key === undefined || packet.code !== RadiusCode.AccountingRequest) return false;
  return constantTimeEqual(computeAccountingRequestAuthenticator(packet.raw, key), packet.authenticator);
}

// RFC 2865 §3: MD5(Code + ID + Length + RequestAuth + Attributes + Secret).
export function computeResponseAuthenticator(raw: Buffer, requestAuthenticator: Buffer, secret: RadiusSecret): Buffer {
  const copy = Buffer.from(raw);
  requestAuthenticator.copy(copy, 4);
  return createHash('md5').update(copy).update(secretBytes(secret)).digest();
}

// The same for a response this process is building, whose slot already holds the Request Authenticator.
export function computeOwnResponseAuthenticator(packet: Buffer, secret: RadiusSecret): Buffer {
  return createHash('md5').update(packet).update(secretBytes(secret)).digest();
}

export function verifyResponseAuthenticator(response: RadiusPacket, requestAuthenticator: Buffer, secret: RadiusSecret): boolean {
  const key = safeSecret(secret);
  if (key === undefined || requestAuthenticator.length !== AUTHENTICATOR_LENGTH) return false;
  return constantTimeEqual(computeResponseAuthenticator(response.raw, requestAuthenticator, key), response.authenticator);
}
