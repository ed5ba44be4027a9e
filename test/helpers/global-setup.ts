import { ci, skipNotes } from './environment.ts';

export default function setup() {
  const notes = skipNotes();
  if (ci && notes.length > 0) {
    throw new Error(`CI requires every suite, but: ${notes.join(' ')}`);
  }
  for (const n of notes) console.warn(`\n*** ${n}`);
  return () => {
    for (const n of notes) console.warn(`*** ${n}`);
  };
}
