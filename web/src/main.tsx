import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Me, Role } from './api.js';
import { organizingRoles, steeringRoles } from '../../src/domain/roles.js';
import { hasRole, logout, me, refreshMe } from './auth.js';
import { lang, setLang, t, tx } from './i18n/index.js';
import { match, navigate, onLinkClick, route } from './router.js';
import { useSignal } from './signal.js';
import { Loading } from './components.js';
import { LoginPage } from './pages/login.js';
import { TasksPage } from './pages/tasks.js';
import { TaskPage } from './pages/task.js';
import { DashboardPage } from './pages/dashboard.js';
import { OverduePage } from './pages/overdue.js';
import { WorkPage } from './pages/work.js';
import { OrgsPage } from './pages/orgs.js';
import { LifePage } from './pages/life.js';
import { AwayPage } from './pages/away.js';
import { ImportPage } from './pages/import.js';
import { RankingPage } from './pages/ranking.js';
import { TermsPage } from './pages/terms.js';
import { ReturnsPage } from './pages/returns.js';
import { OrganizationLifePage } from './pages/organization-life.js';
import { RatingsPage } from './pages/ratings.js';
import { TaskLinkPage } from './pages/task-link.js';
import { PasswordPage } from './pages/password.js';
import { ChannelSettingsPage, DeliveriesPage } from './pages/channels.js';
import { CalendarNoticeBanner } from './pages/calendar.js';
import { MemberPage, MembersPage, MyMemberPage, RegisterPage, registerReaders } from './pages/members.js';
import { MyApplicationPage, RecruitmentPage, hasApplication, recruitmentRoles, refreshHasApplication } from './pages/recruitment.js';
import './style.css';

interface Page {
  path: string;
  nav?: Parameters<typeof t>[0];
  roles?: Role[];
  /** The nav item shows only while this holds (the page itself answers whoever opens it). */
  navWhen?: () => boolean;
  view: (params: Record<string, string>, user: Me) => preact.JSX.Element;
}

const pages: Page[] = [
  { path: '/tasks', nav: 'nav.tasks', view: () => <TasksPage /> },
  { path: '/tasks/:id', view: (p, u) => <TaskPage id={Number(p.id)} user={u} /> },
  { path: '/dashboard', nav: 'nav.dashboard', roles: [...organizingRoles], view: (_, u) => <DashboardPage user={u} /> },
  { path: '/work', nav: 'nav.work', roles: [...steeringRoles], view: (_, u) => <WorkPage user={u} /> },
  { path: '/overdue', nav: 'nav.overdue', roles: [...steeringRoles], view: (_, u) => <OverduePage user={u} /> },
  { path: '/ranking', nav: 'nav.ranking', roles: [...steeringRoles], view: (_, u) => <RankingPage user={u} /> },
  { path: '/ratings', nav: 'nav.ratings', roles: [...steeringRoles], view: () => <RatingsPage /> },
  { path: '/terms', nav: 'nav.terms', roles: [...steeringRoles], view: () => <TermsPage /> },
  { path: '/returns', nav: 'nav.returns', roles: [...steeringRoles], view: () => <ReturnsPage /> },
  { path: '/organization-life', nav: 'nav.organizationLife', roles: [...steeringRoles], view: (_, u) => <OrganizationLifePage user={u} /> },
  { path: '/orgs', nav: 'nav.orgs', view: (_, u) => <OrgsPage user={u} /> },
  { path: '/orgs/:code', view: (p, u) => <OrgsPage user={u} code={p.code} /> },
  { path: '/orgs/:code/life', view: (p) => <LifePage code={p.code!} /> },
  { path: '/members', nav: 'nav.members', roles: [...registerReaders], view: (_, u) => <MembersPage user={u} /> },
  { path: '/orgs/:code/members', roles: [...registerReaders], view: (p, u) => <RegisterPage user={u} code={p.code!} /> },
  { path: '/members/:id', view: (p, u) => <MemberPage user={u} id={Number(p.id)} /> },
  { path: '/me/member', nav: 'nav.myMember', view: () => <MyMemberPage /> },
  { path: '/recruitment', nav: 'nav.recruitment', roles: [...recruitmentRoles], view: (_, u) => <RecruitmentPage user={u} /> },
  { path: '/me/application', nav: 'nav.myApplication', navWhen: () => hasApplication.value, view: () => <MyApplicationPage /> },
  { path: '/away', nav: 'nav.away', view: (_, u) => <AwayPage user={u} /> },
  { path: '/import', nav: 'nav.import', roles: [...organizingRoles], view: () => <ImportPage /> },
  { path: '/deliveries', nav: 'nav.deliveries', roles: [...steeringRoles], view: (_, u) => <DeliveriesPage user={u} /> },
  { path: '/settings/channels', nav: 'nav.channels', view: (_, u) => <ChannelSettingsPage user={u} /> },
  { path: '/password', view: (_, u) => <PasswordPage user={u} /> },
];

function homeFor(u: Me): string {
  if (u.onlyTask !== null) return `/tasks/${u.onlyTask}`;
  if (hasRole(u, 'supervisor') && !hasRole(u, ...organizingRoles)) return '/overdue';
  return '/tasks';
}

function App() {
  const user = useSignal(me);
  const url = useSignal(route);
  useSignal(lang);
  const path = url.pathname;

  // Whether 我的入党申请 is in the nav: asked once a session is known.
  useEffect(() => {
    void refreshHasApplication(user);
  }, [user?.username, user?.onlyTask]);

  useEffect(() => {
    if (user === null && path !== '/login' && !path.startsWith('/t/')) navigate(`/login?next=${encodeURIComponent(path + url.search)}`, true);
    if (user && (path === '/' || path === '/login')) navigate(url.searchParams.get('next') || homeFor(user), true);
  }, [user, path]);

  useEffect(() => {
    const h1 = document.querySelector('h1');
    document.title = `${h1?.textContent ?? ''} · ${t('app.name')}`;
  });

  // A message's link is spent whoever is signed in here: it opens its own session for its one task.
  const link = match('/t/:token', path);
  if (link) return <Shell>{<TaskLinkPage token={link.token!} />}</Shell>;
  if (user === undefined) return <Loading />;
  if (user === null) return <Shell>{path === '/login' ? <LoginPage /> : <Loading />}</Shell>;

  // A session opened by a task link reaches that task's page only (the API refuses the rest with 403).
  if (user.onlyTask !== null && path !== `/tasks/${user.onlyTask}`) {
    return (
      <Shell user={user}>
        <section class="card narrow">
          <h1>{t('link.outsideTitle')}</h1>
          <p class="notice">{t('link.outside')}</p>
          <p>
            <a href={`/tasks/${user.onlyTask}`}>{t('link.backToTask')}</a>
          </p>
        </section>
      </Shell>
    );
  }
  for (const p of pages) {
    const params = match(p.path, path);
    if (params && (!p.roles || hasRole(user, ...p.roles))) return <Shell user={user}>{p.view(params, user)}</Shell>;
  }
  return (
    <Shell user={user}>
      <Loading />
    </Shell>
  );
}

function Shell({ user, children }: { user?: Me; children: preact.ComponentChildren }) {
  const url = useSignal(route);
  useSignal(hasApplication);
  const other = lang.value === 'zh-CN' ? 'en' : 'zh-CN';
  return (
    <>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="top">
        <a class="brand" href={user ? homeFor(user) : '/login'}>
          {t('app.name')}
        </a>
        {user && user.onlyTask === null && (
          <nav aria-label={t('nav.main')}>
            <ul>
              {pages
                .filter((p) => p.nav && (!p.roles || hasRole(user, ...p.roles)) && (!p.navWhen || p.navWhen()))
                .map((p) => (
                  <li key={p.path}>
                    <a href={p.path} aria-current={url.pathname.startsWith(p.path) ? 'page' : undefined}>
                      {t(p.nav!)}
                    </a>
                  </li>
                ))}
            </ul>
          </nav>
        )}
        <div class="top-tools">
          {user && (
            <span class="who" title={t('me.roles')}>
              {user.username}
              {user.roles.length > 0 && ` · ${user.roles.map((r) => tx(`role.${r.role}`, r.role)).join(' / ')}`}
            </span>
          )}
          <button type="button" lang={other} title={t('lang.label')} onClick={() => setLang(other)} data-testid="lang">
            {t('lang.switch')}
          </button>
          {user && user.onlyTask === null && (
            <a href="/password" aria-current={url.pathname === '/password' ? 'page' : undefined} data-testid="change-password">
              {t('nav.password')}
            </a>
          )}
          {user && (
            <button type="button" onClick={() => void logout()}>
              {t('nav.logout')}
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {user && user.onlyTask !== null && (
          <p class="notice" data-testid="task-link-scope">
            {t('link.scopeNote')}
          </p>
        )}
        {user && user.onlyTask === null && hasRole(user, 'admin') && <CalendarNoticeBanner />}
        {children}
      </main>
    </>
  );
}

document.addEventListener('click', onLinkClick);
void refreshMe();
render(<App />, document.getElementById('app')!);
