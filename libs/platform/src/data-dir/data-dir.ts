import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createClusterCa, issueCertificate, KeyAndCert } from '../tls/certificates';
import { checkNodeCertificate, nodeCertificateHosts, NodeCertificateOutcome } from '../tls/node-certificate';
import { restrictDataDirPermissions } from './permissions';

export interface ClusterIdentity {
  clusterId: string;
  nodeId: string;
  nodeName: string;
  createdAt: string;
  // The node that created the cluster: master at epoch 0. Absent in directories made before joins.
  founderNodeId?: string;
  // Set on nodes that joined: where the master was at join time (until the log says more).
  // certFingerprint: the master's certificate as the join saw it, pinned until the log names it.
  joinedMaster?: { nodeId: string; nodeName: string; host: string; httpPort: number; replicationPort: number; certFingerprint?: string };
}

// What a master hands a joining node (over HTTPS, once). Not the CA key: only the node that
// issues certificates holds it (see README, "Where the CA key lives").
export interface JoinMaterial {
  identity: ClusterIdentity;
  masterKey: Buffer;
  ca: { certPem: string };
  tls: KeyAndCert;
}

export interface DataDirectory {
  path: string;
  identity: ClusterIdentity;
  masterKey: Buffer;           // 32 bytes; seals secrets in events and challenge state
  masterKeyId: string;
  ca: { certPem: string; keyPem?: string };
  tls: KeyAndCert;             // this node's HTTPS / replication certificate
  sqlitePath: string;
  created: boolean;            // true when this call created the cluster
  // What opening did about the node certificate's names (only when hosts were asked for).
  certificate: NodeCertificateOutcome;
}

export class DataDirError extends Error {
  readonly code = 'data_dir_invalid';
}

const FILES = {
  identity: 'cluster.json',
  masterKey: 'master.key',
  caCert: 'tls/ca.pem',
  caKey: 'tls/ca.key.pem',
  nodeCert: 'tls/node.pem',
  nodeKey: 'tls/node.key.pem',
  sqlite: 'twofold.sqlite',
};

function writeSecret(path: string, content: string | Buffer): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function readRequired(path: string): Buffer {
  if (!existsSync(path)) throw new DataDirError(`data directory is incomplete: ${path} is missing`);
  return readFileSync(path);
}

// Writes the data directory of a node that joined an existing cluster.
export function writeJoinedDataDir(path: string, material: JoinMaterial): void {
  if (dataDirExists(path)) throw new DataDirError(`${path} already holds a Twofold data directory`);
  mkdirSync(join(path, 'tls'), { recursive: true, mode: 0o700 });
  writeSecret(join(path, FILES.masterKey), material.masterKey.toString('base64') + '\n');
  writeFileSync(join(path, FILES.caCert), material.ca.certPem);
  writeFileSync(join(path, FILES.nodeCert), material.tls.certPem);
  writeSecret(join(path, FILES.nodeKey), material.tls.keyPem);
  writeFileSync(join(path, FILES.identity), JSON.stringify(material.identity, null, 2) + '\n');
  restrictDataDirPermissions(path);
}

// Rotation: a re-issued node certificate replaces this node's own (takes effect on restart).
export function installNodeCertificate(path: string, tls: KeyAndCert): void {
  writeSecret(join(path, FILES.nodeKey), tls.keyPem);
  writeFileSync(join(path, FILES.nodeCert), tls.certPem);
}

export const CA_KEY_FILE = FILES.caKey;

export function dataDirExists(path: string): boolean {
  return existsSync(join(path, FILES.identity));
}

// Creates a new cluster (identity, master key, CA, node certificate) or opens the existing one.
// `hosts`: names the node certificate must carry besides localhost and the node name (advertise
// host, TWOFOLD_TLS_HOSTS); a certificate that lacks one is re-issued when this node holds the CA key.
export function openDataDir(path: string, opts: { nodeName?: string; create?: boolean; hosts?: string[] } = {}): DataDirectory {
  const created = !dataDirExists(path);
  if (created) {
    if (opts.create === false) throw new DataDirError(`no Twofold data directory at ${path} (run \`twofold init\` or start the server once)`);
    mkdirSync(join(path, 'tls'), { recursive: true, mode: 0o700 });
    restrictDataDirPermissions(path);
    const identity: ClusterIdentity = {
      clusterId: randomUUID(),
      nodeId: randomUUID(),
      nodeName: opts.nodeName ?? hostname(),
      createdAt: new Date().toISOString(),
    };
    identity.founderNodeId = identity.nodeId;
    writeSecret(join(path, FILES.masterKey), randomBytes(32).toString('base64') + '\n');
    const ca = createClusterCa(identity.clusterId);
    writeFileSync(join(path, FILES.caCert), ca.certPem);
    writeSecret(join(path, FILES.caKey), ca.keyPem);
    const node = issueCertificate(ca, identity.nodeName, { role: 'node', hosts: nodeCertificateHosts(identity.nodeName, undefined, opts.hosts) });
    writeFileSync(join(path, FILES.nodeCert), node.certPem);
    writeSecret(join(path, FILES.nodeKey), node.keyPem);
    // Written last: its presence means the directory is complete.
    writeFileSync(join(path, FILES.identity), JSON.stringify(identity, null, 2) + '\n');
  }
  let identity: ClusterIdentity;
  try {
    identity = JSON.parse(readRequired(join(path, FILES.identity)).toString('utf8'));
  } catch (e) {
    if (e instanceof DataDirError) throw e;
    throw new DataDirError(`${join(path, FILES.identity)} is not valid JSON`);
  }
  const masterKey = Buffer.from(readRequired(join(path, FILES.masterKey)).toString('utf8').trim(), 'base64');
  if (masterKey.length !== 32) throw new DataDirError(`${join(path, FILES.masterKey)} must hold 32 bytes, base64`);
  restrictDataDirPermissions(path);
  const caKeyPath = join(path, FILES.caKey);
  const ca = { certPem: readRequired(join(path, FILES.caCert)).toString('utf8'), keyPem: existsSync(caKeyPath) ? readFileSync(caKeyPath, 'utf8') : undefined };
  let tls = { certPem: readRequired(join(path, FILES.nodeCert)).toString('utf8'), keyPem: readRequired(join(path, FILES.nodeKey)).toString('utf8') };
  let certificate: NodeCertificateOutcome = { status: 'ok' };
  if (opts.hosts) {
    // Only the founding node re-issues its own certificate: a joined node's fingerprint is pinned in
    // the log by its issuer, so it is re-issued there (`twofold cluster reissue-cert`), not here.
    const founder = !identity.founderNodeId || identity.founderNodeId === identity.nodeId;
    const check = checkNodeCertificate(tls, founder ? ca : { certPem: ca.certPem }, identity.nodeName, nodeCertificateHosts(identity.nodeName, undefined, opts.hosts));
    if (check.reissued) {
      // Replaced whole or not at all; the key stays, so only the certificate file changes.
      const certPath = join(path, FILES.nodeCert);
      writeFileSync(`${certPath}.new`, check.reissued.certPem, { mode: 0o600 });
      renameSync(`${certPath}.new`, certPath);
      tls = check.reissued;
    }
    certificate = check.outcome;
  }
  return {
    path,
    identity,
    masterKey,
    masterKeyId: identity.clusterId.slice(0, 8),
    ca,
    tls,
    sqlitePath: join(path, FILES.sqlite),
    created,
    certificate,
  };
}
