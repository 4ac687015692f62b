import { request } from 'node:https';
import { ConflictException } from '@nestjs/common';
import type { LogHead, StoredEvent } from '@twofold/event-store';
import type { NodeServices as NodeRuntime } from '../node/node-services'; // what it reads of the runtime, without an import circle
import type { MasterAddress } from '../cluster/cluster-role';
import { tlsServername } from '@twofold/platform';

interface LogPage { head: LogHead; records: StoredEvent[] }

const PAGE = 1000;

// Reads a page of a peer's log over HTTPS with this node's certificate (the peer serves members only).
function readPeerLog(rt: NodeRuntime, peer: MasterAddress, after: number, limit: number, timeoutMs = 5000): Promise<LogPage | null> {
  const { dataDir } = rt;
  return new Promise((resolve) => {
    const req = request({
      host: peer.host, port: peer.httpPort, path: `/cluster/v1/log?after=${after}&limit=${limit}`, method: 'GET', agent: false, timeout: timeoutMs,
      ca: dataDir.ca.certPem, key: dataDir.tls.keyPem, cert: dataDir.tls.certPem, servername: tlsServername(peer.host),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const page = JSON.parse(Buffer.concat(chunks).toString('utf8')) as LogPage;
          resolve(res.statusCode === 200 && Array.isArray(page.records) && page.head ? page : null);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

// Before a node writes the next epoch record: every reachable peer is asked for its log head; from
// any peer that holds more of this node's own chain the missing records are fetched and appended
// (each hash and link checked by appendReplicated), so a write a slave acknowledged in synchronous
// mode is not lost to the promotion. A peer ahead on another history, or one whose records cannot
// be fetched, refuses the promotion (naming the node) unless `force`.
export async function catchUpFromPeers(rt: NodeRuntime, peers: MasterAddress[], force: boolean): Promise<{ fetched: number; ahead: string[] }> {
  const log = rt.logger.child({ component: 'replication' });
  let fetched = 0;
  const behindOf: string[] = [];
  const heads = await Promise.all(peers.map(async (p) => ({ peer: p, page: await readPeerLog(rt, p, 0, 1) })));
  const ahead = heads.filter((h) => h.page).sort((a, b) => b.page!.head.position - a.page!.head.position);
  for (const { peer, page } of ahead) {
    let own = await rt.store.head();
    if (page!.head.position <= own.position) continue;
    try {
      // Same chain: the peer's record at our head is our head.
      if (own.position > 0) {
        const at = await readPeerLog(rt, peer, own.position - 1, 1);
        if (!at || at.records[0]?.hash !== own.hash) throw new Error(`${peer.nodeName} is ahead (position ${page!.head.position}) on a history that does not contain this node's head ${own.position}`);
      }
      while (own.position < page!.head.position) {
        const next = await readPeerLog(rt, peer, own.position, PAGE);
        if (!next || next.records.length === 0) throw new Error(`could not fetch the log of ${peer.nodeName} after position ${own.position}`);
        own = await rt.store.appendReplicated(next.records);
        fetched += next.records.length;
      }
      log.warn({ from: peer.nodeName, fetched, head: own.position }, 'fetched the end of the log from a peer before promotion');
    } catch (err) {
      const message = (err as Error).message;
      if (!force) {
        throw new ConflictException({ code: 'peer_ahead', message: `not promoted: ${message}; promote that node instead, or use --force to promote this one and lose what only it holds` });
      }
      log.warn({ peer: peer.nodeName, err: message }, 'promotion forced although a peer is ahead');
      behindOf.push(peer.nodeName);
    }
  }
  return { fetched, ahead: behindOf };
}
