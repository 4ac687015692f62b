import { randomBytes, randomInt } from 'node:crypto';
import { RadiusAttribute } from './attributes';
import {
  AUTHENTICATOR_LENGTH,
  HEADER_LENGTH,
  MAX_ATTRIBUTE_VALUE_LENGTH,
  MAX_PACKET_LENGTH,
  MESSAGE_AUTHENTICATOR,
  RADIUS_CODE_NAMES,
  RadiusCode,
  isRadiusCode,
} from './codes';
import {
  computeAccountingRequestAuthenticator,
  computeMessageAuthenticator,
  computeOwnMessageAuthenticator,
  computeOwnResponseAuthenticator,
  messageAuthenticatorField,
  verifyMessageAuthenticator,
  verifyResponseAuthenticator,
} from './authenticators';
import { parsePacket } from './parse-packet';
import { RadiusPacketError } from './radius-packet-error';
import { RadiusPacket } from './radius-packet';
import { RadiusSecret, secretBytes } from './secret';
import { encryptUserPassword } from './user-password';

const USER_PASSWORD = 2;
const PROXY_STATE = 33;
// With the Message-Authenticator placed first, its value always starts here.
const FIRST_ATTRIBUTE_VALUE_OFFSET = HEADER_LENGTH + 2;

// Low-level serializer: header + attributes, lengths checked. Authenticators are the caller's job.
export function encodePacket(code: number, identifier: number, authenticator: Buffer, attributes: readonly RadiusAttribute[]): Buffer {
  if (!isRadiusCode(code)) throw new RadiusPacketError('invalid_code', `unknown packet code ${code}`);
  if (!Number.isInteger(identifier) || identifier < 0 || identifier > 255) {
    throw new RadiusPacketError('invalid_identifier', 'identifier must be in 0..255');
  }
  if (authenticator.length !== AUTHENTICATOR_LENGTH) throw new RadiusPacketError('invalid_authenticator', 'authenticator must be 16 bytes');
  let length = HEADER_LENGTH;
  for (const attr of attributes) {
    if (!Number.isInteger(attr.type) || attr.type < 1 || attr.type > 255) {
      throw new RadiusPacketError('invalid_attribute', `attribute type ${attr.type} is not in 1..255`);
    }
    if (attr.value.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
      throw new RadiusPacketError('attribute_too_long', `attribute ${attr.type} value is ${attr.value.length} bytes`);
    }
    length += 2 + attr.value.length;
  }
  if (length > MAX_PACKET_LENGTH) throw new RadiusPacketError('too_long', `packet would be ${length} bytes, the limit is ${MAX_PACKET_LENGTH}`);
  const buf = Buffer.alloc(length);
  buf[0] = code;
  buf[1] = identifier;
  buf.writeUInt16BE(length, 2);
  authenticator.copy(buf, 4);
  let offset = HEADER_LENGTH;
  for (const attr of attributes) {
    buf[offset] = attr.type;
    buf[offset + 1] = attr.value.length + 2;
    attr.value.copy(buf, offset + 2);
    offset += 2 + attr.value.length;
  }
  return buf;
}

function rejectReserved(attributes: readonly RadiusAttribute[], reserved: Record<number, string>): void {
  for (const attr of attributes) {
    const why = reserved[attr.type];
    if (why !== undefined) throw new RadiusPacketError('invalid_attribute', why);
  }
}

const MA_PLACEHOLDER: RadiusAttribute = { type: MESSAGE_AUTHENTICATOR, value: Buffer.alloc(AUTHENTICATOR_LENGTH) };

export interface BuildRequestOptions {
  code?: typeof RadiusCode.AccessRequest | typeof RadiusCode.AccountingRequest | typeof RadiusCode.StatusServer;
  identifier?: number; // random when omitted
  secret: RadiusSecret;
  attributes?: readonly RadiusAttribute[];
  userPassword?: string | Buffer; // encrypted per RFC 2865 §5.2; Access-Request only
  messageAuthenticator?: boolean; // default true
  authenticator?: Buffer; // Access-Request / Status-Server only; random when omitted (known-answer tests)
}

// A ready-to-send request; send `packet.raw`, keep the packet to check the answer with verifyResponse.
export function buildRequest(options: BuildRequestOptions): RadiusPacket {
  const code = options.code ?? RadiusCode.AccessRequest;
  const secret = secretBytes(options.secret);
  const identifier = options.identifier ?? randomInt(256);
  const withMa = options.messageAuthenticator ?? true;
  const extra = options.attributes ?? [];
  rejectReserved(extra, {
    [MESSAGE_AUTHENTICATOR]: 'Message-Authenticator is added by buildRequest',
    [USER_PASSWORD]: 'pass the password as userPassword so it is encrypted',
  });
  if (code !== RadiusCode.AccessRequest && code !== RadiusCode.AccountingRequest && code !== RadiusCode.StatusServer) {
    throw new RadiusPacketError('invalid_code', `buildRequest cannot build code ${code}`);
  }

  if (code === RadiusCode.AccountingRequest) {
    if (options.userPassword !== undefined) throw new RadiusPacketError('invalid_attribute', 'Accounting-Request carries no User-Password');
    if (options.authenticator !== undefined) throw new RadiusPacketError('invalid_authenticator', 'Accounting-Request authenticator is computed');
    const buf = encodePacket(code, identifier, Buffer.alloc(AUTHENTICATOR_LENGTH), withMa ? [MA_PLACEHOLDER, ...extra] : extra);
    // MA first (over a zero authenticator), then the Request Authenticator over the signed packet.
    if (withMa) {
      computeMessageAuthenticator(buf, FIRST_ATTRIBUTE_VALUE_OFFSET, Buffer.alloc(AUTHENTICATOR_LENGTH), secret).copy(buf, FIRST_ATTRIBUTE_VALUE_OFFSET);
    }
    computeAccountingRequestAuthenticator(buf, secret).copy(buf, 4);
    return parsePacket(buf);
  }

  const authenticator = options.authenticator ?? randomBytes(AUTHENTICATOR_LENGTH);
  const attributes = withMa ? [MA_PLACEHOLDER, ...extra] : [...extra];
  if (options.userPassword !== undefined) {
    if (code !== RadiusCode.AccessRequest) throw new RadiusPacketError('invalid_attribute', 'only Access-Request carries User-Password');
    attributes.push({ type: USER_PASSWORD, value: encryptUserPassword(options.userPassword, secret, authenticator) });
  }
  const buf = encodePacket(code, identifier, authenticator, attributes);
  if (withMa) {
    computeMessageAuthenticator(buf, FIRST_ATTRIBUTE_VALUE_OFFSET, authenticator, secret).copy(buf, FIRST_ATTRIBUTE_VALUE_OFFSET);
  }
  return parsePacket(buf);
}

export type ResponseCode =
  | typeof RadiusCode.AccessAccept
  | typeof RadiusCode.AccessReject
  | typeof RadiusCode.AccessChallenge
  | typeof RadiusCode.AccountingResponse;

export interface BuildResponseOptions {
  code: ResponseCode;
  request: RadiusPacket;
  secret: RadiusSecret;
  attributes?: readonly RadiusAttribute[];
  messageAuthenticator?: boolean; // default true; false only for clients that choke on it
}

function responseCodeFits(requestCode: number, responseCode: number): boolean {
  if (requestCode === RadiusCode.AccountingRequest) return responseCode === RadiusCode.AccountingResponse;
  if (requestCode === RadiusCode.AccessRequest || requestCode === RadiusCode.StatusServer) {
    return responseCode === RadiusCode.AccessAccept || responseCode === RadiusCode.AccessReject || responseCode === RadiusCode.AccessChallenge;
  }
  return false;
}

const RESPONSE_RESERVED: Record<number, string> = {
  [MESSAGE_AUTHENTICATOR]: 'Message-Authenticator is added by buildResponse',
  [PROXY_STATE]: 'Proxy-State is copied from the request by buildResponse',
};

// The bytes to send back. Message-Authenticator goes first (Blast-RADIUS, CVE-2024-3596), the
// request's Proxy-State attributes are copied last and in order (RFC 2865 §5.33).
export function buildResponse(options: BuildResponseOptions): Buffer {
  const { code, request } = options;
  const secret = secretBytes(options.secret);
  if (!responseCodeFits(request.code, code)) {
    throw new RadiusPacketError('invalid_code', `code ${code} does not answer a ${RADIUS_CODE_NAMES[request.code]}`);
  }
  const extra = options.attributes ?? [];
  rejectReserved(extra, RESPONSE_RESERVED);
  const withMa = options.messageAuthenticator ?? true;
  const proxyStates = request.attributes.filter((a) => a.type === PROXY_STATE);
  const attributes = withMa ? [MA_PLACEHOLDER, ...extra, ...proxyStates] : [...extra, ...proxyStates];
  // The MA is computed with the Request Authenticator in the header (RFC 3579 §3.2; zeros for
  // Accounting-Response), then the Response Authenticator covers the signed attributes.
  const buf = encodePacket(code, request.identifier, request.authenticator, attributes);
  if (withMa) {
    const field = messageAuthenticatorField(code, request.authenticator, request.authenticator) as Buffer;
    // Access-*: the header already holds the Request Authenticator and the MA value is zero.
    const ma = field === request.authenticator ? computeOwnMessageAuthenticator(buf, secret) : computeMessageAuthenticator(buf, FIRST_ATTRIBUTE_VALUE_OFFSET, field, secret);
    ma.copy(buf, FIRST_ATTRIBUTE_VALUE_OFFSET);
  }
  // encodePacket put the Request Authenticator in the slot: the buffer is hashed as it is.
  computeOwnResponseAuthenticator(buf, secret).copy(buf, 4);
  return buf;
}

export type VerifyResponseResult =
  | { ok: true }
  | {
      ok: false;
      reason:
        | 'unexpected_code'
        | 'identifier_mismatch'
        | 'bad_response_authenticator'
        | 'missing_message_authenticator'
        | 'bad_message_authenticator';
    };

// For the upstream proxy client and the load generator: is `response` a genuine answer to `request`?
// Message-Authenticator is required on Access-* answers unless told otherwise, optional on
// Accounting-Response (few servers send one); when present it must always be right.
export function verifyResponse(
  response: RadiusPacket,
  request: RadiusPacket,
  secret: RadiusSecret,
  options: { requireMessageAuthenticator?: boolean } = {},
): VerifyResponseResult {
  if (!responseCodeFits(request.code, response.code)) return { ok: false, reason: 'unexpected_code' };
  if (response.identifier !== request.identifier) return { ok: false, reason: 'identifier_mismatch' };
  if (!verifyResponseAuthenticator(response, request.authenticator, secret)) return { ok: false, reason: 'bad_response_authenticator' };
  if (response.has('Message-Authenticator')) {
    if (!verifyMessageAuthenticator(response, secret, request.authenticator)) return { ok: false, reason: 'bad_message_authenticator' };
  } else if (options.requireMessageAuthenticator ?? response.code !== RadiusCode.AccountingResponse) {
    return { ok: false, reason: 'missing_message_authenticator' };
  }
  return { ok: true };
}
