import type { Server } from 'node:https';
import { DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS, limitConnectionsPerSource, TLS_SERVER_POLICY } from '@twofold/replication';
import type { NodeRuntime } from '../node/node-runtime';
import type { HttpsIdentity } from './https-certificate';

// Options for the public HTTPS port. Client certificates are optional at the TLS level and always
// verified against the cluster CA, whichever certificate the server presents (the SDK guard and the
// forwarding path check them further); the server's own certificate may come from the enterprise PKI.
export function httpsServerOptions(runtime: NodeRuntime, identity: HttpsIdentity) {
  return {
    key: identity.key, cert: identity.cert, ca: runtime.dataDir.ca.certPem,
    requestCert: true, rejectUnauthorized: false, ...TLS_SERVER_POLICY,
    handshakeTimeout: runtime.config.tls.handshakeTimeoutMs ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
  };
}

export function guardHttpsServer(server: Server, runtime: NodeRuntime): void {
  // A failed or timed-out handshake ends the connection (Node leaves it to the listener).
  server.on('tlsClientError', (_err, socket) => socket.destroy());
  limitConnectionsPerSource(server, {
    maxPerSource: runtime.config.http.maxConnectionsPerSource,
    onLimited: (source) => runtime.logger.warn({ remoteAddress: source }, 'https: too many connections from one address; new ones are closed'),
  });
}
