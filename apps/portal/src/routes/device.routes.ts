import QRCode from 'qrcode';
import { SdkApiError } from '@twofold/sdk-client';
import { activationPage, devicesPage } from '../pages/device-pages';
import { messagePage, signInPage } from '../pages/pages';
import type { Session } from '../session/sealed-session';
import { Exchange, PortalDeps, Route, Routes, sdkFailurePage, signedIn } from '../exchange';

const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;

// The user's own phones with the Twofold app: list, remove, and activate one (a one-use code the
// app scans as a QR code or the user types; the app then activates at /mobile/v1 with its key).
export function deviceRoutes({ sdk, publicUrl }: PortalDeps): Routes {
  const serviceUrl = `${publicUrl}/mobile/v1`;
  const guarded = (route: (x: Exchange, assertion: string) => Promise<void>): Route => async (x) => {
    if (!signedIn(x.session)) {
      const signedOut: Session = { ...x.session, user: undefined, enrolment: undefined };
      return x.html(401, signInPage(x.page(signedOut), { error: x.page().t('error.sessionExpired') }), signedOut);
    }
    await route(x, x.session.user!.assertion);
  };

  const devices = async (x: Exchange, assertion: string, notice?: string) => {
    try {
      const { devices: list } = await sdk.call((c) => c.listOwnDevices(assertion));
      x.html(200, devicesPage(x.page(), list, notice ? { notice } : {}));
    } catch (err) {
      sdkFailurePage(x, err);
    }
  };

  return {
    'GET /devices': guarded((x, a) => devices(x, a)),

    'POST /devices/activate': guarded(async (x, assertion) => {
      try {
        const issued = await sdk.call((c) => c.issueDeviceActivation(assertion), { write: true });
        const uri = `twofold-activate:?code=${encodeURIComponent(issued.activationCode)}&service=${encodeURIComponent(serviceUrl)}`;
        const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
        x.html(200, activationPage(x.page(), { code: issued.activationCode, qrSvg, expiresAt: issued.expiresAt, serviceUrl }));
      } catch (err) {
        sdkFailurePage(x, err);
      }
    }),

    'POST /devices/remove': guarded(async (x, assertion) => {
      const deviceId = x.form!.get('deviceId') ?? '';
      if (!DEVICE_ID.test(deviceId)) return x.html(400, messagePage(x.page(), 'error.title', x.page().t('error.badInput')));
      try {
        await sdk.call((c) => c.removeOwnDevice(assertion, deviceId), { write: true });
      } catch (err) {
        // Already gone (removed in another tab, or by the help desk): the list says so.
        if (!(err instanceof SdkApiError && err.status === 404)) return sdkFailurePage(x, err);
      }
      await devices(x, assertion, x.page().t('devices.removed'));
    }),
  };
}
