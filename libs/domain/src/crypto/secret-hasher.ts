// Port: hashing PINs and passwords needs async native work (argon2), which lives in
// libs/mfa. Callers hash after a command has validated the plain value, and pass the hash
// to the decide function.
export interface SecretHasher {
  hash(plain: string): Promise<string>;
  verify(hash: string, plain: string): Promise<boolean>;
}
