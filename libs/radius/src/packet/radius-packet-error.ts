export type RadiusPacketErrorCode =
  | 'invalid_input'
  | 'too_short'
  | 'too_long'
  | 'length_mismatch'
  | 'bad_attribute_length'
  | 'unknown_code'
  | 'duplicate_message_authenticator'
  | 'bad_message_authenticator_length'
  | 'bad_user_password'
  | 'password_too_long'
  | 'attribute_too_long'
  | 'invalid_attribute'
  | 'invalid_code'
  | 'invalid_identifier'
  | 'invalid_authenticator'
  | 'invalid_secret';

// Messages describe the shape of the problem only: never secrets, passwords or attribute values.
export class RadiusPacketError extends Error {
  override readonly name = 'RadiusPacketError';

  constructor(
    readonly code: RadiusPacketErrorCode,
    message: string,
  ) {
    super(message);
  }
}
