import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { certificateFingerprint, issueCertificate, KeyAndCert } from './certificates';

// The names every node certificate carries: loopback, the node name, the host other nodes and
// clients use (TWOFOLD_ADVERTISE_HOST) and the administrator's extra names (TWOFOLD_TLS_HOSTS).
export function nodeCertificateHosts(nodeName: string, advertiseHost?: string, extra: string[] = []): string[] {
  const hosts: string[] = [];
  for (const h of ['localhost', '127.0.0.1', '::1', nodeName, advertiseHost, ...extra]) {
    if (h && !hosts.some((x) => x.toLowerCase() === h.toLowerCase())) hosts.push(h);
  }
  return hosts;
}

// The subjectAltName entries of a certificate, as issueCertificate takes them.
export function certificateHosts(certPem: string): string[] {
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  return san.split(/,\s*/).flatMap((entry) => {
    const m = /^(DNS|IP Address):(.+)$/.exec(entry.trim());
    return m ? [m[2]] : [];
  });
}

// Wanted names the certificate does not carry (IPs compared as addresses, names case-insensitively).
export function missingHosts(certPem: string, wanted: string[]): string[] {
  const cert = new X509Certificate(certPem);
  const dns = certificateHosts(certPem).filter((h) => isIP(h) === 0).map((h) => h.toLowerCase());
  return wanted.filter((h) => (isIP(h) !== 0 ? cert.checkIP(h) === undefined : !dns.includes(h.toLowerCase())));
}

export type NodeCertificateOutcome =
  | { status: 'ok' }
  | { status: 'reissued'; added: string[]; previousFingerprint: string; fingerprint: string }
  | { status: 'missing_names'; missing: string[] };

// A node certificate that lacks a wanted name is re-issued by a node that holds the CA key, with
// the same key and every name it had (names are added, never silently dropped: a joined node's
// certificate may carry names its issuer gave it). Without the CA key the caller must warn.
export function checkNodeCertificate(tls: KeyAndCert, ca: { certPem: string; keyPem?: string }, commonName: string, wanted: string[]): { outcome: NodeCertificateOutcome; reissued?: KeyAndCert } {
  const missing = missingHosts(tls.certPem, wanted);
  if (missing.length === 0) return { outcome: { status: 'ok' } };
  if (!ca.keyPem) return { outcome: { status: 'missing_names', missing } };
  const hosts = [...certificateHosts(tls.certPem), ...missing];
  const next = issueCertificate({ certPem: ca.certPem, keyPem: ca.keyPem }, commonName, { hosts, keyPem: tls.keyPem });
  return {
    outcome: { status: 'reissued', added: missing, previousFingerprint: certificateFingerprint(tls.certPem), fingerprint: certificateFingerprint(next.certPem) },
    reissued: next,
  };
}

// The TLS server name for a host: a DNS name as given; none for an IP address (RFC 6066 forbids
// IPs there, and Node then checks the address against the certificate's IP entries).
export function tlsServername(host: string): string | undefined {
  return isIP(host.replace(/^\[|\]$/g, '')) === 0 ? host : undefined;
}
