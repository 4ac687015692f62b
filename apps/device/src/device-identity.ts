import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

// What the reference device keeps in its key file (mode 0600): its P-256 private key, and once
// activated the service it belongs to and the device id the servers gave it.
export interface DeviceFile {
  privateKeyPem: string; // PKCS#8
  service?: string; // the Mobile App Web Service base URL, e.g. https://portal:8444/mobile/v1
  deviceId?: string;
  username?: string;
  name?: string;
  fingerprint?: string; // the service's pinned TLS certificate (SHA-256 hex), when it is self-signed
  ca?: string; // a CA file to trust for the service
}

export class DeviceIdentity {
  private readonly key: KeyObject;

  private constructor(private readonly path: string, private data: DeviceFile) {
    this.key = createPrivateKey(data.privateKeyPem);
    if (this.key.asymmetricKeyType !== 'ec' || this.key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error(`${path}: not a P-256 key`);
  }

  // Opens the key file, or makes a new key there (never overwriting one).
  static openOrCreate(path: string): DeviceIdentity {
    if (existsSync(path)) {
      let data: DeviceFile;
      try {
        data = JSON.parse(readFileSync(path, 'utf8')) as DeviceFile;
      } catch {
        throw new Error(`${path}: not a twofold-device key file`);
      }
      return new DeviceIdentity(path, data);
    }
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const identity = new DeviceIdentity(path, { privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() });
    identity.save();
    return identity;
  }

  get file(): Readonly<DeviceFile> {
    return this.data;
  }

  // SPKI DER, base64url: what the service records at activation.
  get publicKey(): string {
    return createPublicKey(this.key).export({ format: 'der', type: 'spki' }).toString('base64url');
  }

  signText(text: string): string {
    return sign('sha256', Buffer.from(text, 'utf8'), { key: this.key, dsaEncoding: 'der' }).toString('base64url');
  }

  update(changes: Partial<DeviceFile>): void {
    this.data = { ...this.data, ...changes };
    this.save();
  }

  private save(): void {
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
