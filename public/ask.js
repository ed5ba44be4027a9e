// The /ask page's island: similar answered questions while the student types, what they typed kept in the
// browser (a reload or a lost session loses nothing), and photos shown as soon as they are chosen, pasted or
// dropped. The form works the same without it.
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

  // Photos: the chosen files shown at once, and photos pasted into the form or dropped on the field added to the
  // same file input, so the form sends them exactly as it sends files chosen by hand. The server checks them all.
  const field = form.querySelector('[data-photo-field]');
  const input = field ? field.querySelector('input[type="file"]') : null;
  const picked = field ? field.querySelector('[data-photo-picked]') : null;
  if (!field || !input || !picked || typeof DataTransfer === 'undefined') return;
  const room = Number(field.dataset.room || '0');
  const maxBytes = Number(field.dataset.maxBytes || '0');
  const TAKEN = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
  const megabytes = (n) => `${(n / 1048576).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;

  const setFiles = (files) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(f);
    input.files = dt.files;
    show();
  };
  const addFiles = (files) => {
    const images = [...files].filter((f) => f.type.startsWith('image/'));
    if (images.length > 0) setFiles([...input.files, ...images]);
    return images.length;
  };

  // Data URLs rather than blob: ones, which the content security policy does not list for images.
  const thumbnail = (file, alt) =>
    new Promise((resolve) => {
      const img = document.createElement('img');
      img.alt = alt;
      img.width = 128;
      img.height = 128;
      const reader = new FileReader();
      reader.onload = () => {
        img.src = String(reader.result);
        resolve(img);
      };
      reader.onerror = () => resolve(img);
      reader.readAsDataURL(file);
    });

  let shown = 0;
  async function show() {
    const files = [...input.files];
    const turn = ++shown;
    const items = await Promise.all(
      files.map(async (file, i) => {
        const li = document.createElement('li');
        const notes = [];
        if (!TAKEN.includes(file.type)) notes.push('not a JPEG, PNG, WebP or GIF image');
        if (maxBytes > 0 && file.size > maxBytes) notes.push(`${megabytes(file.size)}, over the ${megabytes(maxBytes)} limit`);
        if (TAKEN.includes(file.type)) li.append(await thumbnail(file, `New photo ${i + 1}: ${file.name}`));
        const name = document.createElement('span');
        name.textContent = notes.length > 0 ? `${file.name}: ${notes.join('; ')}` : file.name;
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'link-button';
        remove.textContent = `Do not send ${file.name}`;
        remove.addEventListener('click', () => setFiles(files.filter((f) => f !== file)));
        li.append(name, remove);
        return li;
      }),
    );
    if (turn !== shown) return;
    picked.replaceChildren();
    if (files.length === 0) return;
    const intro = document.createElement('p');
    intro.className = 'hint';
    intro.textContent =
      files.length > room
        ? `${files.length} chosen, but there is room for ${room} more. Leave some out before you continue.`
        : `${files.length} new ${files.length === 1 ? 'photo' : 'photos'} to send with Continue:`;
    const list = document.createElement('ul');
    list.className = 'photo-previews';
    list.append(...items);
    picked.append(intro, list);
  }

  input.addEventListener('change', show);
  // A screenshot pasted anywhere in the form (the details box, say) becomes a photo; pasted text stays text.
  form.addEventListener('paste', (event) => {
    const files = event.clipboardData ? event.clipboardData.files : null;
    if (files && files.length > 0 && addFiles(files) > 0) event.preventDefault();
  });
  field.addEventListener('dragover', (event) => {
    if (!event.dataTransfer || ![...event.dataTransfer.types].includes('Files')) return;
    event.preventDefault();
    field.classList.add('dragging');
  });
  field.addEventListener('dragleave', () => field.classList.remove('dragging'));
  field.addEventListener('drop', (event) => {
    field.classList.remove('dragging');
    if (!event.dataTransfer || event.dataTransfer.files.length === 0) return;
    event.preventDefault();
    addFiles(event.dataTransfer.files);
  });
})();
