import type { Logger } from 'pino';
import type { DataDirectory } from '@twofold/platform';

// What start-up did about the names in this node's certificate, in words an administrator can act on.
export function reportNodeCertificate(dataDir: DataDirectory, logger: Logger): void {
  const c = dataDir.certificate;
  if (c.status === 'reissued') {
    logger.warn({ added: c.added, previousFingerprint: c.previousFingerprint, fingerprint: c.fingerprint },
      'node certificate re-issued with the names it lacked (TWOFOLD_ADVERTISE_HOST, TWOFOLD_TLS_HOSTS); same key, new certificate');
  } else if (c.status === 'missing_names') {
    logger.warn({ missing: c.missing },
      'the node certificate does not name every host this node is reached by, and this node holds no CA key to re-issue it: ' +
      'clients that use a missing name will fail TLS verification. Re-issue the certificate on the node that holds the cluster CA key, ' +
      'or serve an enterprise certificate on the HTTPS port (TWOFOLD_HTTPS_CERT_FILE, TWOFOLD_HTTPS_KEY_FILE)');
  }
}
