import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { CURRENT_SCHEMA_VERSION } from './catalogue';
import { EventRecord } from './event-record';

// Turns the payload of schema version N into version N + 1.
export type Upcaster = (payload: Record<string, unknown>) => Record<string, unknown>;

// Chains upcasters so that any record the log ever held reads as the current shape.
export class UpcasterRegistry {
  readonly #upcasters = new Map<string, Upcaster>();

  constructor(private readonly currentVersions: Record<string, number> = CURRENT_SCHEMA_VERSION) {}

  register(type: string, fromVersion: number, upcaster: Upcaster): this {
    const key = `${type}@${fromVersion}`;
    if (this.#upcasters.has(key)) throw new Error(`An upcaster for ${type} v${fromVersion} is already registered`);
    this.#upcasters.set(key, upcaster);
    return this;
  }

  currentVersion(type: string): number | undefined {
    return this.currentVersions[type];
  }

  upcast(record: EventRecord): EventRecord {
    const current = this.currentVersions[record.type];
    // Types the domain does not own (e.g. replication's epoch records) pass through untouched.
    if (current === undefined) return record;
    const { type } = record;
    let version = record.schemaVersion;
    if (!Number.isInteger(version) || version < 1 || version > current) {
      throw DomainError.rule(
        DomainErrorCode.UnsupportedSchema,
        'schemaVersion',
        `${type} schema version ${version} is not supported by this release (current is ${current}); upgrade this node.`,
      );
    }
    let payload = record.payload;
    while (version < current) {
      const upcaster = this.#upcasters.get(`${type}@${version}`);
      if (!upcaster) {
        throw DomainError.rule(DomainErrorCode.UnsupportedSchema, 'schemaVersion', `No upcaster from ${type} schema version ${version}.`);
      }
      payload = upcaster(payload);
      version += 1;
    }
    return version === record.schemaVersion ? record : { type, schemaVersion: version, payload };
  }
}

export const upcasters = new UpcasterRegistry();

export function registerUpcaster(type: string, fromVersion: number, upcaster: Upcaster): void {
  upcasters.register(type, fromVersion, upcaster);
}

export function upcast(record: EventRecord): EventRecord {
  return upcasters.upcast(record);
}
