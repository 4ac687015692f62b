import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

// What the other end's certificate says, once TLS has verified its chain: who it names, which OUs
// it carries, and its SHA-256 fingerprint (lower-case hex over the DER, as certificateFingerprint).
export interface PeerCertificateInfo { fingerprint: string; commonName: string; units: string[] }

export function peerCertificate(socket: TLSSocket): PeerCertificateInfo {
  const cert = socket.getPeerCertificate();
  const cn = cert?.subject?.CN;
  const ou = cert?.subject?.OU;
  return {
    fingerprint: cert?.raw ? createHash('sha256').update(cert.raw).digest('hex') : '',
    commonName: Array.isArray(cn) ? cn[0] : (cn ?? ''),
    units: Array.isArray(ou) ? ou : ou ? [ou] : [],
  };
}
