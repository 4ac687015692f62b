// A small, strict XML reader for PSKC files: elements, attributes, text, comments, CDATA and the
// XML declaration. Namespace prefixes are dropped (PSKC, xmldsig and xmlenc names do not clash).
// No DOCTYPE and no entities beyond the five predefined ones and character references: a file
// that needs more is refused rather than half-read (and nothing external is ever fetched).
export interface XmlElement { name: string; attrs: Record<string, string>; children: XmlElement[]; text: string }

export class XmlError extends Error {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const v = ENTITIES[ref];
    if (v === undefined) throw new XmlError(`unknown entity ${m}`);
    return v;
  });
}

const local = (name: string) => name.slice(name.indexOf(':') + 1);
const NAME = /^[A-Za-z_][\w.:-]*/;

export function parseXml(text: string): XmlElement {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const fail = (what: string): never => {
    const line = text.slice(0, i).split('\n').length;
    throw new XmlError(`line ${line}: ${what}`);
  };
  while (i < text.length) {
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end < 0) fail('unterminated processing instruction');
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      if (end < 0 || !stack.length) fail('CDATA outside an element');
      stack[stack.length - 1].text += text.slice(i + 9, end);
      i = end + 3;
    } else if (text.startsWith('<!', i)) {
      fail('DOCTYPE and other declarations are not accepted');
    } else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i);
      if (end < 0) fail('unterminated end tag');
      const name = local(text.slice(i + 2, end).trim());
      const open = stack.pop();
      if (!open || open.name !== name) fail(`end tag </${name}> does not match <${open?.name ?? 'nothing'}>`);
      i = end + 1;
    } else if (text[i] === '<') {
      i++;
      const m = NAME.exec(text.slice(i, i + 256));
      if (!m) fail('element name expected');
      const el: XmlElement = { name: local(m![0]), attrs: {}, children: [], text: '' };
      i += m![0].length;
      for (;;) {
        while (/\s/.test(text[i] ?? '')) i++;
        if (text.startsWith('/>', i)) { i += 2; break; }
        if (text[i] === '>') { i++; stack.push(el); break; }
        const a = NAME.exec(text.slice(i, i + 256));
        if (!a) fail(`attribute or end of tag expected in <${el.name}>`);
        i += a![0].length;
        while (/\s/.test(text[i] ?? '')) i++;
        if (text[i] !== '=') fail(`"=" expected after attribute ${a![0]}`);
        i++;
        while (/\s/.test(text[i] ?? '')) i++;
        const quote = text[i];
        if (quote !== '"' && quote !== "'") fail(`quoted value expected for attribute ${a![0]}`);
        const end = text.indexOf(quote, i + 1);
        if (end < 0) fail('unterminated attribute value');
        el.attrs[local(a![0])] = decode(text.slice(i + 1, end));
        i = end + 1;
      }
      const parent = stack[stack.length - (stack[stack.length - 1] === el ? 2 : 1)];
      if (parent) parent.children.push(el);
      else if (root) fail('more than one root element');
      else root = el;
    } else {
      const end = text.indexOf('<', i);
      const chunk = text.slice(i, end < 0 ? text.length : end);
      if (stack.length) stack[stack.length - 1].text += decode(chunk);
      else if (chunk.trim()) fail('text outside the root element');
      i = end < 0 ? text.length : end;
    }
  }
  if (stack.length) fail(`<${stack[stack.length - 1].name}> is not closed`);
  if (!root) throw new XmlError('no root element');
  return root;
}

export const child = (el: XmlElement | undefined, name: string) => el?.children.find((c) => c.name === name);
export const children = (el: XmlElement | undefined, name: string) => el?.children.filter((c) => c.name === name) ?? [];
export const textOf = (el: XmlElement | undefined) => el?.text.trim();
