import type { Activity, UserSummary } from '@twofold/sdk-client';
import { escapeHtml as e } from '../http/http-kit';
import { csrfField, field, layout, PageContext } from './layout';
import { isMessageKey, MessageKey } from '../i18n/i18n';

const activityKey = (kind: string): MessageKey => (isMessageKey(`activity.${kind}`) ? (`activity.${kind}` as MessageKey) : 'activity.other');

type Notes = { notice?: string; error?: string };

export function signInPage(ctx: PageContext, notes: Notes = {}, username = ''): string {
  const { t } = ctx;
  return layout(ctx, 'signIn.title', `<form method="post" action="/sign-in">${csrfField(ctx)}
${field('username', t('signIn.username'), `type="text" autocomplete="username" required maxlength="64" autofocus value="${e(username)}"`, notes.error ? 'form-error' : undefined)}
${field('password', t('signIn.password'), 'type="password" autocomplete="current-password" required maxlength="256"')}
<p><button type="submit">${e(t('signIn.submit'))}</button></p></form>
<p><a href="/invitation">${e(t('invite.link'))}</a></p>`, notes);
}

export function invitationPage(ctx: PageContext, notes: Notes = {}): string {
  const { t } = ctx;
  return layout(ctx, 'invite.title', `<p id="invite-help">${e(t('invite.intro'))}</p><form method="post" action="/invitation">${csrfField(ctx)}
${field('username', t('signIn.username'), 'type="text" autocomplete="username" required maxlength="64" autofocus')}
${field('password', t('signIn.password'), 'type="password" autocomplete="current-password" required maxlength="256"')}
${field('invitation', t('invite.code'), 'type="text" autocomplete="off" required maxlength="40"', 'invite-help')}
<p><button type="submit">${e(t('signIn.submit'))}</button></p></form>`, notes);
}

export function codePage(ctx: PageContext, prompt: string, notes: Notes = {}): string {
  const { t } = ctx;
  return layout(ctx, 'code.title', `<p id="code-prompt">${e(prompt)}</p><form method="post" action="/sign-in/code">${csrfField(ctx)}
${field('pin', t('code.pin'), 'type="password" inputmode="numeric" autocomplete="off" maxlength="16"', 'pin-help')}<p id="pin-help">${e(t('code.pinHelp'))}</p>
${field('code', t('code.label'), 'type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{4,10}" required maxlength="10" autofocus', 'code-prompt')}
<p><button type="submit">${e(t('code.submit'))}</button> <a href="/sign-in">${e(t('code.restart'))}</a></p></form>`, notes);
}

export function accountPage(ctx: PageContext, user: UserSummary, notes: Notes = {}): string {
  const { t } = ctx;
  const tokens = user.tokens.length
    ? `<ul>${user.tokens.map((tk) => `<li>${e(tk.label || tk.kind.toUpperCase())} (${e(t('account.tokenAdded', { date: tk.createdAt.slice(0, 10) }))})
<form method="post" action="/tokens/remove" class="inline">${csrfField(ctx)}<input type="hidden" name="tokenId" value="${e(tk.tokenId)}"><button type="submit" aria-label="${e(t('account.removeToken', { name: tk.label || tk.kind.toUpperCase() }))}">${e(t('account.remove'))}</button></form></li>`).join('')}</ul>`
    : `<p>${e(t('account.noTokens'))}</p>`;
  const phones = user.phones.length
    ? `<ul>${user.phones.map((p) => `<li>${e(p.number)} (${e(p.label)})</li>`).join('')}</ul>`
    : `<p>${e(t('account.noPhones'))}</p>`;
  return layout(ctx, 'account.title', `<p>${e(t('account.hello', { name: user.displayName || user.username }))}</p>
<h2>${e(t('account.tokens'))}</h2>${tokens}
<h2>${e(t('account.phones'))}</h2>${phones}
<ul><li><a href="/enrol">${e(t('account.enrol'))}</a></li><li><a href="/phone">${e(t('account.phone'))}</a></li><li><a href="/devices">${e(t('account.devices'))}</a></li><li><a href="/pin">${e(t('account.pin'))}</a></li><li><a href="/activity">${e(t('account.activity'))}</a></li><li><a href="/fraud">${e(t('account.fraud'))}</a></li></ul>`, notes);
}

export function enrolStartPage(ctx: PageContext, notes: Notes = {}): string {
  const { t } = ctx;
  return layout(ctx, 'enrol.title', `<p>${e(t('enrol.intro'))}</p><form method="post" action="/enrol">${csrfField(ctx)}
${field('label', t('enrol.label'), 'type="text" maxlength="64" autofocus')}
<p><button type="submit">${e(t('enrol.start'))}</button></p></form>`, notes);
}

// The QR code (SVG from the server's renderer, no script) and the key as text, then the code form.
export function enrolConfirmPage(ctx: PageContext, shown: { qrSvg: string; secret: string } | null, notes: Notes = {}): string {
  const { t } = ctx;
  const qr = shown
    ? `<p>${e(t('enrol.scan'))}</p><div class="qr" role="img" aria-label="${e(t('enrol.qrAlt'))}">${shown.qrSvg.replace(/<\?xml[^>]*>/, '')}</div>
<p>${e(t('enrol.secret'))}: <code class="secret" id="secret">${e(shown.secret.replace(/(.{4})/g, '$1 ').trim())}</code></p>`
    : '';
  return layout(ctx, 'enrol.title', `${qr}<p id="confirm-help">${e(t('enrol.confirm'))}</p><form method="post" action="/enrol/confirm">${csrfField(ctx)}
${field('code', t('enrol.code'), `type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required maxlength="6"${shown ? '' : ' autofocus'}`, 'confirm-help')}
<p><button type="submit">${e(t('enrol.finish'))}</button> <a href="/enrol">${e(t('code.restart'))}</a></p></form>`, notes);
}

export function pinPage(ctx: PageContext, notes: Notes = {}): string {
  const { t } = ctx;
  return layout(ctx, 'pin.title', `<p id="pin-rules">${e(t('pin.rules'))}</p><form method="post" action="/pin">${csrfField(ctx)}
${field('pin', t('pin.new'), 'type="password" inputmode="numeric" autocomplete="new-password" required maxlength="16" autofocus', 'pin-rules')}
${field('pin2', t('pin.repeat'), 'type="password" inputmode="numeric" autocomplete="new-password" required maxlength="16"')}
<p><button type="submit">${e(t('pin.submit'))}</button></p></form>`, notes);
}

export function activityPage(ctx: PageContext, activity: Activity): string {
  const { t } = ctx;
  if (activity.entries.length === 0) return layout(ctx, 'activity.title', `<p>${e(t('activity.none'))}</p>`);
  const rows = activity.entries.map((a) => `<tr><td><time datetime="${e(a.at)}">${e(a.at.replace('T', ' ').slice(0, 19))} UTC</time></td><td>${e(t(activityKey(a.kind)))}</td><td>${e(a.where)}</td><td>${e(a.node)}</td></tr>`).join('');
  return layout(ctx, 'activity.title', `<table><thead><tr><th scope="col">${e(t('activity.when'))}</th><th scope="col">${e(t('activity.what'))}</th><th scope="col">${e(t('activity.where'))}</th><th scope="col">${e(t('activity.node'))}</th></tr></thead><tbody>${rows}</tbody></table>`);
}

export function messagePage(ctx: PageContext, title: MessageKey, message: string): string {
  return layout(ctx, title, `<p role="alert">${e(message)}</p><p><a href="/">${e(ctx.t('error.back'))}</a></p>`);
}

export function phonePage(ctx: PageContext, notes: Notes = {}): string {
  const { t } = ctx;
  return layout(ctx, 'phone.title', `<p id="phone-help">${e(t('phone.intro'))}</p><form method="post" action="/phone">${csrfField(ctx)}
${field('number', t('phone.number'), 'type="tel" autocomplete="tel" required maxlength="32" autofocus', 'phone-help')}
<p><button type="submit">${e(t('phone.send'))}</button></p></form>`, notes);
}

export function phoneCodePage(ctx: PageContext, number: string, notes: Notes = {}): string {
  const { t } = ctx;
  return layout(ctx, 'phone.title', `<p id="sent">${e(t('phone.sent', { number }))}</p><form method="post" action="/phone/confirm">${csrfField(ctx)}
${field('code', t('phone.code'), 'type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required maxlength="6" autofocus', 'sent')}
<p><button type="submit">${e(t('phone.confirm'))}</button> <a href="/phone">${e(t('code.restart'))}</a></p></form>`, notes);
}

export function fraudPage(ctx: PageContext): string {
  const { t } = ctx;
  return layout(ctx, 'fraud.title', `<p id="fraud-help">${e(t('fraud.intro'))}</p><form method="post" action="/fraud">${csrfField(ctx)}
<p><button type="submit" aria-describedby="fraud-help">${e(t('fraud.submit'))}</button> <a href="/account">${e(t('fraud.cancel'))}</a></p></form>`);
}
