// What other modules use of educator profiles: the address of a profile and who has one. The routes are not here
// (app.ts imports educator.routes.tsx itself), nor the profile service: it reads the questions module, whose page
// query imports this file to link "Answered by", so exporting it would make the two modules import each other.
export { listPublicProfiles as listEducatorsWithProfiles } from './educator.repository.ts';
export { educatorPath, mayHaveProfile } from './educator.ts';
