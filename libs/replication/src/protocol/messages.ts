import type { EventLogRow, StoredEvent } from '@twofold/event-store';
import { ReplicationError } from '../replication-error';
import { rowsFromWire } from './text-batch';

export const PROTOCOL_VERSION = 1;

// One byte on the wire after the length. Never renumber: old peers must still read the refusal.
export const MessageCode = {
  hello: 0x01, // slave -> master, first frame of every connection
  welcome: 0x02, // master -> slave, handshake accepted; batches follow
  refuse: 0x03, // master -> slave, handshake refused with a reason; the master closes
  batch: 0x04, // master -> slave, consecutive log records
  ack: 0x05, // slave -> master, highest position made durable
  heartbeat: 0x06, // both ways
  upstream: 0x07, // slave -> master, a security event for the master to append
  upstreamAck: 0x08, // master -> slave, upstream ids appended (or already appended)
  epoch: 0x09, // either way, "my epoch is N"
  ancestor: 0x0a, // master -> slave, answer to a probe Hello; the master closes
  upstreamBatch: 0x0b, // slave -> master, several upstream events in one frame (masters that say so in their welcome)
  textBatch: 0x0c, // master -> slave, a batch with payload and metadata as canonical text (slaves that say canonicalText)
} as const;

export type MessageType = keyof typeof MessageCode;

export interface LogPoint {
  position: number;
  hash: string;
}

export interface HelloMessage {
  type: 'hello';
  protocolVersion: number;
  clusterId: string;
  nodeId: string;
  nodeName: string;
  epoch: number;
  head: LogPoint; // the position and hash the slave holds (0 + GENESIS_HASH when empty)
  // Sparse (position, hash) pairs of the slave's log, ascending, at most MAX_CHECKPOINTS. When the
  // head does not match, the master reports the highest matching one (see AncestorAnswer).
  checkpoints?: LogPoint[];
  // true: only answer with an `ancestor` message and close; never stream.
  probe?: boolean;
  // true: the slave reads the log elsewhere (Kafka); the master sends no batches, only heartbeats,
  // epochs and upstream acks. The slave's head is still checked against the master's log.
  upstreamOnly?: boolean;
  // Optional: the slave reads textBatch frames (older slaves omit it and get batch frames; older
  // masters ignore it and send batch frames).
  canonicalText?: boolean;
}

export interface WelcomeMessage {
  type: 'welcome';
  protocolVersion: number;
  clusterId: string;
  nodeId: string; // the master's
  epoch: number;
  head: LogPoint; // the master's head when it accepted
  heartbeatMs: number;
  // Optional: the master reads upstreamBatch frames (older masters omit it and get one upstream
  // frame per event; older slaves ignore it).
  upstreamBatch?: boolean;
  // Optional: the upstream kinds this master reads (older masters omit it: a slave then sends
  // only the kinds every release reads, and refuses sign-ins that rest on a newer one).
  outcomeKinds?: string[];
  // Optional: the records come in textBatch frames (only to a slave that asked in its hello).
  canonicalText?: boolean;
}

export type RefuseReason =
  | 'wrong_cluster'
  | 'diverged_history' // the slave's (position, hash) is not in the master's log
  | 'unsupported_version'
  | 'unknown_node' // certificate/node id not allowed
  | 'stale_master' // the slave has seen a higher epoch than this master's: this master is fenced
  | 'protocol_error'
  | 'shutting_down';

// Where two histories part, from the checkpoints a slave sent: every position <= match.position is
// shared; firstMismatch is the lowest checkpoint above it that is not (null: none was sent).
export interface AncestorAnswer {
  match: LogPoint;
  firstMismatch: number | null;
}

export interface RefuseMessage {
  type: 'refuse';
  reason: RefuseReason;
  message: string;
  epoch?: number; // the master's, so a refused node still learns a higher epoch
  head?: LogPoint;
  ancestor?: AncestorAnswer; // with diverged_history
}

export interface BatchMessage {
  type: 'batch';
  records: StoredEvent[];
}

// On the wire, arrays (see text-batch.ts); after validation, rows as the master stores them.
export interface TextBatchMessage {
  type: 'textBatch';
  records: EventLogRow[];
}

export interface AckMessage {
  type: 'ack';
  position: number;
}

export interface HeartbeatMessage {
  type: 'heartbeat';
  position: number; // master: its head; slave: its durable head
  sentAt: number; // sender's clock, ms since the epoch
  epoch: number;
}

export interface UpstreamMessage {
  type: 'upstream';
  id: string; // unique per event, chosen by the slave's outbox: the master dedupes on it
  kind: string;
  payload: Record<string, unknown>;
}

// Upstream events in outbox order, each exactly as in an upstream message (opaque here); the master
// applies them in order and answers with one upstreamAck for the frame.
export interface UpstreamBatchMessage {
  type: 'upstreamBatch';
  items: UpstreamItem[];
}

export interface UpstreamItem {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
}

export interface UpstreamAckMessage {
  type: 'upstreamAck';
  ids: string[];
  // Optional (older masters never send it, older slaves ignore it): the ids among `ids` that the
  // master did not append because a domain rule refused them (a code or challenge already used
  // elsewhere), with the rule's code. An id in `ids` and not here was appended.
  refused?: UpstreamRefusalEntry[];
}

export interface UpstreamRefusalEntry {
  id: string;
  code: string;
  field?: string;
}

export interface EpochMessage {
  type: 'epoch';
  epoch: number;
  nodeId: string;
}

export interface AncestorMessage extends AncestorAnswer {
  type: 'ancestor';
  head: LogPoint;
  epoch: number;
}

export type Message =
  | HelloMessage
  | WelcomeMessage
  | RefuseMessage
  | BatchMessage
  | TextBatchMessage
  | AckMessage
  | HeartbeatMessage
  | UpstreamMessage
  | UpstreamBatchMessage
  | UpstreamAckMessage
  | EpochMessage
  | AncestorMessage;

export const MAX_CHECKPOINTS = 64;
const MAX_ID = 200;
const MAX_IDS_PER_ACK = 10_000;
export const MAX_UPSTREAM_BATCH = 1000;

const codeToType = new Map<number, MessageType>(
  (Object.entries(MessageCode) as Array<[MessageType, number]>).map(([t, c]) => [c, t]),
);

export function messageTypeOf(code: number): MessageType | undefined {
  return codeToType.get(code);
}

// Shape checks on a parsed body; anything off is a protocol error for that connection.
export function validateMessage(type: MessageType, body: unknown): Message {
  const b = body as Record<string, unknown>;
  if (!isObject(body)) throw bad(type, 'body is not an object');
  switch (type) {
    case 'hello':
      need(type, isInt(b.protocolVersion) && isName(b.clusterId) && isName(b.nodeId) && isName(b.nodeName) && isEpoch(b.epoch), 'fields');
      need(type, isPoint(b.head), 'head');
      if (b.checkpoints !== undefined) {
        need(type, Array.isArray(b.checkpoints) && b.checkpoints.length <= MAX_CHECKPOINTS && b.checkpoints.every(isPoint), 'checkpoints');
      }
      if (b.probe !== undefined) need(type, typeof b.probe === 'boolean', 'probe');
      if (b.upstreamOnly !== undefined) need(type, typeof b.upstreamOnly === 'boolean', 'upstreamOnly');
      if (b.canonicalText !== undefined) need(type, typeof b.canonicalText === 'boolean', 'canonicalText');
      break;
    case 'welcome':
      need(type, isInt(b.protocolVersion) && isName(b.clusterId) && isName(b.nodeId) && isEpoch(b.epoch) && isPoint(b.head), 'fields');
      need(type, isInt(b.heartbeatMs) && (b.heartbeatMs as number) > 0, 'heartbeatMs');
      if (b.upstreamBatch !== undefined) need(type, typeof b.upstreamBatch === 'boolean', 'upstreamBatch');
      if (b.canonicalText !== undefined) need(type, typeof b.canonicalText === 'boolean', 'canonicalText');
      if (b.outcomeKinds !== undefined) {
        need(type, Array.isArray(b.outcomeKinds) && b.outcomeKinds.length <= 64 && b.outcomeKinds.every((k) => typeof k === 'string' && k.length <= 64), 'outcomeKinds');
      }
      break;
    case 'refuse':
      need(type, typeof b.reason === 'string' && typeof b.message === 'string', 'fields');
      if (b.epoch !== undefined) need(type, isEpoch(b.epoch), 'epoch');
      if (b.head !== undefined) need(type, isPoint(b.head), 'head');
      if (b.ancestor !== undefined) need(type, isAncestor(b.ancestor), 'ancestor');
      break;
    case 'batch':
      // Each record is checked (shape, links, hashes) by the replica store before anything is written.
      need(type, Array.isArray(b.records) && b.records.length > 0 && b.records.every(isObject), 'records');
      break;
    case 'textBatch': {
      const records = rowsFromWire(b.records);
      need(type, records !== null, 'records');
      return { type, records: records! };
    }
    case 'ack':
      need(type, isPosition(b.position), 'position');
      break;
    case 'heartbeat':
      need(type, isPosition(b.position) && typeof b.sentAt === 'number' && Number.isFinite(b.sentAt) && isEpoch(b.epoch), 'fields');
      break;
    case 'upstream':
      need(type, isUpstreamItem(b), 'fields');
      break;
    case 'upstreamBatch':
      need(type, Array.isArray(b.items) && b.items.length > 0 && b.items.length <= MAX_UPSTREAM_BATCH && b.items.every(isUpstreamItem), 'items');
      break;
    case 'upstreamAck':
      need(type, Array.isArray(b.ids) && b.ids.length <= MAX_IDS_PER_ACK && b.ids.every(isName), 'ids');
      if (b.refused !== undefined) need(type, Array.isArray(b.refused) && b.refused.length <= MAX_IDS_PER_ACK && b.refused.every(isRefusal), 'refused');
      break;
    case 'epoch':
      need(type, isEpoch(b.epoch) && isName(b.nodeId), 'fields');
      break;
    case 'ancestor':
      need(type, isAncestor(b) && isPoint(b.head) && isEpoch(b.epoch), 'fields');
      break;
  }
  return { ...(b as object), type } as Message;
}

function need(type: MessageType, ok: boolean, what: string): void {
  if (!ok) throw bad(type, `bad ${what}`);
}

function bad(type: MessageType, why: string): ReplicationError {
  return new ReplicationError('protocol_error', `malformed ${type} message: ${why}`, { type });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isInt(v: unknown): v is number {
  return Number.isSafeInteger(v);
}
function isPosition(v: unknown): v is number {
  return isInt(v) && (v as number) >= 0;
}
function isEpoch(v: unknown): v is number {
  return isInt(v) && (v as number) >= 0;
}
function isName(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID;
}
function isPoint(v: unknown): v is LogPoint {
  return isObject(v) && isPosition(v.position) && typeof v.hash === 'string' && /^[0-9a-f]{64}$/.test(v.hash);
}
function isUpstreamItem(v: unknown): v is UpstreamItem {
  return isObject(v) && isName(v.id) && isName(v.kind) && isObject(v.payload);
}
function isRefusal(v: unknown): v is UpstreamRefusalEntry {
  return isObject(v) && isName(v.id) && isName(v.code) && (v.field === undefined || isName(v.field));
}
function isAncestor(v: unknown): v is AncestorAnswer {
  return isObject(v) && isPoint(v.match) && (v.firstMismatch === null || isPosition(v.firstMismatch));
}
