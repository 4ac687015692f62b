import { generateKeyPairSync, randomBytes, X509Certificate, createHash } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface KeyAndCert { keyPem: string; certPem: string }

// RSA keys are generated natively (forge's JS keygen is slow); forge only builds and signs the X.509.
function newRsaKey(): { privatePem: string; forgeKey: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(privatePem);
  const forgePublic = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  return { privatePem, forgeKey, forgePublic };
}

// What a certificate is for, in its subject's OU. Node certificates (HTTPS + replication, both
// directions) and client certificates (SDK, portal) are issued differently: a client certificate
// never carries the node OU nor serverAuth, and a node certificate is never an SDK principal.
export const NODE_CERTIFICATE_OU = 'Twofold node';
export const CLIENT_CERTIFICATE_OU = 'Twofold client';
export type CertificateRole = 'node' | 'client';

function baseCert(publicKey: forge.pki.rsa.PublicKey, commonName: string, years: number, unit?: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 5 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + years * 365 * 24 * 3600 * 1000);
  cert.setSubject([
    { name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Twofold' },
    ...(unit ? [{ name: 'organizationalUnitName', value: unit }] : []),
  ]);
  return cert;
}

export function createClusterCa(clusterId: string): KeyAndCert {
  const key = newRsaKey();
  const cert = baseCert(key.forgePublic, `Twofold cluster CA ${clusterId}`, 20);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.forgeKey, forge.md.sha256.create());
  return { keyPem: key.privatePem, certPem: forge.pki.certificateToPem(cert) };
}

function existingRsaKey(privatePem: string): ReturnType<typeof newRsaKey> {
  const forgeKey = forge.pki.privateKeyFromPem(privatePem);
  return { privatePem, forgeKey, forgePublic: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

// A certificate signed by the cluster CA. `hosts` go to subjectAltName. role 'node' (the default)
// marks it with the node OU; role 'client' is clientAuth only, with the client OU. `keyPem`
// re-certifies an existing key (a node's certificate re-issued with new names keeps its key).
export function issueCertificate(ca: KeyAndCert, commonName: string, opts: { hosts?: string[]; server?: boolean; client?: boolean; years?: number; role?: CertificateRole; keyPem?: string } = {}): KeyAndCert {
  const key = opts.keyPem ? existingRsaKey(opts.keyPem) : newRsaKey();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const role = opts.role ?? (opts.server === false ? 'client' : 'node');
  const cert = baseCert(key.forgePublic, commonName, opts.years ?? 5, role === 'node' ? NODE_CERTIFICATE_OU : CLIENT_CERTIFICATE_OU);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = (opts.hosts ?? []).map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: role === 'node' && (opts.server ?? true), clientAuth: opts.client ?? true },
    ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { keyPem: key.privatePem, certPem: forge.pki.certificateToPem(cert) };
}

// SHA-256 over the DER, lower-case hex: how SDK credentials name a client certificate.
export function certificateFingerprint(certPem: string | Buffer): string {
  const der = new X509Certificate(certPem).raw;
  return createHash('sha256').update(der).digest('hex');
}

// A client certificate for an SDK application (ADFS adapter, portal): issued on the node that holds
// the CA key, so the key itself is never handed to the administrators of other systems.
export function issueClientCertificate(ca: KeyAndCert, commonName: string, years = 5): KeyAndCert & { fingerprint: string } {
  const issued = issueCertificate(ca, commonName, { role: 'client', client: true, years });
  return { ...issued, fingerprint: certificateFingerprint(issued.certPem) };
}

// The OU of a peer certificate as node:tls reports it (a string, or an array when repeated).
export function hasNodeUnit(unit: string | string[] | undefined): boolean {
  return Array.isArray(unit) ? unit.includes(NODE_CERTIFICATE_OU) : unit === NODE_CERTIFICATE_OU;
}
