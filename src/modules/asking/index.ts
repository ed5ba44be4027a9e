export { type AskingDeps, askQuestion, checkAsk } from './asking.service.ts';
