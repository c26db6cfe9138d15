import { useState, type FormEvent } from 'react';
import { ApiClient } from '../api/api-client';
import { ApiError, asError } from '../api/api-error';
import { useSession } from '../auth/auth-context';

/** Sign in by pasting an API token (`fleet token create NAME` prints one); it is tried before it is kept. */
export function LoginPage() {
  const { signIn, message } = useSession();
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) return setProblem('Paste an API token first.');
    setChecking(true);
    setProblem(null);
    try {
      await new ApiClient({ token: candidate, onUnauthorized: () => undefined }).get('/provider-types');
      signIn(candidate);
    } catch (error: unknown) {
      setProblem(error instanceof ApiError && error.status === 401
        ? 'That token was not accepted.'
        : `Could not sign in: ${asError(error).message}`);
    } finally {
      setChecking(false);
    }
  };

  return (
    <main className="login">
      <h1>provider-fleet</h1>
      <form className="card" onSubmit={(event) => void submit(event)} aria-label="sign in">
        {message ? <div className="banner banner-error" role="alert" data-testid="login-message">{message}</div> : null}
        {problem ? <div className="banner banner-error" role="alert" data-testid="login-problem">{problem}</div> : null}
        <div className="field">
          <label htmlFor="api-token">API token</label>
          <input id="api-token" type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} />
          <div className="field-help">Create one with <code>fleet token create NAME</code>; it is kept for this tab only.</div>
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={checking}>{checking ? 'Signing in…' : 'Sign in'}</button>
        </div>
      </form>
    </main>
  );
}
