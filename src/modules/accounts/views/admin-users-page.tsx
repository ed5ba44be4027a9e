import { HiddenCsrf } from '../../../views/forms.tsx';
import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { LocalDate } from '../../../views/local-time.tsx';
import { ACCOUNT_LIMITS, ROLES } from '../user.ts';

export interface AdminUserRow {
  id: number;
  email: string;
  name: string;
  role: string;
  createdAt: string;
  suspendedAt: string | null;
  canChangeRole: boolean;
  canSuspend: boolean;
}

export function AdminUsersView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  query: string;
  users: AdminUserRow[];
  nextPath: string | null;
  message?: { ok?: string; error?: string };
}) {
  return (
    <Layout site={props.site} viewer={props.viewer} title="Users">
      <h1>Users</h1>
      {props.message?.ok ? (
        <p class="form-ok" role="status">
          {props.message.ok}
        </p>
      ) : null}
      {props.message?.error ? (
        <p class="form-error" role="alert">
          {props.message.error}
        </p>
      ) : null}
      <form method="get" action="/admin/users" class="search-form">
        <label class="visually-hidden" for="user-search">
          Find users by name or email
        </label>
        <input
          id="user-search"
          type="search"
          name="q"
          value={props.query}
          placeholder="Name or email"
          maxLength={ACCOUNT_LIMITS.userSearch}
        />
        <button type="submit">Find</button>
      </form>
      {props.users.length === 0 ? <p>No users match.</p> : null}
      <ul class="user-list">
        {props.users.map((u) => (
          <li key={u.id} class="card">
            <p>
              <strong>{u.name}</strong> <span class="meta">{u.email}</span>
            </p>
            <p class="meta">
              {u.role} · joined <LocalDate iso={u.createdAt} />
              {u.suspendedAt ? (
                <>
                  {' '}
                  · <strong>suspended</strong> since <LocalDate iso={u.suspendedAt} />
                </>
              ) : null}
            </p>
            <div class="admin-actions">
              {u.canChangeRole ? (
                <form method="post" action={`/admin/users/${u.id}/role`} class="inline-form">
                  <HiddenCsrf token={props.csrfToken} />
                  <label for={`role-${u.id}`}>Role</label>{' '}
                  <select id={`role-${u.id}`} name="role">
                    {ROLES.map((r) => (
                      <option key={r} value={r} selected={r === u.role}>
                        {r}
                      </option>
                    ))}
                  </select>{' '}
                  <button type="submit" class="link-button">
                    Change role
                  </button>
                </form>
              ) : null}
              {u.canChangeRole ? (
                <form method="post" action={`/admin/users/${u.id}/membership`} class="inline-form">
                  <HiddenCsrf token={props.csrfToken} />
                  <label for={`member-until-${u.id}`}>Member until</label>{' '}
                  <input id={`member-until-${u.id}`} type="date" name="until" required />{' '}
                  <button type="submit" class="link-button">
                    Give membership
                  </button>
                </form>
              ) : null}
              {u.canSuspend ? (
                <form method="post" action={`/admin/users/${u.id}/${u.suspendedAt ? 'restore' : 'suspend'}`} class="inline-form">
                  <HiddenCsrf token={props.csrfToken} />
                  <button type="submit" class="link-button">
                    {u.suspendedAt ? `Restore ${u.name}` : `Suspend ${u.name}`}
                  </button>
                </form>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
      {props.nextPath ? (
        <p>
          <a href={props.nextPath} rel="next">
            More users
          </a>
        </p>
      ) : null}
    </Layout>
  );
}
