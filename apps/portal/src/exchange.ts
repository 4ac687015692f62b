import type { IncomingMessage, ServerResponse } from 'node:http';
import { SdkApiError } from '@twofold/sdk-client';
import type { Logger } from '@twofold/platform';
import type { Lang, MessageKey } from './i18n/i18n';
import type { PageContext } from './pages/layout';
import { messagePage, signInPage } from './pages/pages';
import type { Session, SessionSealer } from './session/sealed-session';
import type { SdkPool } from './sdk/sdk-pool';

// One request as the routes see it: the session from the cookie (or a fresh one), the language,
// and helpers that write the session back with the answer.
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  session: Session;
  hadCookie: boolean; // a cookie came but did not open (forged, expired, another key)
  lang: Lang;
  page(session?: Session): PageContext;
  form?: Map<string, string>;
  html(status: number, html: string, session?: Session | null): void;
  redirect(location: string, session?: Session | null): void;
}

export type Route = (x: Exchange) => Promise<void>;
export type Routes = Record<string, Route>; // "GET /path"

export interface PortalDeps {
  sdk: SdkPool;
  sealer: SessionSealer;
  logger: Logger;
  publicUrl: string; // where browsers and phones reach this portal (the activation QR names it)
}

export function signedIn(session: Session, now = Date.now()): boolean {
  return session.user !== undefined && session.user.exp > now;
}

const READ_ONLY = new Set(['master_unavailable', 'read_only_replica', 'ack_timeout']);
const ACCOUNT_STATES = new Set(['user_locked', 'user_blocked', 'user_disabled']);

// An SDK failure as a page: never a stack trace, never a hang (the pool's timeout bounds the wait).
export function sdkFailurePage(x: Exchange, err: unknown): void {
  const page = x.page();
  const t = page.t;
  if (err instanceof SdkApiError) {
    if (err.status === 503 && READ_ONLY.has(err.code)) return x.html(503, messagePage(page, 'error.readOnly.title', t('error.readOnly')));
    if (err.status === 401 && err.code.startsWith('user_assertion')) {
      const signedOut: Session = { ...x.session, user: undefined, enrolment: undefined };
      return x.html(401, signInPage(x.page(signedOut), { error: t('error.sessionExpired') }), signedOut);
    }
    if (err.status === 403 && ACCOUNT_STATES.has(err.code)) return x.html(403, messagePage(page, 'error.title', t(`reject.${err.code}` as MessageKey)));
    if (err.status === 429) return x.html(429, messagePage(page, 'error.title', t('error.rateLimited')));
    if (err.status === 400) return x.html(400, messagePage(page, 'error.title', t('error.badInput')));
  }
  x.html(503, messagePage(page, 'error.title', t('error.unavailable')));
}
