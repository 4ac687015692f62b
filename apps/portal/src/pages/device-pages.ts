import { escapeHtml as e } from '../http/http-kit';
import type { DeviceList } from '@twofold/sdk-client';
import { csrfField, layout, PageContext } from './layout';

type Notes = { notice?: string; error?: string };
const day = (iso: string) => e(iso.replace('T', ' ').slice(0, 16));

// The user's phones with the Twofold app: when each was activated, a remove button
// named for the device (screen readers hear which one), and the way to activate another.
export function devicesPage(ctx: PageContext, devices: DeviceList['devices'], notes: Notes = {}): string {
  const { t } = ctx;
  const list = devices.length
    ? `<table><thead><tr><th scope="col">${e(t('devices.name'))}</th><th scope="col">${e(t('devices.activatedAt'))}</th><th scope="col">${e(t('devices.actions'))}</th></tr></thead><tbody>${devices.map((d) => `<tr><td>${e(d.name)}</td><td><time datetime="${e(d.activatedAt)}">${day(d.activatedAt)} UTC</time></td>
<td><form method="post" action="/devices/remove" class="inline">${csrfField(ctx)}<input type="hidden" name="deviceId" value="${e(d.deviceId)}"><button type="submit" aria-label="${e(t('devices.removeNamed', { name: d.name }))}">${e(t('devices.remove'))}</button></form></td></tr>`).join('')}</tbody></table>`
    : `<p>${e(t('devices.none'))}</p>`;
  return layout(ctx, 'devices.title', `<p>${e(t('devices.intro'))}</p>${list}
<h2>${e(t('devices.add'))}</h2><p id="activate-help">${e(t('devices.addHelp'))}</p><form method="post" action="/devices/activate">${csrfField(ctx)}
<p><button type="submit" aria-describedby="activate-help">${e(t('devices.addButton'))}</button></p></form>`, notes);
}

// The activation: a QR code the app scans (inline SVG, no script, nothing fetched) and the same
// code as text to type, with when it stops working.
export function activationPage(ctx: PageContext, shown: { code: string; qrSvg: string; expiresAt: string; serviceUrl: string }): string {
  const { t } = ctx;
  return layout(ctx, 'activate.title', `<p>${e(t('activate.scan'))}</p>
<div class="qr" role="img" aria-label="${e(t('activate.qrAlt'))}">${shown.qrSvg.replace(/<\?xml[^>]*>/, '')}</div>
<p>${e(t('activate.typeIt'))}</p>
<p>${e(t('activate.code'))}: <code class="activation" id="activation-code">${e(shown.code)}</code></p>
<p>${e(t('activate.service'))}: <code id="activation-service">${e(shown.serviceUrl)}</code></p>
<p>${e(t('activate.expires', { time: `${day(shown.expiresAt)} UTC` }))}</p>
<p><a href="/devices">${e(t('activate.done'))}</a></p>`);
}

// Waiting for the phone: the number to choose in the app, a reload every few seconds (no script),
// a link to check at once and a way out.
export function pushWaitPage(ctx: PageContext, number: string | null, refreshSeconds: number): string {
  const { t } = ctx;
  const match = number
    ? `<p id="match-help">${e(t('push.number'))}</p><p class="match" id="number-to-match" aria-describedby="match-help">${e(number)}</p>`
    : `<p>${e(t('push.noNumber'))}</p>`;
  return layout(ctx, 'push.title', `${match}<p role="status">${e(t('push.waiting'))}</p>
<p><a href="/sign-in/push">${e(t('push.check'))}</a></p>
<form method="post" action="/sign-in/push/cancel">${csrfField(ctx)}<p><button type="submit">${e(t('push.cancel'))}</button></p></form>`, { refresh: { seconds: refreshSeconds, url: '/sign-in/push' } });
}
