import { request } from 'node:https';
import type { Logger } from 'pino';
import { ConflictException } from '@nestjs/common';
import type { LogHead, StoredEvent } from '@twofold/event-store';
import type { NodeServices } from '../node/node-services';

// What a promotion's catch-up reads of the node.
type CatchUpNode = Pick<NodeServices, 'config' | 'dataDir' | 'logger' | 'store' | 'queries'>;
import type { MasterAddress } from '../cluster/cluster-role';
import { tlsServername } from '@twofold/platform';
import { expectedFingerprint } from '../cluster/node-identity';
import { pinnedNodeCertificate } from '../cluster/pinned-https';
import { peerHttpsCa } from '../http/https-certificate';

interface LogPage { head: LogHead; records: StoredEvent[] }
type PeerRead = { page: LogPage } | { error: string };

const PAGE = 1000;
// A peer that does not answer its head within this is taken as cut off (partition, down).
const HEAD_TIMEOUT_MS = 4000;
// Pages from a peer that said it is ahead: slow is fine (it is busy), silence refuses the promotion.
const PAGE_TIMEOUT_MS = 15_000;
const PAGE_ATTEMPTS = 3;

// Reads a page of a peer's log over HTTPS with this node's certificate (the peer serves members
// only; its certificate must be the one the log records for it). Says why when it cannot.
function readPeerLog(rt: CatchUpNode, peer: MasterAddress, fingerprint: string | null, after: number, limit: number, timeoutMs: number): Promise<PeerRead> {
  const { dataDir, config } = rt;
  const ca = peerHttpsCa(config, dataDir);
  return new Promise((resolve) => {
    const req = request({
      host: peer.host, port: peer.httpPort, path: `/cluster/v1/log?after=${after}&limit=${limit}`, method: 'GET', agent: false, timeout: timeoutMs,
      ca, key: dataDir.tls.keyPem, cert: dataDir.tls.certPem, servername: tlsServername(peer.host),
      checkServerIdentity: pinnedNodeCertificate(fingerprint, dataDir.ca.certPem, peer.nodeName),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => resolve({ error: err.message }));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return resolve({ error: `HTTP ${res.statusCode}: ${text.slice(0, 200)}` });
        try {
          const page = JSON.parse(text) as LogPage;
          resolve(Array.isArray(page.records) && page.head && typeof page.head.position === 'number' ? { page } : { error: 'answer is not a log page' });
        } catch {
          resolve({ error: 'answer is not JSON' });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ error: err.message }));
    req.end();
  });
}

export interface CatchUp {
  fetched: number;
  // Peers ahead whose records this node could not take (only with force).
  ahead: string[];
  // Peers that did not answer at all (cut off or down): promoted without them.
  unreachable: string[];
}

class PeerAhead extends Error {}

// Before a node writes the next epoch record: every peer is asked for its log head; from any peer
// that holds more of this node's own chain the missing records are fetched and appended (each hash
// and link checked by appendReplicated), so a write a slave acknowledged in synchronous mode is not
// lost to the promotion. A peer that says it is ahead but whose records cannot be fetched, or that
// is ahead on another history, refuses the promotion (naming the node) unless `force`. Only a peer
// that does not answer at all is left out (logged): it cannot be told from one that is down.
export async function catchUpFromPeers(rt: CatchUpNode, peers: MasterAddress[], force: boolean): Promise<CatchUp> {
  const log = rt.logger.child({ component: 'replication' });
  const result: CatchUp = { fetched: 0, ahead: [], unreachable: [] };
  const own0 = await rt.store.head();
  const heads = await Promise.all(peers.map(async (peer) => {
    const fingerprint = (await expectedFingerprint(rt, peer.nodeId)).fingerprint;
    // The record at this node's head comes with the head: one request tells ahead and same chain.
    return { peer, fingerprint, read: await readPeerLog(rt, peer, fingerprint, Math.max(0, own0.position - 1), 1, HEAD_TIMEOUT_MS) };
  }));
  const answered: Array<{ peer: MasterAddress; fingerprint: string | null; page: LogPage }> = [];
  for (const h of heads) {
    if ('error' in h.read) {
      log.warn({ peer: h.peer.nodeName, err: h.read.error }, 'promotion: a peer did not tell its log head; promoting without it');
      result.unreachable.push(h.peer.nodeName);
    } else {
      answered.push({ peer: h.peer, fingerprint: h.fingerprint, page: h.read.page });
    }
  }
  answered.sort((a, b) => b.page.head.position - a.page.head.position);
  for (const { peer, fingerprint, page } of answered) {
    let own = await rt.store.head();
    const target = page.head.position;
    if (target <= own.position) continue;
    try {
      if (own.position > 0) {
        // Same chain: the peer's record at our head is our head.
        const at = own.position === own0.position ? { page } : await readWithRetries(rt, peer, fingerprint, own.position - 1, 1, log);
        if ('error' in at) throw new PeerAhead(`${peer.nodeName} is ahead (position ${target}) but its log could not be read: ${at.error}`);
        if (at.page.records[0]?.hash !== own.hash) throw new PeerAhead(`${peer.nodeName} is ahead (position ${target}) on a history that does not contain this node's head ${own.position}`);
      }
      while (own.position < target) {
        const next = await readWithRetries(rt, peer, fingerprint, own.position, PAGE, log);
        if ('error' in next) throw new PeerAhead(`${peer.nodeName} is ahead (position ${target}) but its log after position ${own.position} could not be fetched: ${next.error}`);
        if (next.page.records.length === 0) throw new PeerAhead(`${peer.nodeName} said it is ahead (position ${target}) but sent nothing after position ${own.position}`);
        own = await rt.store.appendReplicated(next.page.records);
        result.fetched += next.page.records.length;
      }
      log.warn({ from: peer.nodeName, fetched: result.fetched, head: own.position }, 'fetched the end of the log from a peer before promotion');
    } catch (err) {
      const message = (err as Error).message;
      log.warn({ peer: peer.nodeName, err: message, force }, force ? 'promotion forced although a peer is ahead' : 'promotion refused: a peer is ahead');
      if (!force) {
        throw new ConflictException({ code: 'peer_ahead', node: peer.nodeName, message: `not promoted: ${message}; promote ${peer.nodeName} instead, or use --force to promote this node and lose what only ${peer.nodeName} holds` });
      }
      result.ahead.push(peer.nodeName);
    }
  }
  return result;
}

async function readWithRetries(rt: CatchUpNode, peer: MasterAddress, fingerprint: string | null, after: number, limit: number, log: Logger): Promise<PeerRead> {
  let last: PeerRead = { error: 'not asked' };
  for (let attempt = 1; attempt <= PAGE_ATTEMPTS; attempt++) {
    last = await readPeerLog(rt, peer, fingerprint, after, limit, PAGE_TIMEOUT_MS);
    if (!('error' in last)) return last;
    log.warn({ peer: peer.nodeName, after, attempt, err: last.error }, 'promotion: could not read a page of a peer\'s log');
  }
  return last;
}
