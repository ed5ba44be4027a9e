// What other modules use of the content tools (imports, generation and rendering again are run by the CLI).
export { rerenderImageUses } from './rerender.service.ts';
