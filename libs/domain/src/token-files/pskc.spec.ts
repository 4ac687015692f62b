import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base32Decode } from '../crypto/base32';
import { PskcError, readPskc } from './pskc';
import { readTokenCsv } from './token-csv';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../../test/fixtures/pskc', name), 'utf8');
const KEY = Buffer.from('12345678901234567890123456789012', 'hex');
const SECRET = Buffer.from('12345678901234567890');

describe('PSKC (RFC 6030)', () => {
  it('reads Figure 5 (plain secret): serial, HOTP, 8 digits, counter', () => {
    const read = readPskc(fixture('rfc6030-figure5.pskcxml'));
    expect(read.refused).toEqual([]);
    expect(read.tokens).toHaveLength(1);
    const { token } = read.tokens[0];
    expect(token).toMatchObject({ serial: '987654321', kind: 'hotp', digits: 8, counter: 0, algorithm: 'SHA1' });
    expect(base32Decode(token.seed)).toEqual(SECRET);
  });

  it('reads Figure 6 (AES-128-CBC, HMAC-SHA1 MAC) with the pre-shared key', () => {
    const read = readPskc(fixture('rfc6030-figure6.pskcxml'), KEY);
    expect(read.refused).toEqual([]);
    expect(base32Decode(read.tokens[0].token.seed)).toEqual(SECRET);
  });

  it('asks for the key when the file is encrypted and none was given', () => {
    expect(() => readPskc(fixture('rfc6030-figure6.pskcxml'))).toThrow(expect.objectContaining({ needsKey: true }));
  });

  it('refuses every secret with a wrong key, naming the MAC', () => {
    const read = readPskc(fixture('rfc6030-figure6.pskcxml'), Buffer.from('00112233445566778899aabbccddeeff', 'hex'));
    expect(read.tokens).toEqual([]);
    expect(read.refused).toEqual([expect.objectContaining({ serial: '987654321', reason: 'bad_mac', detail: expect.stringMatching(/wrong --key-file/) })]);
  });

  it('refuses a secret whose ciphertext was tampered with (MAC mismatch), before decrypting it', () => {
    const tampered = fixture('rfc6030-figure6.pskcxml').replace('AAECAwQFBgcICQoLDA0OD+cIHItlB3Wra1DUpxVvOx2lef1VmNPCMl8jwZqIUqGv', 'AAECAwQFBgcICQoLDA0OD+cIHItlB3Wra1DUpxVvOx2lef1VmNPCMl8jwZqIUqGw');
    expect(readPskc(tampered, KEY).refused).toEqual([expect.objectContaining({ reason: 'bad_mac', detail: expect.stringMatching(/does not match/) })]);
    const badMac = fixture('rfc6030-figure6.pskcxml').replace('Su+NvtQfmvfJzF6bmQiJqoLRExc=', 'Tu+NvtQfmvfJzF6bmQiJqoLRExc=');
    expect(readPskc(badMac, KEY).refused[0].reason).toBe('bad_mac');
  });

  it('refuses an unknown key algorithm per entry and keeps the others', () => {
    const two = fixture('rfc6030-figure5.pskcxml').replace('</KeyPackage>', '</KeyPackage>\n<KeyPackage><DeviceInfo><SerialNo>OCRA-1</SerialNo></DeviceInfo><Key Id="x" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:ocra"><Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret></Data></Key></KeyPackage>');
    const read = readPskc(two);
    expect(read.tokens.map((t) => t.token.serial)).toEqual(['987654321']);
    expect(read.refused).toEqual([expect.objectContaining({ entry: 2, serial: 'OCRA-1', reason: 'unknown_algorithm' })]);
  });

  it('refuses a DOCTYPE (no entity expansion, nothing fetched) and malformed XML with a line number', () => {
    expect(() => readPskc('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><KeyContainer/>')).toThrow(PskcError);
    expect(() => readPskc('<KeyContainer>\n<KeyPackage>\n</KeyContainer>')).toThrow(/line 3/);
  });
});

describe('token CSV', () => {
  it('reads hex and base32 seeds, defaults, and reports bad lines with their number', () => {
    const read = readTokenCsv('serial,seed,type,digits,period,counter,algorithm,username\nT1,3132333435363738393031323334353637383930,totp,6,30,,SHA1,alice\nH1,base32:GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ,hotp,8,,5,,\nBAD,zz!,totp,6,,,,\n');
    expect(read.tokens.map((t) => t.token)).toEqual([
      expect.objectContaining({ serial: 'T1', kind: 'totp', digits: 6, period: 30, username: 'alice' }),
      expect.objectContaining({ serial: 'H1', kind: 'hotp', digits: 8, counter: 5, algorithm: 'SHA1' }),
    ]);
    expect(base32Decode(read.tokens[0].token.seed)).toEqual(SECRET);
    expect(read.refused).toEqual([expect.objectContaining({ entry: 4, serial: 'BAD', reason: 'invalid' })]);
  });
});
