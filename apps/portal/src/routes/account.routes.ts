import { SdkApiError } from '@twofold/sdk-client';
import { accountPage, activityPage, enrolConfirmPage, enrolStartPage, fraudPage, messagePage, pinPage, signInPage } from '../pages/pages';
import type { MessageKey } from '../i18n/i18n';
import type { Session } from '../session/sealed-session';
import { Exchange, PortalDeps, Route, Routes, sdkFailurePage, signedIn } from '../exchange';
import { confirmCode } from './code-confirmation';

const PIN_CODES = new Set(['pin_too_short', 'pin_too_long', 'pin_not_numeric', 'pin_trivial']);
const STALE_ENROLMENT = new Set(['invalid_enrolment', 'duplicate_token']);

// Pages for a signed-in user. Each change is one SDK self-service call with the user's assertion.
export function accountRoutes({ sdk }: PortalDeps): Routes {
  const guarded = (route: (x: Exchange, assertion: string) => Promise<void>): Route => async (x) => {
    if (!signedIn(x.session)) {
      const signedOut: Session = { ...x.session, user: undefined, enrolment: undefined };
      return x.html(401, signInPage(x.page(signedOut), { error: x.page().t('error.sessionExpired') }), signedOut);
    }
    await route(x, x.session.user!.assertion);
  };

  const account = async (x: Exchange, assertion: string, notice?: string, session?: Session) => {
    try {
      const me = await sdk.call((c) => c.getSelf(assertion));
      x.html(200, accountPage(x.page(session), me, notice ? { notice } : {}), session);
    } catch (err) {
      sdkFailurePage(x, err);
    }
  };

  return {
    'GET /account': guarded((x, a) => account(x, a)),

    'GET /enrol': guarded(async (x) => x.html(200, enrolStartPage(x.page()))),

    'POST /enrol': guarded(async (x, assertion) => {
      const label = (x.form!.get('label') ?? '').trim();
      try {
        const started = await sdk.call((c) => c.beginTokenEnrolment(assertion, { label }));
        // The seed stays sealed in the SDK's handle, inside the sealed cookie: any instance finishes.
        const next: Session = { ...x.session, enrolment: started.enrolment };
        x.html(200, enrolConfirmPage(x.page(next), { qrSvg: started.qrSvg, secret: started.secret }), next);
      } catch (err) {
        sdkFailurePage(x, err);
      }
    }),

    'POST /enrol/confirm': guarded((x, assertion) => {
      const ended: Session = { ...x.session, enrolment: undefined };
      return confirmCode(x, {
        pending: x.session.enrolment, ended, title: 'enrol.title', expired: 'enrol.expired', wrongCode: 'enrol.wrongCode', staleCodes: STALE_ENROLMENT,
        codePage: (_, error) => enrolConfirmPage(x.page(), null, { error }),
        confirm: (enrolment, code) => sdk.call((c) => c.confirmTokenEnrolment(assertion, { enrolment, code }), { write: true }),
        done: () => account(x, assertion, x.page().t('enrol.done'), ended),
      });
    }),

    'GET /pin': guarded(async (x) => x.html(200, pinPage(x.page()))),

    'POST /pin': guarded(async (x, assertion) => {
      const t = x.page().t;
      const pin = x.form!.get('pin') ?? '';
      if (pin !== (x.form!.get('pin2') ?? '')) return x.html(400, pinPage(x.page(), { error: t('pin.mismatch') }));
      try {
        await sdk.call((c) => c.changePin(assertion, { pin }), { write: true });
      } catch (err) {
        if (err instanceof SdkApiError && err.status === 400) {
          return x.html(400, pinPage(x.page(), { error: t((PIN_CODES.has(err.code) ? `pin.${err.code}` : 'pin.invalid') as MessageKey) }));
        }
        return sdkFailurePage(x, err);
      }
      // The server ends every assertion at a PIN change: the user signs in again with the new PIN.
      const signedOut: Session = { ...x.session, user: undefined, enrolment: undefined };
      x.html(200, signInPage(x.page(signedOut), { notice: t('pin.done') }), signedOut);
    }),

    'POST /tokens/remove': guarded(async (x, assertion) => {
      const tokenId = x.form!.get('tokenId') ?? '';
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(tokenId)) return x.html(400, messagePage(x.page(), 'error.title', x.page().t('error.badInput')));
      try {
        await sdk.call((c) => c.removeToken(assertion, tokenId), { write: true });
      } catch (err) {
        if (!(err instanceof SdkApiError && err.code === 'unknown_token')) return sdkFailurePage(x, err);
      }
      await account(x, assertion, x.page().t('account.removed'));
    }),

    'GET /fraud': guarded(async (x) => x.html(200, fraudPage(x.page()))),

    'POST /fraud': guarded(async (x, assertion) => {
      const t = x.page().t;
      try {
        const reported = await sdk.call((c) => c.reportFraud(assertion, { reason: 'reported by the user in the User Portal' }), { write: true });
        // A block ends the session (the server voids the assertion); the page says what happened.
        const after: Session = reported.blocked ? { ...x.session, user: undefined, enrolment: undefined } : x.session;
        x.html(200, messagePage(x.page(after), 'fraud.title', t(reported.blocked ? 'fraud.blocked' : 'fraud.done')), after);
      } catch (err) {
        sdkFailurePage(x, err);
      }
    }),

    'GET /activity': guarded(async (x, assertion) => {
      try {
        x.html(200, activityPage(x.page(), await sdk.call((c) => c.getActivity(assertion))));
      } catch (err) {
        sdkFailurePage(x, err);
      }
    }),
  };
}
