import { ipMatches, normalizeClientAddress, parseIpRange } from './ip-address';

describe('client addresses', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    [' 10.0.0.0/8 ', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['192.168.1.7/32', '192.168.1.7'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['::1', '::1'],
    ['::', '::'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ['::FFFF:a00:1', '::ffff:10.0.0.1'],
    ['fe80::1:0:0:1', 'fe80::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ])('accepts %s as %s', (input, canonical) => {
    expect(normalizeClientAddress(input)).toBe(canonical);
  });

  it.each(['', 'localhost', '10.0.0', '10.0.0.256', '010.0.0.1', '10.0.0.1/33', '10.0.0.1/8', '1:2:3:4:5:6:7:8:9', '1::2::3', 'fe80::1%eth0', '2001:db8::/129', '10.0.0.0/8/8', '10.0.0.0/08'])(
    'rejects %j',
    (input) => {
      expect(normalizeClientAddress(input)).toBeNull();
    },
  );

  it('suggests the network when host bits are set', () => {
    expect(parseIpRange('10.1.2.3/8')).toEqual({ error: 'host bits must be zero (did you mean 10.0.0.0/8?)' });
  });

  it('matches sources against exact addresses and ranges', () => {
    expect(ipMatches('10.0.0.1', '10.0.0.1')).toBe(true);
    expect(ipMatches('10.0.0.1', '10.0.0.2')).toBe(false);
    expect(ipMatches('10.0.0.0/8', '10.255.1.2')).toBe(true);
    expect(ipMatches('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(ipMatches('192.168.4.0/22', '192.168.7.255')).toBe(true);
    expect(ipMatches('192.168.4.0/22', '192.168.8.0')).toBe(false);
    expect(ipMatches('2001:db8::/32', '2001:db8:ffff::1')).toBe(true);
    expect(ipMatches('2001:db8::/32', '2001:db9::1')).toBe(false);
    expect(ipMatches('0.0.0.0/0', '8.8.8.8')).toBe(true);
  });

  it('matches IPv4-mapped IPv6 sources against IPv4 clients', () => {
    expect(ipMatches('10.0.0.0/8', '::ffff:10.1.2.3')).toBe(true);
    expect(ipMatches('10.0.0.1', '::ffff:10.0.0.2')).toBe(false);
    expect(ipMatches('::1', '127.0.0.1')).toBe(false);
  });

  it('never matches garbage', () => {
    expect(ipMatches('not an address', '10.0.0.1')).toBe(false);
    expect(ipMatches('10.0.0.0/8', 'nope')).toBe(false);
  });
});
