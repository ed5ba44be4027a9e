// Suggestions while typing in the search boxes (the header's on most pages, the home and search pages' own): after
// two characters and a short pause, titles from /search/suggest in a list under the box. The ARIA combobox pattern:
// focus stays in the box and aria-activedescendant says which suggestion the arrows are on, so typing goes on while
// choosing. Suggestions are links: a click, a middle click or "open in new tab" work as on any link. Enter with no
// suggestion chosen submits the form, which without this script is all the box does.
(() => {
  const PAUSE_MS = 150;
  const MIN_CHARS = 2;

  for (const form of document.querySelectorAll('form.search-form')) {
    const input = form.querySelector('input[name="q"]');
    if (input?.id) attach(form, input);
  }

  function attach(form, input) {
    const list = document.createElement('div');
    list.id = `${input.id}-suggestions`;
    list.className = 'suggestions';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Suggestions');
    list.hidden = true;
    // Says how many suggestions came, since focus stays in the box and nothing else would.
    const status = document.createElement('div');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    form.append(list, status);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', list.id);

    const cache = new Map();
    let timer = 0;
    let request = null;
    let active = -1;
    // Escape closes the list until the text changes, even if an answer was still on its way.
    let dismissed = false;

    const options = () => list.querySelectorAll('[role="option"]');
    const text = () => input.value.trim();

    function choose(i) {
      const all = options();
      active = i;
      all.forEach((o, j) => o.setAttribute('aria-selected', String(j === i)));
      if (i < 0) {
        input.removeAttribute('aria-activedescendant');
      } else {
        input.setAttribute('aria-activedescendant', all[i].id);
        all[i].scrollIntoView({ block: 'nearest' });
      }
    }

    function show(open) {
      const expand = open && options().length > 0;
      list.hidden = !expand;
      input.setAttribute('aria-expanded', String(expand));
      if (!expand) choose(-1);
    }

    function render(items) {
      list.replaceChildren(
        ...items.map((item, i) => {
          const a = document.createElement('a');
          a.id = `${list.id}-${i}`;
          a.href = item.url;
          a.tabIndex = -1;
          a.setAttribute('role', 'option');
          a.setAttribute('aria-selected', 'false');
          const title = document.createElement('span');
          title.textContent = item.title;
          const meta = document.createElement('span');
          meta.className = 'suggestion-meta';
          meta.textContent = item.kind === 'guide' ? `Study guide · ${item.subject}` : item.subject;
          a.append(title, meta);
          return a;
        }),
      );
      active = -1;
      status.textContent = items.length === 0 ? 'No suggestions' : `${items.length} suggestion${items.length === 1 ? '' : 's'}`;
      show(!dismissed && document.activeElement === input);
    }

    async function load(q) {
      if (cache.has(q)) return render(cache.get(q));
      request?.abort();
      const mine = new AbortController();
      request = mine;
      try {
        const res = await fetch(`/search/suggest?q=${encodeURIComponent(q)}`, { signal: mine.signal, headers: { accept: 'application/json' } });
        if (!res.ok) return;
        const { items } = await res.json();
        if (cache.size > 50) cache.clear();
        cache.set(q, items);
        // Typing may have moved on while this was on its way.
        if (text() === q) render(items);
      } catch {}
    }

    input.addEventListener('input', () => {
      dismissed = false;
      clearTimeout(timer);
      const q = text();
      if (q.length < MIN_CHARS) {
        request?.abort();
        list.replaceChildren();
        status.textContent = '';
        return show(false);
      }
      timer = setTimeout(() => load(q), PAUSE_MS);
    });

    input.addEventListener('keydown', (e) => {
      if (e.isComposing) return;
      const count = options().length;
      const open = !list.hidden;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        if (count === 0) return;
        e.preventDefault();
        dismissed = false;
        if (!open) return show(true);
        // Past either end the box itself is current again, as before the first arrow.
        if (e.key === 'ArrowDown') choose(active + 1 >= count ? -1 : active + 1);
        else choose(active < 0 ? count - 1 : active - 1);
      } else if (e.key === 'Enter' && open && active >= 0) {
        e.preventDefault();
        const href = options()[active].href;
        show(false);
        location.assign(href);
      } else if (e.key === 'Escape' && open) {
        // Without this, Escape in a search field also empties it.
        e.preventDefault();
        dismissed = true;
        show(false);
      } else if (e.key === 'Tab' || e.key === 'Enter') {
        show(false);
      }
    });

    // A press on a suggestion would blur the box (closing the list) before the click lands.
    list.addEventListener('mousedown', (e) => e.preventDefault());
    input.addEventListener('blur', () => show(false));
    // Coming back to this page from the one a suggestion led to: the list from before is stale.
    addEventListener('pageshow', () => show(false));
  }
})();
