import { DomainErrorCode } from '../errors/domain-error';
import { makeEvent } from './event-record';
import { upcast, UpcasterRegistry } from './upcasting';

describe('upcasting', () => {
  // A pretend event whose shape changed twice: v1 had `name`, v2 split it, v3 added `tags`.
  const registry = () =>
    new UpcasterRegistry({ WidgetCreated: 3 })
      .register('WidgetCreated', 1, ({ name, ...rest }) => {
        const [first, last] = String(name).split(' ');
        return { ...rest, firstName: first, lastName: last ?? '' };
      })
      .register('WidgetCreated', 2, (payload) => ({ ...payload, tags: [] }));

  it('chains upcasters from any old version to the current one', () => {
    const sut = registry();
    expect(sut.upcast({ type: 'WidgetCreated', schemaVersion: 1, payload: { id: 'w1', name: 'Ada Lovelace' } })).toEqual({
      type: 'WidgetCreated',
      schemaVersion: 3,
      payload: { id: 'w1', firstName: 'Ada', lastName: 'Lovelace', tags: [] },
    });
    expect(sut.upcast({ type: 'WidgetCreated', schemaVersion: 2, payload: { id: 'w1', firstName: 'A', lastName: 'B' } }).payload).toEqual({
      id: 'w1', firstName: 'A', lastName: 'B', tags: [],
    });
  });

  it('leaves current records untouched', () => {
    const record = { type: 'WidgetCreated', schemaVersion: 3, payload: { id: 'w1' } };
    expect(registry().upcast(record)).toBe(record);
  });

  it('refuses a version newer than this release knows, or a gap in the chain', () => {
    expect(() => registry().upcast({ type: 'WidgetCreated', schemaVersion: 4, payload: {} })).toThrow(
      expect.objectContaining({ code: DomainErrorCode.UnsupportedSchema }),
    );
    expect(() => registry().upcast({ type: 'WidgetCreated', schemaVersion: 0, payload: {} })).toThrow(
      expect.objectContaining({ code: DomainErrorCode.UnsupportedSchema }),
    );
    const gap = new UpcasterRegistry({ WidgetCreated: 3 }).register('WidgetCreated', 2, (p) => p);
    expect(() => gap.upcast({ type: 'WidgetCreated', schemaVersion: 1, payload: {} })).toThrow(
      expect.objectContaining({ code: DomainErrorCode.UnsupportedSchema }),
    );
  });

  it('refuses registering the same step twice', () => {
    expect(() => registry().register('WidgetCreated', 1, (p) => p)).toThrow();
  });

  it('passes types it does not own through, and knows the catalogue by default', () => {
    const epoch = { type: 'EpochStarted', schemaVersion: 7, payload: { epoch: 2 } };
    expect(upcast(epoch)).toBe(epoch);
    const created = makeEvent('UserEnabled', { userId: 'u1' });
    expect(created.schemaVersion).toBe(1);
    expect(() => upcast({ type: 'UserEnabled', schemaVersion: 2, payload: {} })).toThrow(
      expect.objectContaining({ code: DomainErrorCode.UnsupportedSchema }),
    );
  });
});
