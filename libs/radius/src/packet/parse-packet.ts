import { RadiusAttribute } from './attributes';
import { HEADER_LENGTH, MAX_PACKET_LENGTH, MESSAGE_AUTHENTICATOR, MIN_PACKET_LENGTH, isRadiusCode } from './codes';
import { RadiusPacketError } from './radius-packet-error';
import { RadiusPacket } from './radius-packet';

// Strict structural checks first (RFC 2865 §3, §5; RFC 3579 §3.2). Anything that fails is a
// RadiusPacketError, which the server turns into a silent discard. Authenticity is checked
// separately (verifyMessageAuthenticator and friends), with the client's secret.
export function parsePacket(input: Buffer): RadiusPacket {
  if (!(input instanceof Uint8Array)) throw new RadiusPacketError('invalid_input', 'packet must be a Buffer');
  if (input.length < MIN_PACKET_LENGTH) {
    throw new RadiusPacketError('too_short', `datagram of ${input.length} bytes is shorter than the ${MIN_PACKET_LENGTH}-byte header`);
  }
  if (input.length > MAX_PACKET_LENGTH) {
    throw new RadiusPacketError('too_long', `datagram of ${input.length} bytes exceeds ${MAX_PACKET_LENGTH}`);
  }
  const code = input[0];
  const identifier = input[1];
  const length = (input[2] << 8) | input[3];
  if (length < MIN_PACKET_LENGTH) throw new RadiusPacketError('too_short', `Length field ${length} is below ${MIN_PACKET_LENGTH}`);
  if (length > MAX_PACKET_LENGTH) throw new RadiusPacketError('too_long', `Length field ${length} exceeds ${MAX_PACKET_LENGTH}`);
  // RFC 2865 §3: shorter than Length -> discard; longer -> the rest is padding.
  if (length > input.length) {
    throw new RadiusPacketError('length_mismatch', `Length field ${length} exceeds the ${input.length} bytes received`);
  }
  if (!isRadiusCode(code)) throw new RadiusPacketError('unknown_code', `unknown packet code ${code}`);

  // Own copy: the caller may reuse its receive buffer, and views into `raw` must stay valid.
  const raw = Buffer.from(input.subarray(0, length));
  const attributes: RadiusAttribute[] = [];
  let offset = HEADER_LENGTH;
  let messageAuthenticators = 0;
  while (offset < length) {
    if (offset + 2 > length) {
      throw new RadiusPacketError('bad_attribute_length', `attribute header at offset ${offset} is cut off by the packet end`);
    }
    const type = raw[offset];
    const attrLength = raw[offset + 1];
    // Type 0 is undefined (RFC 2865 §5); FreeRADIUS drops such packets too.
    if (type === 0) throw new RadiusPacketError('invalid_attribute', `attribute type 0 at offset ${offset}`);
    if (attrLength < 2) throw new RadiusPacketError('bad_attribute_length', `attribute ${type} at offset ${offset} has length ${attrLength}`);
    if (offset + attrLength > length) {
      throw new RadiusPacketError('bad_attribute_length', `attribute ${type} at offset ${offset} runs past the packet end`);
    }
    if (type === MESSAGE_AUTHENTICATOR) {
      messageAuthenticators++;
      if (messageAuthenticators > 1) {
        throw new RadiusPacketError('duplicate_message_authenticator', 'more than one Message-Authenticator');
      }
      if (attrLength !== 18) {
        throw new RadiusPacketError('bad_message_authenticator_length', `Message-Authenticator has length ${attrLength}, expected 18`);
      }
    }
    attributes.push({ type, value: raw.subarray(offset + 2, offset + attrLength) });
    offset += attrLength;
  }

  return new RadiusPacket(code, identifier, Buffer.from(raw.subarray(4, 20)), attributes, raw);
}
