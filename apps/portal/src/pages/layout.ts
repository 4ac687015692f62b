import { escapeHtml as e } from '../http/http-kit';
import type { Lang, MessageKey, Translate } from '../i18n/i18n';

export interface PageContext {
  t: Translate;
  lang: Lang;
  csrf: string;
  signedIn: boolean;
}

// One page: a heading the screen reader lands on, a skip link, labelled fields, no script.
// refresh: the page loads `url` by itself after some seconds (a wait that needs no script: the push sign-in).
export function layout(ctx: PageContext, title: MessageKey, body: string, opts: { notice?: string; error?: string; refresh?: { seconds: number; url: string } } = {}): string {
  const { t } = ctx;
  const nav = ctx.signedIn
    ? `<nav aria-label="${e(t('nav.account'))}"><a href="/account">${e(t('nav.account'))}</a>
<form method="post" action="/sign-out" class="inline">${csrfField(ctx)}<button type="submit">${e(t('nav.signOut'))}</button></form></nav>`
    : '';
  const notice = opts.notice ? `<p class="notice" role="status">${e(opts.notice)}</p>` : '';
  const error = opts.error ? `<p class="error" role="alert" id="form-error">${e(opts.error)}</p>` : '';
  return `<!doctype html>
<html lang="${ctx.lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${opts.refresh ? `<meta http-equiv="refresh" content="${Math.floor(opts.refresh.seconds)}; url=${e(opts.refresh.url)}">` : ''}
<title>${e(t(title))} – ${e(t('app.title'))}</title><link rel="stylesheet" href="/portal.css"></head>
<body><a class="skip" href="#main">${e(t('nav.skip'))}</a>
<header><p class="brand">${e(t('app.title'))}</p>${nav}</header>
<main id="main" tabindex="-1"><h1>${e(t(title))}</h1>${notice}${error}${body}</main>
</body></html>`;
}

export function csrfField(ctx: PageContext): string {
  return `<input type="hidden" name="csrf" value="${e(ctx.csrf)}">`;
}

export function field(id: string, label: string, attrs: string, describedBy?: string): string {
  return `<p><label for="${id}">${e(label)}</label><br><input id="${id}" name="${id}" ${attrs}${describedBy ? ` aria-describedby="${describedBy}"` : ''}></p>`;
}

export const CSS = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem;line-height:1.5;color:#111}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #ccc;margin-bottom:1rem}
.brand{font-weight:bold}.inline{display:inline}nav a{margin-right:1rem}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
input{font-size:1.1rem;padding:.4rem;width:100%;max-width:20rem}button{font-size:1rem;padding:.5rem 1rem}
:focus{outline:3px solid #1a5fb4;outline-offset:2px}.error{color:#a51d2d;font-weight:bold}.notice{color:#26a269;font-weight:bold}
.qr svg{width:14rem;height:14rem}code.secret{font-size:1.2rem;letter-spacing:.1rem;word-break:break-all}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
.match{font-size:4rem;font-weight:bold;letter-spacing:.5rem;margin:.5rem 0}code.activation{font-size:1.6rem;letter-spacing:.15rem}`;
