import { AddressSpecError, matches, mostSpecificMatch, parseAddressSpec } from './address-match';

describe('parseAddressSpec / matches', () => {
  it.each<[string, string, boolean]>([
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.168.1.5', '192.168.1.5', true],
    ['192.168.1.5', '192.168.1.6', false],
    ['192.168.1.5/32', '192.168.1.5', true],
    ['172.16.0.0/12', '172.31.255.255', true],
    ['172.16.0.0/12', '172.32.0.0', false],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['10.0.0.0/8', '::ffff:10.1.2.3', true], // dual-stack socket peer
    ['10.0.0.0/8', '::FFFF:10.1.2.3', true],
    ['10.0.0.0/8', '::ffff:a01:203', true],
    ['192.168.1.5', '::ffff:192.168.1.6', false],
    ['::ffff:10.0.0.0/104', '10.9.9.9', true],
    ['::1', '::1', true],
    ['::1', '0:0:0:0:0:0:0:1', true],
    ['::1', '127.0.0.1', false],
    ['::1', '::2', false],
    ['fe80::/10', 'fe80::1', true],
    ['fe80::/10', 'febf:ffff::1', true],
    ['fe80::/10', 'fec0::1', false],
    ['fe80::/10', 'fe80::1%eth0', true],
    ['2001:db8::/32', '2001:db8:abcd::42', true],
    ['2001:db8::/32', '2001:db9::42', false],
    ['2001:DB8::/32', '2001:db8::1', true],
    ['10.0.0.0/8', 'not-an-ip', false],
    ['10.0.0.0/8', '', false],
    ['::/0', '2001:db8::1', true],
  ])('%s matches %s: %s', (spec, ip, expected) => {
    expect(matches(parseAddressSpec(spec), ip)).toBe(expected);
  });

  it('normalises the spec and clears host bits', () => {
    expect(parseAddressSpec('192.168.1.5/24')).toMatchObject({ family: 4, prefixLength: 24, text: '192.168.1.0/24' });
    expect(parseAddressSpec('192.168.1.5').text).toBe('192.168.1.5/32');
    expect(parseAddressSpec(' fe80::1/10 ').text).toBe('fe80::/10');
    expect(parseAddressSpec('2001:0db8:0:0:1:0:0:1').text).toBe('2001:db8::1:0:0:1/128');
    expect(parseAddressSpec('::').text).toBe('::/128');
    expect(matches(parseAddressSpec('192.168.1.5/24'), '192.168.1.200')).toBe(true);
  });

  it.each(['', 'abc', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0/8', '256.0.0.1', '::1/129', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', '10.0.0.0/ 8', '10.0.0.0/0x8'])(
    'rejects "%s"',
    (spec) => {
      expect(() => parseAddressSpec(spec)).toThrow(AddressSpecError);
    },
  );

  it('carries a string code on the error', () => {
    try {
      parseAddressSpec('nope');
      throw new Error('expected a throw');
    } catch (err) {
      expect((err as AddressSpecError).code).toBe('invalid_address_spec');
    }
  });

  it('picks the most specific of overlapping client entries', () => {
    const clients = [
      { name: 'any', spec: parseAddressSpec('0.0.0.0/0') },
      { name: 'lan', spec: parseAddressSpec('10.0.0.0/8') },
      { name: 'vpn', spec: parseAddressSpec('10.1.2.3') },
      { name: 'v6', spec: parseAddressSpec('2001:db8::/32') },
    ];
    const pick = (ip: string) => mostSpecificMatch(clients, (c) => c.spec, ip)?.name;
    expect(pick('10.1.2.3')).toBe('vpn');
    expect(pick('::ffff:10.1.2.4')).toBe('lan');
    expect(pick('8.8.8.8')).toBe('any');
    expect(pick('2001:db8::5')).toBe('v6');
    expect(pick('2001:db9::5')).toBeUndefined();
  });
});
