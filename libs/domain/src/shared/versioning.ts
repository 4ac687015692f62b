import { DomainError, DomainErrorCode } from '../errors/domain-error';

// For commands that carry the version the caller last saw (admin edits): reject stale edits.
export function assertExpectedVersion(actual: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== actual) {
    throw DomainError.rule(
      DomainErrorCode.VersionConflict,
      'expectedVersion',
      `The record changed since it was read (expected version ${expected}, now ${actual}); reload and retry.`,
    );
  }
}
