import { Component, type ErrorInfo, type ReactNode } from 'react';
import { asError } from '../api/api-error';

interface ErrorBoundaryProps {
  children: ReactNode;
  /** Changing it (e.g. the page's path) clears a caught error, so navigating away recovers. */
  resetKey?: string;
}

interface ErrorBoundaryState {
  error: Error | null;
  resetKey?: string;
}

/** A rendering failure shows its message where the page would be, never a blank page. */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<ErrorBoundaryState> {
    return { error: asError(error) };
  }

  static getDerivedStateFromProps(props: ErrorBoundaryProps, state: ErrorBoundaryState): Partial<ErrorBoundaryState> | null {
    return props.resetKey !== state.resetKey ? { error: null, resetKey: props.resetKey } : null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // The console keeps the component stack for whoever debugs it; the page shows the message.
    console.error('the page failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="banner banner-error" role="alert" data-testid="page-error">
        <strong>This page failed to show.</strong> {error.message}
        <div><button type="button" onClick={() => this.setState({ error: null })}>Try again</button></div>
      </div>
    );
  }
}
