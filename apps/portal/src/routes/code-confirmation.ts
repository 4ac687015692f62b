import { SdkApiError } from '@twofold/sdk-client';
import type { MessageKey } from '../i18n/i18n';
import { messagePage } from '../pages/pages';
import type { Session } from '../session/sealed-session';
import { Exchange, sdkFailurePage } from '../exchange';

// A change the user finishes with the 6-digit code sent to them (a new token, a new phone). Its
// SDK handle waits in the sealed session, so any instance finishes it.
export interface CodeConfirmation<P, R> {
  pending: P | undefined;
  ended: Session; // the session without the pending change
  title: MessageKey;
  expired: MessageKey;
  wrongCode: MessageKey;
  staleCodes: ReadonlySet<string>; // SDK codes that mean the pending change can no longer finish
  codePage(pending: P, error: string): string;
  confirm(pending: P, code: string): Promise<R>;
  done(result: R): Promise<void> | void;
}

// A wrong code: 400 and the code page again. Nothing pending, or a stale change: 409, and the
// pending change leaves the session.
export async function confirmCode<P, R>(x: Exchange, c: CodeConfirmation<P, R>): Promise<void> {
  const t = x.page().t;
  const pending = c.pending;
  if (!pending) return x.html(409, messagePage(x.page(), c.title, t(c.expired)));
  const code = (x.form!.get('code') ?? '').trim();
  if (!/^[0-9]{6}$/.test(code)) return x.html(400, c.codePage(pending, t(c.wrongCode)));
  let result: R;
  try {
    result = await c.confirm(pending, code);
  } catch (err) {
    if (err instanceof SdkApiError && err.code === 'invalid_code') return x.html(400, c.codePage(pending, t(c.wrongCode)));
    if (err instanceof SdkApiError && c.staleCodes.has(err.code)) return x.html(409, messagePage(x.page(c.ended), c.title, t(c.expired)), c.ended);
    return sdkFailurePage(x, err);
  }
  await c.done(result);
}
