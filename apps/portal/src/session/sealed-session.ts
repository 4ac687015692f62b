import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = '__Host-twofold-portal';
const AAD = Buffer.from('twofold-portal-session-v1');
const VERSION = 1;
const MAX_COOKIE_CHARS = 3800;

// Everything the portal knows about a visitor, and all of it in the cookie: any instance that holds
// the session key continues any session. Handles and assertions inside are the SDK's own sealed
// tokens; the portal seals them again so that a browser never sees them.
export interface Session {
  sid: string; // rotates at sign-in and sign-out; the CSRF token is bound to it
  exp: number; // ms
  lang?: 'en' | 'sv';
  pending?: { challenge: string; username: string; exp: number };
  // A push sign-in waiting for the phone: the SDK's handle and the number the user must choose.
  push?: { handle: string; username: string; number: string | null; exp: number };
  user?: { id: string; name: string; displayName: string; assertion: string; exp: number };
  enrolment?: string;
  phoneChange?: { change: string; number: string };
}

export class SessionSealer {
  private readonly sealKey: Buffer;
  private readonly csrfKey: Buffer;

  constructor(sessionKey: Buffer, private readonly ttlMs: number) {
    this.sealKey = Buffer.from(hkdfSync('sha256', sessionKey, Buffer.alloc(0), 'twofold-portal cookie', 32));
    this.csrfKey = Buffer.from(hkdfSync('sha256', sessionKey, Buffer.alloc(0), 'twofold-portal csrf', 32));
  }

  fresh(now = Date.now(), lang?: Session['lang']): Session {
    return { sid: randomBytes(16).toString('base64url'), exp: now + this.ttlMs, ...(lang ? { lang } : {}) };
  }

  // A new session id (sign-in, sign-out): tokens of the old one stop working as CSRF tokens.
  rotate(session: Session, now = Date.now()): Session {
    return { ...session, sid: randomBytes(16).toString('base64url'), exp: now + this.ttlMs };
  }

  seal(session: Session): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(JSON.stringify({ v: VERSION, ...session }), 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    if (sealed.length > MAX_COOKIE_CHARS) throw new Error('session too large for a cookie');
    return sealed;
  }

  // null for anything forged, damaged, from another key, or expired.
  open(text: string | undefined, now = Date.now()): Session | null {
    if (!text || text.length > MAX_COOKIE_CHARS || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
    const raw = Buffer.from(text, 'base64url');
    if (raw.length < 12 + 16 + 2) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.sealKey, raw.subarray(0, 12));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
      const parsed = JSON.parse(plain) as Session & { v?: number };
      if (parsed.v !== VERSION || typeof parsed.sid !== 'string' || typeof parsed.exp !== 'number' || parsed.exp <= now) return null;
      delete parsed.v;
      return parsed;
    } catch {
      return null;
    }
  }

  csrfToken(session: Session): string {
    return createHmac('sha256', this.csrfKey).update(session.sid).digest('base64url');
  }

  csrfValid(session: Session, token: string | undefined): boolean {
    if (!token || token.length > 64) return false;
    const expected = Buffer.from(this.csrfToken(session));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  cookie(session: Session | null): string {
    if (!session) return `${SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`;
    const maxAge = Math.max(0, Math.floor((session.exp - Date.now()) / 1000));
    return `${SESSION_COOKIE}=${this.seal(session)}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`;
  }
}
