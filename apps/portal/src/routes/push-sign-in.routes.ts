import type { PollResult } from '@twofold/sdk-client';
import { pushWaitPage } from '../pages/device-pages';
import { signInPage } from '../pages/pages';
import type { Session } from '../session/sealed-session';
import { Exchange, PortalDeps, Routes, sdkFailurePage } from '../exchange';
import { rejectKey, signedInSession } from './sign-in-outcome';

// How long one page load waits for the phone (a long poll on the SDK), and when the page reloads.
const POLL_WAIT_SECONDS = 5;
export const REFRESH_SECONDS = 1;

// The second step of a push sign-in: the page shows the number to choose in the app and reloads
// itself (meta refresh, no script) while the SDK long-polls; any instance continues any wait,
// since the handle is in the sealed cookie.
export function pushSignInRoutes(deps: PortalDeps): Routes {
  const { sdk } = deps;
  const ended = (x: Exchange): Session => ({ ...x.session, push: undefined });

  return {
    'GET /sign-in/push': async (x) => {
      const push = x.session.push;
      if (!push) return x.redirect('/sign-in');
      let polled: PollResult;
      try {
        polled = await sdk.call((c) => c.pollAuthentication({ handle: push.handle, waitSeconds: POLL_WAIT_SECONDS }));
      } catch (err) {
        return sdkFailurePage(x, err);
      }
      if (polled.status === 'pending') return x.html(200, pushWaitPage(x.page(), push.number, REFRESH_SECONDS));
      if (polled.status === 'accepted') return x.redirect('/account', await signedInSession(deps, polled, x.session));
      const after = ended(x);
      x.html(401, signInPage(x.page(after), { error: x.page().t(rejectKey(polled.reason)) }, push.username), after);
    },

    'POST /sign-in/push/cancel': async (x) => {
      const push = x.session.push;
      const after = ended(x);
      if (push) {
        try {
          await sdk.call((c) => c.cancelAuthentication({ handle: push.handle }));
        } catch {
          // Decided or expired meanwhile: the sign-in is over either way.
        }
      }
      x.html(200, signInPage(x.page(after), { notice: x.page().t('push.cancelled') }), after);
    },
  };
}
