// The /ask page's island: similar answered questions while the student types, and what they typed kept in the
// browser (a reload or a lost session loses nothing). The form works the same without it.
(() => {
  const KEY = 'scholia-ask-draft';
  const FIELDS = ['title', 'details', 'subject', 'topics'];
  const form = document.querySelector('[data-ask-form]');
  const postButton = document.querySelector('button[name="step"][value="post"]');
  if (postButton) {
    postButton.form.addEventListener('submit', () => {
      try {
        localStorage.removeItem(KEY);
      } catch {}
    });
  }
  if (!form) return;

  const read = () => Object.fromEntries(FIELDS.map((f) => [f, form.elements[f] ? form.elements[f].value : '']));
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || 'null');
    const empty = FIELDS.every((f) => !form.elements[f] || form.elements[f].value === '');
    if (saved && empty) for (const f of FIELDS) if (form.elements[f] && typeof saved[f] === 'string') form.elements[f].value = saved[f];
  } catch {}

  const box = form.querySelector('[data-suggestions]');
  let timer = 0;
  let asked = '';
  const suggest = async () => {
    const q = form.elements.title.value.trim();
    const subject = form.elements.subject ? form.elements.subject.value : '';
    if (q.length < 10 || `${q}|${subject}` === asked) return;
    asked = `${q}|${subject}`;
    try {
      const params = new URLSearchParams({ q });
      if (subject) params.set('subject', subject);
      const res = await fetch(`/ask/similar?${params}`, { headers: { accept: 'application/json' } });
      if (!res.ok) return;
      const { results } = await res.json();
      box.replaceChildren();
      if (!results.length) return;
      const h = document.createElement('h2');
      h.textContent = 'Already answered?';
      const ul = document.createElement('ul');
      for (const r of results) {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = r.path;
        a.textContent = r.title;
        li.append(a, ` (${r.subjectName})`);
        ul.append(li);
      }
      box.append(h, ul);
    } catch {}
  };
  form.addEventListener('input', () => {
    try {
      localStorage.setItem(KEY, JSON.stringify(read()));
    } catch {}
    clearTimeout(timer);
    timer = setTimeout(suggest, 350);
  });
})();
