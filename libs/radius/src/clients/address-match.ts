import { isIPv4, isIPv6 } from 'node:net';

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

function parseIPv4(text: string): number[] | undefined {
  if (!isIPv4(text)) return undefined;
  const parts = text.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : undefined;
}

function parseIPv6(text: string): Uint8Array | undefined {
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let s = text;
  if (s.includes('.')) {
    const cut = s.lastIndexOf(':');
    const v4 = parseIPv4(s.slice(cut + 1));
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, cut + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...new Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(groups[i])) return undefined;
    const value = parseInt(groups[i], 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  }
  return bytes;
}

// A peer address as 16 bytes, or undefined if it is not an address. Zone ids (fe80::1%eth0) are dropped.
function toMapped(ip: string): Uint8Array | undefined {
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) return Uint8Array.from([...V4_MAPPED_PREFIX, ...v4]);
  const zone = ip.indexOf('%');
  return parseIPv6(zone >= 0 ? ip.slice(0, zone) : ip);
}

function maskInPlace(bytes: Uint8Array, prefixLength: number): void {
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, prefixLength - 8 * i));
    bytes[i] &= bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
  }
}

function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  // Compress the longest run (>= 2) of zero groups, as RFC 5952 says.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function parseAddressSpec(spec: string): AddressSpec {
  if (typeof spec !== 'string') throw new AddressSpecError('address spec must be a string');
  const trimmed = spec.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash >= 0 ? trimmed.slice(0, slash) : trimmed;
  const prefixText = slash >= 0 ? trimmed.slice(slash + 1) : undefined;
  const v4 = parseIPv4(addressText);
  const v6 = v4 === undefined ? parseIPv6(addressText) : undefined;
  if (v4 === undefined && v6 === undefined) throw new AddressSpecError(`"${spec}" is not an IPv4/IPv6 address or CIDR block`);
  const family: 4 | 6 = v4 !== undefined ? 4 : 6;
  const max = family === 4 ? 32 : 128;
  let prefixLength = max;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
      throw new AddressSpecError(`"${spec}" has a prefix length outside 0..${max}`);
    }
    prefixLength = Number(prefixText);
  }
  const network = v4 !== undefined ? Uint8Array.from([...V4_MAPPED_PREFIX, ...v4]) : (v6 as Uint8Array);
  const mappedPrefixLength = family === 4 ? 96 + prefixLength : prefixLength;
  // Host bits are cleared: "192.168.1.5/24" means the 192.168.1.0/24 block.
  maskInPlace(network, mappedPrefixLength);
  const text = family === 4 ? `${Array.from(network.subarray(12)).join('.')}/${prefixLength}` : `${formatIPv6(network)}/${prefixLength}`;
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
