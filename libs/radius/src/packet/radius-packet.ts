import { AttributeKey, RadiusAttribute, attributeType, decodeInteger, decodeIpAddress } from './attributes';
import { RADIUS_CODE_NAMES, RadiusCode } from './codes';

// A parsed, length-checked packet. `raw` is exactly the packet (padding beyond the Length field
// dropped) and is what authenticators are computed over; attribute values are views into it.
export class RadiusPacket {
  constructor(
    readonly code: RadiusCode,
    readonly identifier: number,
    readonly authenticator: Buffer,
    readonly attributes: readonly RadiusAttribute[],
    readonly raw: Buffer,
  ) {}

  get codeName(): string {
    return RADIUS_CODE_NAMES[this.code];
  }

  get(key: AttributeKey): Buffer | undefined {
    const type = attributeType(key);
    return this.attributes.find((a) => a.type === type)?.value;
  }

  getAll(key: AttributeKey): Buffer[] {
    const type = attributeType(key);
    return this.attributes.filter((a) => a.type === type).map((a) => a.value);
  }

  has(key: AttributeKey): boolean {
    return this.get(key) !== undefined;
  }

  // UTF-8 text of the first attribute of that type.
  getString(key: AttributeKey): string | undefined {
    return this.get(key)?.toString('utf8');
  }

  // undefined when absent or not exactly 4 bytes.
  getInteger(key: AttributeKey): number | undefined {
    return decodeInteger(this.get(key));
  }

  getIpAddress(key: AttributeKey): string | undefined {
    return decodeIpAddress(this.get(key));
  }
}
