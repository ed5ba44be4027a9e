export { findRecipient, mailNotice, type Notice, recordNotice } from './notification.service.tsx';
