// The admin dashboard reads other modules' tables for its counts and offers nothing to other modules; app.ts
// registers its routes from dashboard.routes.tsx, like every module's.
export { type Dashboard, type DashboardDeps, getDashboard } from './dashboard.service.ts';
