import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { DataDirectory, TwofoldConfig } from '@twofold/platform';

export class HttpsCertificateError extends Error {
  readonly code = 'invalid_config';
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readPem(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new HttpsCertificateError(`configuration key ${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function certificatesIn(pem: string, path: string, variable: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new HttpsCertificateError(`configuration key ${variable}: ${path} holds no PEM certificate`);
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch (err) {
    throw new HttpsCertificateError(`configuration key ${variable}: ${path} holds a certificate that cannot be read (${(err as Error).message})`);
  }
}

export interface HttpsIdentity {
  key: string;
  cert: string; // leaf first, then the chain
  source: 'node' | 'administrator';
  subject: string;
  validTo: string;
}

// The certificate the public HTTPS port serves: the administrator's (enterprise PKI) when
// TWOFOLD_HTTPS_CERT_FILE and TWOFOLD_HTTPS_KEY_FILE are set, else this node's cluster certificate.
// Checked once at start: a key that does not match its certificate stops the process.
export function loadHttpsIdentity(config: TwofoldConfig, dataDir: DataDirectory): HttpsIdentity {
  const { certFile, keyFile, chainFile } = config.http;
  if (!certFile && !keyFile) {
    const leaf = new X509Certificate(dataDir.tls.certPem);
    return { key: dataDir.tls.keyPem, cert: dataDir.tls.certPem, source: 'node', subject: leaf.subject, validTo: leaf.validTo };
  }
  if (!certFile || !keyFile) {
    throw new HttpsCertificateError('configuration keys TWOFOLD_HTTPS_CERT_FILE and TWOFOLD_HTTPS_KEY_FILE: set both or neither');
  }
  const certPem = readPem(certFile, 'TWOFOLD_HTTPS_CERT_FILE');
  const [leaf] = certificatesIn(certPem, certFile, 'TWOFOLD_HTTPS_CERT_FILE');
  const chainPem = chainFile ? readPem(chainFile, 'TWOFOLD_HTTPS_CHAIN_FILE') : '';
  if (chainFile) certificatesIn(chainPem, chainFile, 'TWOFOLD_HTTPS_CHAIN_FILE');
  const keyPem = readPem(keyFile, 'TWOFOLD_HTTPS_KEY_FILE');
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(createPrivateKey(keyPem));
  } catch (err) {
    throw new HttpsCertificateError(`configuration key TWOFOLD_HTTPS_KEY_FILE: ${keyFile} holds no usable private key (${(err as Error).message})`);
  }
  if (!matches) throw new HttpsCertificateError(`configuration key TWOFOLD_HTTPS_KEY_FILE: the key in ${keyFile} does not belong to the certificate in ${certFile}`);
  return { key: keyPem, cert: chainFile ? `${certPem.trimEnd()}\n${chainPem}` : certPem, source: 'administrator', subject: leaf.subject, validTo: leaf.validTo };
}

const peerTrust = new WeakMap<DataDirectory, string[]>();

// What this node trusts when it calls another node's HTTPS port (write forwarding, epoch probes):
// the cluster CA (node certificates), the system CAs, and TWOFOLD_HTTPS_PEER_CA_FILE (the
// enterprise root, when nodes serve enterprise certificates). Read once.
export function peerHttpsCa(config: TwofoldConfig, dataDir: DataDirectory): string[] {
  let trust = peerTrust.get(dataDir);
  if (!trust) {
    const extra = config.http.peerCaFile ? readPem(config.http.peerCaFile, 'TWOFOLD_HTTPS_PEER_CA_FILE') : '';
    if (config.http.peerCaFile) certificatesIn(extra, config.http.peerCaFile, 'TWOFOLD_HTTPS_PEER_CA_FILE');
    trust = [dataDir.ca.certPem, ...rootCertificates, ...(extra.match(PEM_CERT) ?? [])];
    peerTrust.set(dataDir, trust);
  }
  return trust;
}
