const TOKEN_KEY = 'provider-fleet.api-token';

/**
 * The API token lives in sessionStorage: it survives reloads of the tab but not the tab itself, and other tabs do
 * not share it.
 */
export const tokenStorage = {
  read(): string | null {
    return window.sessionStorage.getItem(TOKEN_KEY);
  },
  write(token: string): void {
    window.sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    window.sessionStorage.removeItem(TOKEN_KEY);
  },
};
