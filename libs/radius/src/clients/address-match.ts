import { formatIp, parseIpAddress } from '@twofold/domain';

export class AddressSpecError extends Error {
  override readonly name = 'AddressSpecError';
  readonly code = 'invalid_address_spec' as const;
}

// An exact address or a CIDR block. IPv4 is held in its IPv4-mapped IPv6 form (::ffff:a.b.c.d/96+n)
// so one comparison serves both families and dual-stack sockets' "::ffff:1.2.3.4" peers match.
export interface AddressSpec {
  readonly family: 4 | 6;
  readonly prefixLength: number; // within its own family: 0..32 or 0..128
  readonly text: string; // normalised, host bits cleared, e.g. "10.0.0.0/8", "fe80::/10", "::1/128"
  readonly network: Uint8Array; // 16 bytes
  readonly mappedPrefixLength: number; // 0..128
}

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

// Parsing and RFC 5952 text come from the domain (the same rules that validated the address
// when the client was added); this file only adds matching on the wire.
function toBytes(text: string): { family: 4 | 6; mapped: Uint8Array } | undefined {
  const ip = parseIpAddress(text);
  if (!ip) return undefined;
  return { family: ip.family, mapped: Uint8Array.from(ip.family === 4 ? [...V4_MAPPED_PREFIX, ...ip.bytes] : ip.bytes) };
}

// A peer address as 16 bytes, or undefined if it is not an address. Zone ids (fe80::1%eth0) are dropped.
function toMapped(ip: string): Uint8Array | undefined {
  const zone = ip.indexOf('%');
  return toBytes(zone >= 0 ? ip.slice(0, zone) : ip)?.mapped;
}

function maskInPlace(bytes: Uint8Array, prefixLength: number): void {
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, prefixLength - 8 * i));
    bytes[i] &= bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
  }
}

export function parseAddressSpec(spec: string): AddressSpec {
  if (typeof spec !== 'string') throw new AddressSpecError('address spec must be a string');
  const trimmed = spec.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash >= 0 ? trimmed.slice(0, slash) : trimmed;
  const prefixText = slash >= 0 ? trimmed.slice(slash + 1) : undefined;
  const parsed = toBytes(addressText);
  if (!parsed) throw new AddressSpecError(`"${spec}" is not an IPv4/IPv6 address or CIDR block`);
  const { family } = parsed;
  const max = family === 4 ? 32 : 128;
  let prefixLength = max;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
      throw new AddressSpecError(`"${spec}" has a prefix length outside 0..${max}`);
    }
    prefixLength = Number(prefixText);
  }
  const network = parsed.mapped;
  const mappedPrefixLength = family === 4 ? 96 + prefixLength : prefixLength;
  // Host bits are cleared: "192.168.1.5/24" means the 192.168.1.0/24 block.
  maskInPlace(network, mappedPrefixLength);
  const text = family === 4 ? `${Array.from(network.subarray(12)).join('.')}/${prefixLength}` : `${formatIp({ family: 6, bytes: Array.from(network) })}/${prefixLength}`;
  return { family, prefixLength, text, network, mappedPrefixLength };
}

export function matches(spec: AddressSpec, ip: string): boolean {
  const address = typeof ip === 'string' ? toMapped(ip) : undefined;
  if (address === undefined) return false;
  let bits = spec.mappedPrefixLength;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((address[i] & mask) !== spec.network[i]) return false;
  }
  return true;
}

// Overlapping client entries: the longest prefix wins, ties go to the first.
export function mostSpecificMatch<T>(candidates: Iterable<T>, specOf: (candidate: T) => AddressSpec, ip: string): T | undefined {
  let best: T | undefined;
  let bestLength = -1;
  for (const candidate of candidates) {
    const spec = specOf(candidate);
    if (spec.mappedPrefixLength > bestLength && matches(spec, ip)) {
      best = candidate;
      bestLength = spec.mappedPrefixLength;
    }
  }
  return best;
}
