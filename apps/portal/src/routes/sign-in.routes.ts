import type { AnswerResult, StartResult } from '@twofold/sdk-client';
import { fromProfile, MessageKey } from '../i18n/i18n';
import { codePage, invitationPage, signInPage } from '../pages/pages';
import type { Session } from '../session/sealed-session';
import { PortalDeps, Routes, sdkFailurePage, signedIn } from '../exchange';

const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
const CODE = /^[0-9]{4,10}$/;
const KNOWN_REJECTS = new Set(['invalid_credentials', 'unknown_user', 'invalid_code', 'invalid_pin', 'code_replayed', 'user_locked', 'user_disabled', 'user_blocked', 'no_second_factor', 'invalid_state', 'first_factor_unavailable']);

const rejectKey = (reason: string): MessageKey => (KNOWN_REJECTS.has(reason) ? `reject.${reason}` : 'reject.other') as MessageKey;

// Sign-in: user name and local password (first factor, checked by the server), then the code
// (TOTP, or SMS when that is the user's method). The challenge handle waits in the sealed cookie.
export function signInRoutes({ sdk, sealer }: PortalDeps): Routes {
  // A new session id at sign-in: nothing from before (a planted cookie, an old form) carries over.
  const signedInSession = async (answered: Extract<AnswerResult, { status: 'accepted' }>, from: Session): Promise<Session> => {
    const assertion = answered.userAssertion;
    let displayName = answered.username;
    let lang = from.lang;
    try {
      const me = await sdk.call((c) => c.getSelf(assertion));
      displayName = me.displayName || me.username;
      lang = fromProfile(me.language) ?? lang;
    } catch {
      // The profile only names the user and picks the language; the sign-in stands without it.
    }
    return {
      ...sealer.rotate(from), pending: undefined, ...(lang ? { lang } : {}),
      user: { id: answered.userId, name: answered.username, displayName, assertion, exp: Date.parse(answered.userAssertionExpiresAt) },
    };
  };

  return {
    'GET /': async (x) => x.redirect(signedIn(x.session) ? '/account' : '/sign-in'),

    'GET /sign-in': async (x) => {
      if (signedIn(x.session)) return x.redirect('/account');
      const fresh: Session = { ...x.session, pending: undefined };
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
        const next: Session = { ...x.session, pending: { challenge: started.challenge, username, exp: Date.parse(started.expiresAt) } };
        return x.redirect('/sign-in/code', next);
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

