// IP addresses and CIDR ranges for RADIUS client matching. Written here rather than taken
// from node:net so that the domain stays free of network modules.

export interface IpAddress {
  family: 4 | 6;
  bytes: number[]; // 4 or 16
}

export interface IpRange extends IpAddress {
  prefix: number; // 32/128 for an exact address
}

function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    // No leading zeros: "010" is octal to some parsers and decimal to others.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    bytes.push(n);
  }
  return bytes;
}

function parseIpv6(text: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string): number[] | null => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return null;
        out.push(parseInt(part, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  // An embedded IPv4 part is only allowed at the very end.
  if (halves.length === 2 && halves[0].includes('.')) return null;
  let all: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return null;
    all = head;
  }
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

export function parseIpAddress(text: string): IpAddress | null {
  const v4 = parseIpv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(text);
  return v6 ? { family: 6, bytes: v6 } : null;
}

// "10.0.0.1", "10.0.0.0/8", "2001:db8::/32". Host bits must be zero in a range.
export function parseIpRange(text: string): IpRange | { error: string } {
  const [addr, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return { error: 'must be an IPv4/IPv6 address or a CIDR range like 10.0.0.0/8' };
  const ip = parseIpAddress(addr);
  if (!ip) return { error: 'must be an IPv4/IPv6 address or a CIDR range like 10.0.0.0/8' };
  const max = ip.family === 4 ? 32 : 128;
  if (prefixText === undefined) return { ...ip, prefix: max };
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > max) {
    return { error: `prefix length must be 0 to ${max}` };
  }
  const prefix = Number(prefixText);
  const network = maskBytes(ip.bytes, prefix);
  if (network.some((b, i) => b !== ip.bytes[i])) {
    return { error: `host bits must be zero (did you mean ${formatIp({ family: ip.family, bytes: network })}/${prefix}?)` };
  }
  return { ...ip, prefix };
}

function isV4Mapped(bytes: number[]): boolean {
  return bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

function maskBytes(bytes: number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    return b & ((0xff << (8 - bits)) & 0xff);
  });
}

// RFC 5952 text: lower case, longest run of zero groups (2 or more) compressed.
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return ip.bytes.join('.');
  if (isV4Mapped(ip.bytes)) return `::ffff:${ip.bytes.slice(12).join('.')}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip.bytes[i] << 8) | ip.bytes[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatIpRange(range: IpRange): string {
  const max = range.family === 4 ? 32 : 128;
  return range.prefix === max ? formatIp(range) : `${formatIp(range)}/${range.prefix}`;
}

// Canonical text for a client address, or null when it is not a valid address/range.
export function normalizeClientAddress(text: string): string | null {
  const range = parseIpRange(text);
  return 'error' in range ? null : formatIpRange(range);
}

// Does a request's source address fall in a client's address/range? IPv4-mapped IPv6
// sources (::ffff:10.0.0.1, as dual-stack sockets report them) match IPv4 clients.
export function ipMatches(clientAddress: string, sourceIp: string): boolean {
  const range = parseIpRange(clientAddress);
  let source = parseIpAddress(sourceIp);
  if ('error' in range || !source) return false;
  if (source.family === 6 && isV4Mapped(source.bytes)) {
    source = { family: 4, bytes: source.bytes.slice(12) };
  }
  if (source.family !== range.family) return false;
  const a = maskBytes(source.bytes, range.prefix);
  return a.every((b, i) => b === range.bytes[i]);
}
