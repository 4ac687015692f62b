// Who a slave is, as its TLS handshake and hello admitted it (the master's session keeps it).
export interface PeerIdentity {
  nodeId: string;
  nodeName: string;
  commonName: string; // subject CN of the client certificate
  units: string[]; // subject OUs (node certificates carry the node OU; client certificates never do)
  fingerprint: string; // lower-case hex SHA-256 of its DER (same as certificateFingerprint)
}
