import { SdkApiError } from '@twofold/sdk-client';
import { accountPage, phoneCodePage, phonePage, signInPage } from '../pages/pages';
import type { Session } from '../session/sealed-session';
import { Exchange, PortalDeps, Route, Routes, sdkFailurePage, signedIn } from '../exchange';
import { confirmCode } from './code-confirmation';

const STALE_PHONE_CHANGE = new Set(['invalid_enrolment', 'version_conflict']);

// A new phone number, saved only after the user typed the code sent to it. The SDK's handle for
// the pending change waits in the sealed cookie, so any instance finishes it.
export function phoneRoutes({ sdk }: PortalDeps): Routes {
  const guarded = (route: (x: Exchange, assertion: string) => Promise<void>): Route => async (x) => {
    if (!signedIn(x.session)) return x.html(401, signInPage(x.page(), { error: x.page().t('error.sessionExpired') }));
    await route(x, x.session.user!.assertion);
  };

  return {
    'GET /phone': guarded(async (x) => x.html(200, phonePage(x.page()))),

    'POST /phone': guarded(async (x, assertion) => {
      const t = x.page().t;
      const number = (x.form!.get('number') ?? '').trim();
      try {
        const started = await sdk.call((c) => c.beginPhoneChange(assertion, { number }));
        const next: Session = { ...x.session, phoneChange: { change: started.change, number: started.number } };
        x.html(200, phoneCodePage(x.page(next), started.number), next);
      } catch (err) {
        if (err instanceof SdkApiError && err.code === 'validation_failed') return x.html(400, phonePage(x.page(), { error: t('phone.invalid') }));
        sdkFailurePage(x, err);
      }
    }),

    'POST /phone/confirm': guarded((x, assertion) => {
      const ended: Session = { ...x.session, phoneChange: undefined };
      return confirmCode(x, {
        pending: x.session.phoneChange, ended, title: 'phone.title', expired: 'phone.expired', wrongCode: 'phone.wrongCode', staleCodes: STALE_PHONE_CHANGE,
        codePage: (pending, error) => phoneCodePage(x.page(), pending.number, { error }),
        confirm: (pending, code) => sdk.call((c) => c.confirmPhoneChange(assertion, { change: pending.change, code }), { write: true }),
        done: (me) => x.html(200, accountPage(x.page(ended), me, { notice: x.page().t('phone.done') }), ended),
      });
    }),
  };
}
