/** A plain list of links (study guides beside a question or on a topic page). */
export function LinkList(props: { links: ReadonlyArray<{ href: string; title: string }> }) {
  return (
    <ul>
      {props.links.map((g) => (
        <li key={g.href}>
          <a href={g.href}>{g.title}</a>
        </li>
      ))}
    </ul>
  );
}
