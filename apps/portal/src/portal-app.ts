import type { IncomingMessage, ServerResponse } from 'node:http';
import { cookieValue, FormError, readForm, redirect, send, SECURITY_HEADERS } from './http/http-kit';
import { fromAcceptLanguage, translator } from './i18n/i18n';
import { CSS } from './pages/layout';
import { messagePage } from './pages/pages';
import { Session, SESSION_COOKIE } from './session/sealed-session';
import { Exchange, PortalDeps, Routes, signedIn } from './exchange';
import { accountRoutes } from './routes/account.routes';
import { signInRoutes } from './routes/sign-in.routes';
import { phoneRoutes } from './routes/phone.routes';
import { MOBILE_PREFIX, MobileService } from './mobile/mobile-service';

// Form fields every POST may carry, with the longest value accepted.
const FIELD_LIMITS: Record<string, number> = { csrf: 64, username: 64, password: 256, code: 10, label: 64, pin: 16, pin2: 16, number: 32, invitation: 40, tokenId: 64 };

export class PortalApp {
  private readonly routes: Routes;
  private readonly mobile: MobileService;

  constructor(private readonly deps: PortalDeps) {
    this.routes = { ...signInRoutes(deps), ...accountRoutes(deps), ...phoneRoutes(deps) };
    this.mobile = new MobileService(deps.sdk, deps.logger);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const path = (req.url ?? '/').split('?')[0].slice(0, 200);
    res.on('finish', () => this.deps.logger.info({ method: req.method, path, status: res.statusCode, ms: Date.now() - started }, 'request'));
    try {
      await this.dispatch(req, res, path);
    } catch (err) {
      this.deps.logger.error({ path, err: err instanceof Error ? { name: err.name, message: err.message } : typeof err }, 'request failed');
      if (!res.headersSent) send(res, 500, '<!doctype html><title>Error</title><p>Something went wrong.</p>');
      else res.destroy();
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method === 'GET' && path === '/portal.css') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' });
      res.end(CSS);
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    // The Mobile App Web Service: JSON for devices, no session.
    if (path.startsWith(MOBILE_PREFIX)) return this.mobile.handle(req, res, path);
    const raw = cookieValue(req, SESSION_COOKIE);
    const opened = this.deps.sealer.open(raw);
    const session = opened ?? this.deps.sealer.fresh(Date.now());
    const x = this.exchange(req, res, session, raw !== undefined && opened === null);
    const route = this.routes[`${req.method} ${path}`];
    if (!route) {
      x.html(404, messagePage(x.page(), 'error.title', x.page().t('error.notFound')));
      return;
    }
    if (req.method === 'POST') {
      try {
        x.form = await readForm(req);
      } catch (err) {
        if (!(err instanceof FormError)) throw err;
        x.html(err.status, messagePage(x.page(), 'error.title', x.page().t(err.status === 413 ? 'error.tooLarge' : 'error.badInput')));
        return;
      }
      for (const [name, value] of x.form) {
        const limit = FIELD_LIMITS[name];
        if (limit === undefined || value.length > limit) {
          x.html(400, messagePage(x.page(), 'error.title', x.page().t(limit === undefined ? 'error.badInput' : 'error.tooLarge')));
          return;
        }
      }
      if (!this.deps.sealer.csrfValid(session, x.form.get('csrf'))) {
        x.html(403, messagePage(x.page(), 'error.title', x.page().t('error.csrf')), session);
        return;
      }
    }
    await route(x);
  }

  private exchange(req: IncomingMessage, res: ServerResponse, session: Session, hadCookie: boolean): Exchange {
    const { sealer } = this.deps;
    const lang = session.lang ?? fromAcceptLanguage(typeof req.headers['accept-language'] === 'string' ? req.headers['accept-language'] : undefined);
    const cookieHeader = (s: Session | null | undefined) => (s === undefined ? { 'set-cookie': sealer.cookie(session) } : { 'set-cookie': sealer.cookie(s) });
    return {
      req, res, session, hadCookie, lang,
      page: (s = session) => {
        const l = s.lang ?? lang;
        return { t: translator(l), lang: l, csrf: sealer.csrfToken(s), signedIn: signedIn(s) };
      },
      html: (status, html, s) => send(res, status, html, cookieHeader(s)),
      redirect: (location, s) => redirect(res, location, cookieHeader(s)),
    };
  }
}
