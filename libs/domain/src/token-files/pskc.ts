import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { base32Encode } from '../crypto/base32';
import { child, children, parseXml, textOf, XmlElement, XmlError } from './xml';

// One token read from a file, ready for the admin API (seed in base32), or why it was not.
export interface FileToken { serial: string; seed: string; kind: string; algorithm: string; digits: number; period?: number; counter?: number; username?: string }
export interface FileRefusal { entry: number; serial: string | null; reason: 'bad_mac' | 'cannot_decrypt' | 'unknown_algorithm' | 'invalid'; detail: string }
export interface FileRead { tokens: Array<{ entry: number; token: FileToken }>; refused: FileRefusal[] }

export class PskcError extends Error {
  constructor(message: string, readonly needsKey = false) { super(message); }
}

const KEY_ALGORITHMS: Record<string, 'hotp' | 'totp'> = {
  'urn:ietf:params:xml:ns:keyprov:pskc:hotp': 'hotp',
  'urn:ietf:params:xml:ns:keyprov:pskc:totp': 'totp',
  'urn:ietf:params:xml:ns:keyprov:pskc#hotp': 'hotp',
  'urn:ietf:params:xml:ns:keyprov:pskc#totp': 'totp',
};
const CIPHERS: Record<string, { name: string; keyBytes: number }> = {
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc': { name: 'aes-128-cbc', keyBytes: 16 },
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc': { name: 'aes-256-cbc', keyBytes: 32 },
};
const MACS: Record<string, string> = {
  'http://www.w3.org/2000/09/xmldsig#hmac-sha1': 'sha1',
  'http://www.w3.org/2001/04/xmldsig-more#hmac-sha256': 'sha256',
};

class EntryError extends Error {
  constructor(readonly reason: FileRefusal['reason'], message: string) { super(message); }
}

function b64(text: string | undefined, what: string): Buffer {
  const clean = (text ?? '').replace(/\s+/g, '');
  if (!clean || !/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) throw new EntryError('invalid', `${what} is not base64`);
  return Buffer.from(clean, 'base64');
}

// xenc: the first 16 bytes of CipherValue are the IV (RFC 6030 section 6.1).
function decrypt(encrypted: XmlElement, key: Buffer, what: string): { plain: Buffer; cipherValue: Buffer } {
  const method = child(encrypted, 'EncryptionMethod')?.attrs.Algorithm ?? '';
  const cipher = CIPHERS[method];
  if (!cipher) throw new EntryError('unknown_algorithm', `${what}: encryption ${method || '(none given)'} is not aes128-cbc or aes256-cbc`);
  if (key.length !== cipher.keyBytes) throw new EntryError('cannot_decrypt', `${what}: the key file holds ${key.length} bytes, ${cipher.name} needs ${cipher.keyBytes}`);
  const cipherValue = b64(textOf(child(child(encrypted, 'CipherData'), 'CipherValue')), `${what} CipherValue`);
  if (cipherValue.length < 32 || cipherValue.length % 16 !== 0) throw new EntryError('cannot_decrypt', `${what}: CipherValue has the wrong length`);
  try {
    const d = createDecipheriv(cipher.name, key, cipherValue.subarray(0, 16));
    return { plain: Buffer.concat([d.update(cipherValue.subarray(16)), d.final()]), cipherValue };
  } catch {
    throw new EntryError('cannot_decrypt', `${what} cannot be decrypted with this key`);
  }
}

// PSKC (RFC 6030): plain secrets, or secrets encrypted with a pre-shared key (AES-CBC) and checked
// with a MAC (HMAC over IV and ciphertext, MAC key itself encrypted with the pre-shared key).
// key: the pre-shared key's bytes (from --key-file), when the file holds encrypted secrets.
export function readPskc(text: string, key?: Buffer): FileRead {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (err) {
    throw new PskcError(`not a PSKC file: ${err instanceof XmlError ? err.message : 'unreadable XML'}`);
  }
  if (root.name !== 'KeyContainer') throw new PskcError(`not a PSKC file: the root element is <${root.name}>, not <KeyContainer>`);
  const packages = children(root, 'KeyPackage');
  if (packages.length === 0) throw new PskcError('the PSKC file holds no KeyPackage');
  const encrypted = packages.some((p) => child(child(child(p, 'Key'), 'Data'), 'Secret') && child(child(child(child(p, 'Key'), 'Data'), 'Secret'), 'EncryptedValue'));
  if (encrypted && !key) throw new PskcError('the PSKC file holds encrypted secrets: give the pre-shared key with --key-file', true);
  const macMethod = child(root, 'MACMethod');
  let mac: { hash: string; key: Buffer } | EntryError | null = null;
  if (macMethod && key) {
    const hash = MACS[macMethod.attrs.Algorithm ?? ''];
    const macKey = child(macMethod, 'MACKey');
    try {
      if (!hash) throw new EntryError('unknown_algorithm', `MAC algorithm ${macMethod.attrs.Algorithm ?? '(none)'} is not hmac-sha1 or hmac-sha256`);
      if (!macKey) throw new EntryError('bad_mac', 'MACMethod has no MACKey');
      mac = { hash, key: decrypt(macKey, key, 'MAC key').plain };
    } catch (err) {
      // A wrong pre-shared key shows here first: every encrypted secret is refused for it.
      mac = err instanceof EntryError ? new EntryError(err.reason === 'cannot_decrypt' ? 'bad_mac' : err.reason, `${err.message} (wrong --key-file?)`) : new EntryError('bad_mac', 'MAC key unreadable');
    }
  }
  const out: FileRead = { tokens: [], refused: [] };
  packages.forEach((pkg, i) => {
    const entry = i + 1;
    const k = child(pkg, 'Key');
    const serial = textOf(child(child(pkg, 'DeviceInfo'), 'SerialNo')) || k?.attrs.Id || null;
    try {
      if (!k) throw new EntryError('invalid', 'KeyPackage has no Key');
      const kind = KEY_ALGORITHMS[k.attrs.Algorithm ?? ''];
      if (!kind) throw new EntryError('unknown_algorithm', `key algorithm ${(k.attrs.Algorithm ?? '(none)').slice(0, 80)} is not HOTP or TOTP`);
      const params = child(k, 'AlgorithmParameters');
      const format = child(params, 'ResponseFormat');
      if (format?.attrs.Encoding && format.attrs.Encoding !== 'DECIMAL') throw new EntryError('unknown_algorithm', `response encoding ${format.attrs.Encoding} is not DECIMAL`);
      const suite = textOf(child(params, 'Suite'));
      const data = child(k, 'Data');
      const secret = child(data, 'Secret');
      if (!secret) throw new EntryError('invalid', 'Key has no Data/Secret');
      let seed: Buffer;
      const plainValue = child(secret, 'PlainValue');
      const encryptedValue = child(secret, 'EncryptedValue');
      if (plainValue) {
        seed = b64(textOf(plainValue), 'Secret PlainValue');
      } else if (encryptedValue && key) {
        if (mac instanceof EntryError) throw mac;
        seed = decryptChecked(encryptedValue, key, mac, textOf(child(secret, 'ValueMAC')));
      } else {
        throw new EntryError('invalid', 'Secret has neither PlainValue nor EncryptedValue');
      }
      const number = (el: XmlElement | undefined) => {
        const t = textOf(child(el, 'PlainValue'));
        if (t === undefined) return undefined;
        if (!/^\d{1,15}$/.test(t)) throw new EntryError('invalid', `${el!.name} is not a whole number`);
        return Number(t);
      };
      const token: FileToken = {
        serial: serial ?? `entry-${entry}`,
        seed: base32Encode(seed),
        kind,
        algorithm: suite ? suite.replace(/^HMAC-/i, '') : 'SHA1',
        digits: format?.attrs.Length ? Number(format.attrs.Length) : 6,
      };
      const counter = number(child(data, 'Counter'));
      const period = number(child(data, 'TimeInterval'));
      if (counter !== undefined) token.counter = counter;
      if (period !== undefined) token.period = period;
      const user = textOf(child(k, 'UserId')) ?? textOf(child(pkg, 'UserId'));
      if (user) token.username = user;
      seed.fill(0);
      out.tokens.push({ entry, token });
    } catch (err) {
      if (!(err instanceof EntryError)) throw err;
      out.refused.push({ entry, serial, reason: err.reason, detail: err.message });
    }
  });
  return out;
}

function decryptChecked(encrypted: XmlElement, key: Buffer, mac: { hash: string; key: Buffer } | null, valueMac: string | undefined) {
  // Encrypt-then-MAC: the MAC is checked on the ciphertext before anything is decrypted.
  if (mac) {
    const cipherValue = b64(textOf(child(child(encrypted, 'CipherData'), 'CipherValue')), 'Secret CipherValue');
    if (!valueMac) throw new EntryError('bad_mac', 'the secret has no ValueMAC');
    const expected = createHmac(mac.hash, mac.key).update(cipherValue).digest();
    const given = b64(valueMac, 'ValueMAC');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new EntryError('bad_mac', 'the MAC of the secret does not match (tampered, or the wrong key)');
  }
  return decrypt(encrypted, key, 'Secret').plain;
}
