export {
  type DispatcherLog,
  handOffMailer,
  MailDispatcher,
  type MailTransport,
  outboxMailer,
  queuedMailer,
  readOutbox,
  smtpTransport,
} from './mail.service.ts';
export type { Mailer, MailMessage } from './mail.ts';
export { countOutboxBacklog } from './metrics.repository.ts';
export type { OutboxEntry } from './outbox.repository.ts';
