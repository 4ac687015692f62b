import { EN } from './catalogue.en';
import { SV } from './catalogue.sv';
import { fromAcceptLanguage, fromProfile, translator } from './i18n';

describe('portal catalogue', () => {
  it('has every English message in Swedish too, with the same placeholders', () => {
    expect(Object.keys(SV).sort()).toEqual(Object.keys(EN).sort());
    for (const key of Object.keys(EN) as Array<keyof typeof EN>) {
      expect({ key, vars: SV[key].match(/\{\w+\}/g) ?? [] }).toEqual({ key, vars: EN[key].match(/\{\w+\}/g) ?? [] });
    }
  });

  it('fills placeholders', () => {
    expect(translator('sv')('account.hello', { name: 'Sven' })).toBe('Inloggad som Sven.');
  });

  it('picks the best language the browser accepts, else English', () => {
    expect(fromAcceptLanguage('sv-SE,sv;q=0.9,en;q=0.8')).toBe('sv');
    expect(fromAcceptLanguage('de-DE,sv;q=0.5,en;q=0.7')).toBe('en');
    expect(fromAcceptLanguage('fr, de')).toBe('en');
    expect(fromAcceptLanguage('sv;q=0, en')).toBe('en');
    expect(fromAcceptLanguage(undefined)).toBe('en');
    expect(fromProfile('sv-SE')).toBe('sv');
    expect(fromProfile('fi')).toBeUndefined();
  });
});
