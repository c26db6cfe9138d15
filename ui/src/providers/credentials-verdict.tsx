import type { VerifyResult } from '../api/api-types';

/** A provider's answer to a credentials check: valid, or why not. */
export function CredentialsVerdict({ verdict, testId }: { verdict: VerifyResult; testId: string }) {
  return verdict.valid
    ? <div className="banner banner-ok" role="status" data-testid={testId}>Credentials valid</div>
    : <div className="banner banner-error" role="alert" data-testid={testId}>{verdict.message ?? 'The credentials were refused'}</div>;
}
