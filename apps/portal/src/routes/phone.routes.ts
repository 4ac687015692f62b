import { SdkApiError, UserSummary } from '@twofold/sdk-client';
import { accountPage, messagePage, phoneCodePage, phonePage, signInPage } from '../pages/pages';
import type { Session } from '../session/sealed-session';
import { Exchange, PortalDeps, Route, Routes, sdkFailurePage, signedIn } from '../exchange';

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

    'POST /phone/confirm': guarded(async (x, assertion) => {
      const t = x.page().t;
      const pending = x.session.phoneChange;
      if (!pending) return x.html(409, messagePage(x.page(), 'phone.title', t('phone.expired')));
      const code = (x.form!.get('code') ?? '').trim();
      if (!/^[0-9]{6}$/.test(code)) return x.html(400, phoneCodePage(x.page(), pending.number, { error: t('phone.wrongCode') }));
      let me: UserSummary;
      try {
        me = await sdk.call((c) => c.confirmPhoneChange(assertion, { change: pending.change, code }), { write: true });
      } catch (err) {
        if (err instanceof SdkApiError && err.code === 'invalid_code') return x.html(400, phoneCodePage(x.page(), pending.number, { error: t('phone.wrongCode') }));
        if (err instanceof SdkApiError && (err.code === 'invalid_enrolment' || err.code === 'version_conflict')) {
          const ended: Session = { ...x.session, phoneChange: undefined };
          return x.html(409, messagePage(x.page(ended), 'phone.title', t('phone.expired')), ended);
        }
        return sdkFailurePage(x, err);
      }
      const done: Session = { ...x.session, phoneChange: undefined };
      x.html(200, accountPage(x.page(done), me, { notice: t('phone.done') }), done);
    }),
  };
}
