// What both TLS ports (HTTPS and replication) accept: TLS 1.3, or TLS 1.2 with ECDHE key exchange
// and an AEAD cipher. No static-RSA or CBC suites: every session is forward secret.
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export const TLS_SERVER_POLICY = {
  minVersion: 'TLSv1.2',
  ciphers: TLS_CIPHERS,
  honorCipherOrder: true,
} as const;

// A connection that has not finished its TLS handshake by then is closed (Node's default is 120 s).
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 10_000;
