import type { StoredEvent } from '@twofold/event-store';
import { narrowEvent } from '@twofold/domain';
import { Sql } from '../storage/sql';

const TYPES = { ClusterEpochStarted: true, NodeJoined: true, NodeCertificateRecorded: true, NodeRemoved: true, JoinTokenIssued: true } as const;

export async function projectCluster(sql: Sql, e: StoredEvent): Promise<boolean> {
  const event = narrowEvent(e, TYPES);
  switch (event?.type) {
    case 'ClusterEpochStarted': {
      const { epoch, masterNodeId, masterNodeName, at } = event.data;
      await sql.query(`DELETE FROM rm_cluster WHERE id = 1`);
      await sql.query(`INSERT INTO rm_cluster (id, epoch, master_node_id, master_node_name, started_at) VALUES (1, ?, ?, ?, ?)`, [epoch, masterNodeId, masterNodeName, at]);
      return true;
    }
    case 'NodeJoined': {
      const { nodeId, nodeName, host, httpPort, replicationPort, at } = event.data;
      await sql.query(`DELETE FROM rm_cluster_nodes WHERE node_id = ?`, [nodeId]);
      await sql.query(`INSERT INTO rm_cluster_nodes (node_id, node_name, host, http_port, replication_port, joined_at) VALUES (?, ?, ?, ?, ?, ?)`,
        [nodeId, nodeName, host, httpPort, replicationPort, at]);
      return true;
    }
    case 'NodeCertificateRecorded': {
      const { nodeId, nodeName, fingerprint, reason, at } = event.data;
      await sql.query(`DELETE FROM rm_node_identities WHERE node_id = ?`, [nodeId]);
      await sql.query(`INSERT INTO rm_node_identities (node_id, node_name, fingerprint, reason, recorded_at, removed_at) VALUES (?, ?, ?, ?, ?, NULL)`,
        [nodeId, nodeName, fingerprint, reason, at]);
      return true;
    }
    case 'NodeRemoved': {
      const { nodeId, nodeName, at } = event.data;
      await sql.query(`DELETE FROM rm_node_identities WHERE node_id = ?`, [nodeId]);
      await sql.query(`INSERT INTO rm_node_identities (node_id, node_name, fingerprint, reason, recorded_at, removed_at) VALUES (?, ?, NULL, NULL, NULL, ?)`, [nodeId, nodeName, at]);
      return true;
    }
    case 'JoinTokenIssued':
      return true;
    default:
      return false;
  }
}
