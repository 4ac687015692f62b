import type { AnswerResult, StartResult } from '@twofold/sdk-client';
import type { MessageKey } from '../i18n/i18n';
import { codePage, invitationPage, signInPage } from '../pages/pages';
import type { Session } from '../session/sealed-session';
import { PortalDeps, Routes, sdkFailurePage, signedIn } from '../exchange';
import { rejectKey, signedInSession as opened } from './sign-in-outcome';
import { pushWaitPage } from '../pages/device-pages';
import { REFRESH_SECONDS } from './push-sign-in.routes';

const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
const CODE = /^[0-9]{4,10}$/;

// Sign-in: user name and password (first factor, local or LDAP, checked by the server), then the
// code (TOTP, or SMS when that is the user's method) or, for push, the wait for the phone
// (push-sign-in.routes.ts). The challenge handle waits in the sealed cookie.
export function signInRoutes(deps: PortalDeps): Routes {
  const { sdk, sealer } = deps;
  const signedInSession = (answered: Extract<AnswerResult, { status: 'accepted' }>, from: Session) => opened(deps, answered, from);

  return {
    'GET /': async (x) => x.redirect(signedIn(x.session) ? '/account' : '/sign-in'),

    'GET /sign-in': async (x) => {
      if (signedIn(x.session)) return x.redirect('/account');
      const fresh: Session = { ...x.session, pending: undefined, push: undefined };
      x.html(x.hadCookie ? 401 : 200, signInPage(x.page(fresh), x.hadCookie ? { error: x.page().t('error.sessionExpired') } : {}), fresh);
    },

    'POST /sign-in': async (x) => {
      const t = x.page().t;
      const username = (x.form!.get('username') ?? '').trim();
      const password = x.form!.get('password') ?? '';
      if (!USERNAME.test(username) || password === '') return x.html(400, signInPage(x.page(), { error: t('reject.invalid_credentials') }, USERNAME.test(username) ? username : ''));
      let started: StartResult;
      try {
        started = await sdk.call((c) => c.startAuthentication({ username, password, application: 'User Portal' }));
      } catch (err) {
        return sdkFailurePage(x, err);
      }
      if (started.status === 'challenge') {
        const next: Session = { ...x.session, push: undefined, pending: { challenge: started.challenge, username, exp: Date.parse(started.expiresAt) } };
        return x.redirect('/sign-in/code', next);
      }
      if (started.status === 'pending' && started.method === 'push') {
        // The number the phone asks for (number matching): shown here only, never sent to the phone.
        const push = { handle: started.handle, username, number: started.numberToMatch !== undefined ? String(started.numberToMatch) : null, exp: Date.parse(started.expiresAt) };
        // Shown at once (the first long poll comes with the page's own reload).
        const next: Session = { ...x.session, pending: undefined, push };
        return x.html(200, pushWaitPage(x.page(next), push.number, REFRESH_SECONDS), next);
      }
      const reason = started.status === 'rejected' ? started.reason : 'other';
      x.html(started.status === 'rejected' && reason !== 'first_factor_unavailable' ? 401 : 503, signInPage(x.page(), { error: t(rejectKey(reason)) }, username));
    },

    'GET /sign-in/code': async (x) => {
      if (!x.session.pending || x.session.pending.exp <= Date.now()) return x.redirect('/sign-in');
      x.html(200, codePage(x.page(), x.page().t('code.label')));
    },

    'POST /sign-in/code': async (x) => {
      const t = x.page().t;
      const pending = x.session.pending;
      if (!pending || pending.exp <= Date.now()) return x.html(401, signInPage(x.page(), { error: t('reject.invalid_state') }));
      const code = (x.form!.get('code') ?? '').trim();
      const pin = (x.form!.get('pin') ?? '').trim();
      if (!CODE.test(code) || !/^[0-9]{0,16}$/.test(pin)) return x.html(400, codePage(x.page(), t('code.label'), { error: t('reject.invalid_code') }));
      let answered: AnswerResult;
      try {
        answered = await sdk.call((c) => c.answerChallenge({ challenge: pending.challenge, code, ...(pin ? { pin } : {}) }));
      } catch (err) {
        return sdkFailurePage(x, err);
      }
      if (answered.status === 'rejected') {
        if (['invalid_code', 'invalid_pin', 'code_replayed'].includes(answered.reason)) {
          return x.html(401, codePage(x.page(), t('code.label'), { error: t(rejectKey(answered.reason)) }));
        }
        const ended: Session = { ...x.session, pending: undefined };
        return x.html(401, signInPage(x.page(ended), { error: t(rejectKey(answered.reason)) }), ended);
      }
      x.redirect('/account', await signedInSession(answered, x.session));
    },

    'GET /invitation': async (x) => x.html(200, invitationPage(x.page())),

    'POST /invitation': async (x) => {
      const t = x.page().t;
      const username = (x.form!.get('username') ?? '').trim();
      const password = x.form!.get('password') ?? '';
      const code = (x.form!.get('invitation') ?? '').trim();
      if (!USERNAME.test(username) || password === '' || code === '') return x.html(400, invitationPage(x.page(), { error: t('invite.invalid') }));
      let answered: AnswerResult;
      try {
        answered = await sdk.call((c) => c.redeemInvitation({ username, password, code }), { write: true });
      } catch (err) {
        return sdkFailurePage(x, err);
      }
      if (answered.status === 'rejected') {
        const key: MessageKey = answered.reason === 'code_replayed' ? 'invite.used' : answered.reason === 'invalid_code' ? 'invite.invalid' : rejectKey(answered.reason);
        return x.html(401, invitationPage(x.page(), { error: t(key) }));
      }
      x.redirect('/enrol', await signedInSession(answered, x.session));
    },

    'POST /sign-out': async (x) => x.redirect('/sign-in', sealer.fresh(Date.now(), x.session.lang)),
  };
}

