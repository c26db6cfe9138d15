/** An API call's (or any) error as a message in the page. */
export function ErrorBanner({ error, title }: { error: Error | undefined; title?: string }) {
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      {title ? <strong>{title}: </strong> : null}
      {error.message}
    </div>
  );
}
