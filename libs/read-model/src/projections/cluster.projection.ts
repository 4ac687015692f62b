import type { StoredEvent } from '@twofold/event-store';
import { Sql } from '../storage/sql';

export async function projectCluster(sql: Sql, e: StoredEvent): Promise<boolean> {
  const p = e.payload as Record<string, unknown>;
  switch (e.type) {
    case 'ClusterEpochStarted':
      await sql.query(`DELETE FROM rm_cluster WHERE id = 1`);
      await sql.query(`INSERT INTO rm_cluster (id, epoch, master_node_id, master_node_name, started_at) VALUES (1, ?, ?, ?, ?)`, [p.epoch, p.masterNodeId, p.masterNodeName, p.at]);
      return true;
    case 'NodeJoined':
      await sql.query(`DELETE FROM rm_cluster_nodes WHERE node_id = ?`, [p.nodeId]);
      await sql.query(`INSERT INTO rm_cluster_nodes (node_id, node_name, host, http_port, replication_port, joined_at) VALUES (?, ?, ?, ?, ?, ?)`,
        [p.nodeId, p.nodeName, p.host, p.httpPort, p.replicationPort, p.at]);
      return true;
    case 'NodeCertificateRecorded':
      await sql.query(`DELETE FROM rm_node_identities WHERE node_id = ?`, [p.nodeId]);
      await sql.query(`INSERT INTO rm_node_identities (node_id, node_name, fingerprint, reason, recorded_at, removed_at) VALUES (?, ?, ?, ?, ?, NULL)`,
        [p.nodeId, p.nodeName, p.fingerprint, p.reason, p.at]);
      return true;
    case 'NodeRemoved':
      await sql.query(`DELETE FROM rm_node_identities WHERE node_id = ?`, [p.nodeId]);
      await sql.query(`INSERT INTO rm_node_identities (node_id, node_name, fingerprint, reason, recorded_at, removed_at) VALUES (?, ?, NULL, NULL, NULL, ?)`, [p.nodeId, p.nodeName, p.at]);
      return true;
    case 'JoinTokenIssued':
      return true;
    default:
      return false;
  }
}
