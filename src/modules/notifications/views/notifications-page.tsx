import { HiddenCsrf } from '../../../views/forms.tsx';
import { Layout, type Site, type ViewerInfo } from '../../../views/layout.tsx';
import { LocalTime } from '../../../views/local-time.tsx';

const at = (iso: string) => <LocalTime iso={iso} />;

export function NotificationsView(props: {
  site: Site;
  viewer: ViewerInfo;
  csrfToken: string;
  items: Array<{ id: number; text: string; link: string; createdAt: string; readAt: string | null }>;
  notifyEmail: boolean;
  message?: string;
}) {
  const unread = props.items.filter((n) => n.readAt === null).length;
  return (
    <Layout site={props.site} viewer={props.viewer} title="Notifications">
      <h1>Notifications</h1>
      {props.message ? (
        <p class="form-ok" role="status">
          {props.message}
        </p>
      ) : null}
      {props.items.length === 0 ? <p>Nothing yet. You will hear here when an educator answers your questions.</p> : null}
      <ul class="status-list">
        {props.items.map((n) => (
          <li key={n.id} class="card">
            {n.readAt === null ? <span class="badge">New</span> : null} <a href={n.link}>{n.text}</a>
            <br />
            <span class="muted">{at(n.createdAt)}</span>
          </li>
        ))}
      </ul>
      {unread > 0 ? (
        <form method="post" action="/notifications/read">
          <HiddenCsrf token={props.csrfToken} />
          <button type="submit" class="button">
            Mark all as read
          </button>
        </form>
      ) : null}
      <p class="muted">
        Email about your questions is {props.notifyEmail ? 'on' : 'off'}; change it on <a href="/account#notifications">your account</a>.
      </p>
    </Layout>
  );
}
