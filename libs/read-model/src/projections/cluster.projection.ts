import type { ClusterEvent } from '@twofold/domain';
import { projection } from './projection';

export const projectCluster = projection<ClusterEvent>({
  ClusterEpochStarted: async (sql, { epoch, masterNodeId, masterNodeName, at }) => {
    await sql.query(`DELETE FROM rm_cluster WHERE id = 1`);
    await sql.query(`INSERT INTO rm_cluster (id, epoch, master_node_id, master_node_name, started_at) VALUES (1, ?, ?, ?, ?)`, [epoch, masterNodeId, masterNodeName, at]);
  },
  NodeJoined: async (sql, { nodeId, nodeName, host, httpPort, replicationPort, at }) => {
    await sql.query(`DELETE FROM rm_cluster_nodes WHERE node_id = ?`, [nodeId]);
    await sql.query(`INSERT INTO rm_cluster_nodes (node_id, node_name, host, http_port, replication_port, joined_at) VALUES (?, ?, ?, ?, ?, ?)`,
      [nodeId, nodeName, host, httpPort, replicationPort, at]);
  },
  NodeCertificateRecorded: async (sql, { nodeId, nodeName, fingerprint, reason, at }) => {
    await sql.query(`DELETE FROM rm_node_identities WHERE node_id = ?`, [nodeId]);
    await sql.query(`INSERT INTO rm_node_identities (node_id, node_name, fingerprint, reason, recorded_at, removed_at) VALUES (?, ?, ?, ?, ?, NULL)`,
      [nodeId, nodeName, fingerprint, reason, at]);
  },
  NodeRemoved: async (sql, { nodeId, nodeName, at }) => {
    await sql.query(`DELETE FROM rm_node_identities WHERE node_id = ?`, [nodeId]);
    await sql.query(`INSERT INTO rm_node_identities (node_id, node_name, fingerprint, reason, recorded_at, removed_at) VALUES (?, ?, NULL, NULL, NULL, ?)`, [nodeId, nodeName, at]);
  },
  JoinTokenIssued: async () => undefined,
});
