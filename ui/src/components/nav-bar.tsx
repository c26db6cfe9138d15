import { Link, useLocation } from 'wouter';
import { useSession } from '../auth/auth-context';

const SECTIONS = [
  { path: '/', label: 'Overview' },
  { path: '/providers', label: 'Providers' },
  { path: '/events', label: 'Events' },
  { path: '/tasks', label: 'Tasks' },
  { path: '/workers', label: 'Workers' },
];

/** The top bar: the fleet's sections and signing out. */
export function NavBar() {
  const [location] = useLocation();
  const { signOut } = useSession();
  return (
    <header className="nav-bar">
      <Link href="/" className="brand">provider-fleet</Link>
      <nav aria-label="sections">
        {SECTIONS.map((section) => (
          <Link key={section.path} href={section.path} className={isActive(location, section.path) ? 'nav-link nav-link-active' : 'nav-link'}>
            {section.label}
          </Link>
        ))}
      </nav>
      <button type="button" className="link-button" onClick={() => signOut()}>Sign out</button>
    </header>
  );
}

/** Whether the page at `location` belongs to a section ('/' is the overview alone, not every page). */
function isActive(location: string, path: string): boolean {
  return path === '/' ? location === '/' : location.startsWith(path);
}
