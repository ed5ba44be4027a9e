// The header's menus are <details> disclosures: they open and close with a click, Enter or Space without any
// script. This adds what people expect of a menu besides: Escape closes it (and puts the focus back on its button),
// a click elsewhere closes it, and opening one closes the other.
(() => {
  const open = () => document.querySelectorAll('details.menu[open]');
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    for (const menu of open()) {
      const focused = menu.contains(document.activeElement);
      menu.open = false;
      if (focused) menu.querySelector('summary').focus();
    }
  });
  document.addEventListener('click', (event) => {
    for (const menu of open()) if (!menu.contains(event.target)) menu.open = false;
  });
  // 'toggle' does not bubble; listening while it goes down reaches every menu's.
  document.addEventListener(
    'toggle',
    (event) => {
      const opened = event.target;
      if (!(opened instanceof HTMLDetailsElement) || !opened.matches('.menu') || !opened.open) return;
      for (const menu of open()) if (menu !== opened) menu.open = false;
    },
    true,
  );
})();
