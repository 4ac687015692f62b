import { EN, MessageKey } from './catalogue.en';
import { SV } from './catalogue.sv';

export type Lang = 'en' | 'sv';
export const LANGS: Record<Lang, Record<MessageKey, string>> = { en: EN, sv: SV };
export type { MessageKey };

export type Translate = (key: MessageKey, vars?: Record<string, string>) => string;

export function translator(lang: Lang): Translate {
  const table = LANGS[lang];
  return (key, vars = {}) => table[key].replace(/\{(\w+)\}/g, (_, name: string) => vars[name] ?? '');
}

// A key made from an SDK value (an activity kind a newer server may add) that the catalogue has.
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(EN, key);
}

// "sv-SE,sv;q=0.9,en;q=0.8" -> the best language we have, else English.
export function fromAcceptLanguage(header: string | undefined): Lang {
  if (!header) return 'en';
  const ranked = header.slice(0, 256).split(',').map((part, i) => {
    const [tag, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
    return { lang: tag.trim().toLowerCase().split('-')[0], q: q ? Number(q[1]) : 1, i };
  }).filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) if (r.lang === 'en' || r.lang === 'sv') return r.lang;
  return 'en';
}

// A profile language ("sv", "sv-SE", "Swedish" is not a code) when we have it.
export function fromProfile(language: string | undefined): Lang | undefined {
  const code = (language ?? '').toLowerCase().split(/[-_]/)[0];
  return code === 'en' || code === 'sv' ? code : undefined;
}
