export const RadiusCode = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
} as const;
export type RadiusCode = (typeof RadiusCode)[keyof typeof RadiusCode];

export const RADIUS_CODE_NAMES: Readonly<Record<RadiusCode, string>> = {
  1: 'Access-Request',
  2: 'Access-Accept',
  3: 'Access-Reject',
  4: 'Accounting-Request',
  5: 'Accounting-Response',
  11: 'Access-Challenge',
  12: 'Status-Server',
};

export const HEADER_LENGTH = 20;
export const MIN_PACKET_LENGTH = 20;
export const MAX_PACKET_LENGTH = 4096;
export const AUTHENTICATOR_LENGTH = 16;
export const MAX_ATTRIBUTE_VALUE_LENGTH = 253;
export const MESSAGE_AUTHENTICATOR = 80; // the attribute type (RFC 3579 §3.2), same as AttributeType['Message-Authenticator']

export function isRadiusCode(code: number): code is RadiusCode {
  return Object.prototype.hasOwnProperty.call(RADIUS_CODE_NAMES, code);
}

export function isResponseCode(code: number): boolean {
  return (
    code === RadiusCode.AccessAccept ||
    code === RadiusCode.AccessReject ||
    code === RadiusCode.AccessChallenge ||
    code === RadiusCode.AccountingResponse
  );
}

export function isRequestCode(code: number): boolean {
  return code === RadiusCode.AccessRequest || code === RadiusCode.AccountingRequest || code === RadiusCode.StatusServer;
}
