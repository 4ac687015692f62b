import { createHash } from 'node:crypto';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import { tlsServername } from '@twofold/platform';
import type { NodeRuntime } from '../node/node-runtime';
import { peerHttpsCa } from './https-certificate';
import { expectedFingerprint } from '../cluster/node-identity';
import { pinnedNodeCertificate } from '../cluster/pinned-https';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);
const FORWARDED_CLIENT_CERT = 'x-twofold-forwarded-client-cert';

// Writes that belong to the master. Authentication itself is answered locally on every node.
export function isForwardedWrite(method: string, path: string): boolean {
  if (READS.has(method)) return false;
  if (path === '/admin/v1/cluster/promote') return false;
  return path.startsWith('/admin/v1/') || path.startsWith('/sdk/v1/self-service') || path === '/sdk/v1/authentications/cancel' || path === '/sdk/v1/invitations/redeem' || path.startsWith('/sdk/v1/devices/') || path === '/cluster/v1/join';
}

function unavailable(res: Response, detail: string): void {
  if (res.headersSent) { res.destroy(); return; }
  res.status(503).setHeader('Retry-After', '5');
  res.type('application/problem+json').json({ type: 'urn:twofold:error:master_unavailable', title: 'master_unavailable', status: 503, code: 'master_unavailable', detail });
}

// A device's answer to a push approval: if the master cannot be reached, the node holding the
// sign-in decides it itself (the SDK's device service; any other node still answers 503).
const DEVICE_ANSWER = /^\/sdk\/v1\/devices\/[^/]+\/approvals\/answer$/;

// On a node that may not write, a write is sent on to the master as it came, so one
// load-balanced URL serves every call; if the master cannot be reached it fails fast with 503.
export function writeForwarding(runtime: NodeRuntime) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const { role } = runtime;
    if (role.writable || !isForwardedWrite(req.method, req.path)) return next();
    const master = role.master;
    let fallback: (() => void) | undefined;
    let buffered: Buffer | null = null;
    if (DEVICE_ANSWER.test(req.path) && !role.fenced) {
      const body = (buffered = await bufferedBody(req, runtime.config.http.maxBodyBytes));
      if (body === null) return problem(res, 413, 'payload_too_large', `request body is larger than ${runtime.config.http.maxBodyBytes} bytes`);
      fallback = () => answerHere(req, res, next, body);
    }
    if (!master || master.nodeId === runtime.dataDir.identity.nodeId) {
      if (fallback) return fallback();
      return unavailable(res, role.fenced ? 'this node was replaced as master; no writes are accepted here until it follows the new master' : 'read-only replica: the master is not known');
    }
    // The caller's request (and its client's fingerprint) goes only to the certificate the log
    // records for the master, not to anything else the cluster CA signed.
    let pinned: string | null;
    try {
      pinned = (await expectedFingerprint(runtime, master.nodeId)).fingerprint;
    } catch (err) {
      return unavailable(res, `the master's recorded certificate could not be read: ${(err as Error).message}`);
    }
    const checkMaster = pinnedNodeCertificate(pinned, runtime.dataDir.ca.certPem, 'the master');
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    headers['x-forwarded-by'] = runtime.dataDir.identity.nodeName;
    // The caller's client certificate (verified here by TLS) travels as its fingerprint; this node
    // proves itself to the master with its own node certificate, so only nodes can say it.
    delete headers[FORWARDED_CLIENT_CERT];
    const socket = req.socket as TLSSocket;
    const peer = socket.authorized && typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    if (peer?.raw) headers[FORWARDED_CLIENT_CERT] = createHash('sha256').update(peer.raw).digest('hex');
    const timeoutMs = runtime.config.replication.forwardTimeoutMs;
    let answered = false;
    const upstream = request({
      host: master.host, port: master.httpPort, path: req.originalUrl, method: req.method, headers, agent: false,
      ca: peerHttpsCa(runtime.config, runtime.dataDir), cert: runtime.dataDir.tls.certPem, key: runtime.dataDir.tls.keyPem, servername: tlsServername(master.host), timeout: timeoutMs,
      checkServerIdentity: checkMaster,
    }, (answer) => {
      answered = true;
      res.status(answer.statusCode ?? 502);
      for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) res.setHeader(k, v);
      answer.pipe(res);
    });
    // No answer within the limit (connect or response): the master is unavailable, never a hang.
    const timer = setTimeout(() => { if (!answered) upstream.destroy(new Error('timeout')); }, timeoutMs);
    upstream.on('close', () => clearTimeout(timer));
    upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
    upstream.on('error', (err) => {
      runtime.logger.warn({ master: master.nodeName, err: err.message, path: req.path }, 'write could not be forwarded to the master');
      if (answered) res.destroy();
      else if (fallback) fallback();
      else unavailable(res, `read-only replica and the master (${master.nodeName}) cannot be reached: ${err.message}`);
    });
    if (buffered) upstream.end(buffered);
    else req.pipe(upstream);
  };
}

function problem(res: Response, status: number, code: string, detail: string): void {
  res.status(status).type('application/problem+json').json({ type: `urn:twofold:error:${code}`, title: code, status, code, detail });
}

// The whole body, or null past the limit (an answer is small: it is read before it is forwarded,
// so it can still be answered here if the master cannot be reached).
function bufferedBody(req: Request, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > maxBytes ? null : Buffer.concat(chunks)));
    req.on('error', reject);
    // The caller went away before the end: nothing to forward or to answer.
    req.on('close', () => { if (!req.complete) reject(new Error('the request was aborted')); });
  });
}

// Handled on this node: the body parser sees a finished request and leaves req.body as set here.
function answerHere(req: Request, res: Response, next: NextFunction, body: Buffer): void {
  if (res.headersSent) return;
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(req.headers['content-type'] ?? '')) return problem(res, 415, 'unsupported_media_type', 'request bodies must be application/json');
  try {
    req.body = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
  } catch {
    return problem(res, 400, 'invalid_json', 'request body is not valid JSON');
  }
  next();
}
