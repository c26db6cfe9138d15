import { Route, Switch, useLocation } from 'wouter';
import { useSession } from './auth/auth-context';
import { ErrorBoundary } from './components/error-boundary';
import { NavBar } from './components/nav-bar';
import { AddProviderPage } from './pages/add-provider-page';
import { EditProviderPage } from './pages/edit-provider-page';
import { EventsPage } from './pages/events-page';
import { LoginPage } from './pages/login-page';
import { ObjectPage } from './pages/object-page';
import { OverviewPage } from './pages/overview-page';
import { ProviderPage } from './pages/provider-page';
import { ProvidersPage } from './pages/providers-page';
import { TasksPage } from './pages/tasks-page';
import { WorkersPage } from './pages/workers-page';

/**
 * The pages by path. Without a token every path shows the login page, and signing in shows the page asked for.
 * (The server answers any non-API path with this app, so links and reloads work on every page.)
 */
export function App() {
  const { token } = useSession();
  const [location] = useLocation();
  if (token === null) return <LoginPage />;
  return (
    <>
      <NavBar />
      <ErrorBoundary resetKey={location}>
        <Switch>
          <Route path="/providers/new" component={AddProviderPage} />
          <Route path="/providers/:id/edit">{(params) => <EditProviderPage key={params.id} providerId={params.id} />}</Route>
          <Route path="/providers/:id">{(params) => <ProviderPage key={params.id} providerId={params.id} />}</Route>
          <Route path="/providers" component={ProvidersPage} />
          <Route path="/inventory/:collection/:id">
            {(params) => <ObjectPage key={`${params.collection}/${params.id}`} collection={params.collection} objectId={params.id} />}
          </Route>
          <Route path="/events" component={EventsPage} />
          <Route path="/tasks" component={TasksPage} />
          <Route path="/workers" component={WorkersPage} />
          <Route path="/" component={OverviewPage} />
          <Route>
            <main><div className="banner banner-error" role="alert">No page at {location}. <a href="/providers">Providers</a></div></main>
          </Route>
        </Switch>
      </ErrorBoundary>
    </>
  );
}
