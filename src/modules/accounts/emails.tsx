import { renderToString } from 'preact-render-to-string';
import type { MailMessage } from '../mail/index.ts';

// Account mail: plain text plus simple HTML, every value escaped by the renderer.

function html(title: string, body: preact.ComponentChildren): string {
  return `<!doctype html>${renderToString(
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{title}</title>
      </head>
      <body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1d1f24; max-width: 36rem;">{body}</body>
    </html>,
  )}`;
}

export function verifyEmailMail(site: string, to: string, name: string, link: string): MailMessage {
  const subject = `Confirm your email for ${site}`;
  return {
    to,
    subject,
    text: `Hello ${name},\n\nTo finish signing up for ${site}, open this link and press "Confirm":\n\n${link}\n\nThe link works once and expires in 10 minutes. If you did not sign up, ignore this email; no account is made without this step.\n`,
    html: html(
      subject,
      <>
        <p>Hello {name},</p>
        <p>To finish signing up for {site}, open this link and press “Confirm”:</p>
        <p>
          <a href={link}>Confirm my email</a>
        </p>
        <p>
          The link works once and expires in 10 minutes. If you did not sign up, ignore this email; no account is made without this step.
        </p>
      </>,
    ),
  };
}

export function alreadyRegisteredMail(site: string, to: string, loginLink: string, resetLink: string): MailMessage {
  const subject = `You already have a ${site} account`;
  return {
    to,
    subject,
    text: `Someone (probably you) tried to sign up for ${site} with this address, which already has an account.\n\nLog in: ${loginLink}\nForgot your password? ${resetLink}\n\nIf it was not you, you can ignore this email.\n`,
    html: html(
      subject,
      <>
        <p>Someone (probably you) tried to sign up for {site} with this address, which already has an account.</p>
        <p>
          <a href={loginLink}>Log in</a> · <a href={resetLink}>Reset your password</a>
        </p>
        <p>If it was not you, you can ignore this email.</p>
      </>,
    ),
  };
}

export function signInCodeMail(site: string, to: string, code: string, link: string): MailMessage {
  const subject = `Your ${site} sign-in code is ${code}`;
  return {
    to,
    subject,
    text: `Your ${site} sign-in code is ${code}\n\nOr open this link and press "Log in":\n${link}\n\nThe code and the link work once and expire in 10 minutes. If you did not ask to log in, ignore this email.\n`,
    html: html(
      subject,
      <>
        <p>Your {site} sign-in code is</p>
        <p style="font-size: 1.6rem; font-weight: 700; letter-spacing: .2em;">{code}</p>
        <p>
          Or <a href={link}>log in with this link</a>.
        </p>
        <p>The code and the link work once and expire in 10 minutes. If you did not ask to log in, ignore this email.</p>
      </>,
    ),
  };
}

export function resetPasswordMail(site: string, to: string, link: string): MailMessage {
  const subject = `Reset your ${site} password`;
  return {
    to,
    subject,
    text: `To choose a new password for ${site}, open this link:\n\n${link}\n\nThe link works once and expires in 10 minutes. If you did not ask for this, ignore this email; your password stays as it is.\n`,
    html: html(
      subject,
      <>
        <p>To choose a new password for {site}, open this link:</p>
        <p>
          <a href={link}>Choose a new password</a>
        </p>
        <p>The link works once and expires in 10 minutes. If you did not ask for this, ignore this email; your password stays as it is.</p>
      </>,
    ),
  };
}

export function changeEmailMail(site: string, to: string, link: string): MailMessage {
  const subject = `Confirm your new email for ${site}`;
  return {
    to,
    subject,
    text: `To make this your ${site} address, open this link and press "Confirm":\n\n${link}\n\nThe link works once and expires in 10 minutes. If you did not ask for this, ignore this email.\n`,
    html: html(
      subject,
      <>
        <p>To make this your {site} address, open this link and press “Confirm”:</p>
        <p>
          <a href={link}>Confirm my new email</a>
        </p>
        <p>The link works once and expires in 10 minutes. If you did not ask for this, ignore this email.</p>
      </>,
    ),
  };
}

export function emailChangingMail(site: string, to: string, newAddress: string): MailMessage {
  const subject = `Your ${site} email is about to change`;
  return {
    to,
    subject,
    text: `Someone signed in to your ${site} account asked to change its email to ${newAddress}. It changes only when that address confirms.\n\nIf this was not you, change your password now and sign out your other sessions from your account page.\n`,
    html: html(
      subject,
      <>
        <p>
          Someone signed in to your {site} account asked to change its email to {newAddress}. It changes only when that address confirms.
        </p>
        <p>If this was not you, change your password now and sign out your other sessions from your account page.</p>
      </>,
    ),
  };
}

export function applicationDecidedMail(
  site: string,
  to: string,
  subject: string,
  approved: boolean,
  note: string,
  loginLink: string,
): MailMessage {
  const title = approved ? `You can now answer ${subject} questions on ${site}` : `Your ${site} application for ${subject}`;
  const lead = approved
    ? `Your application to answer ${subject} questions was approved. Log in again to see the educator tools: ${loginLink}`
    : `Your application to answer ${subject} questions was not approved this time.`;
  return {
    to,
    subject: title,
    text: `${lead}${note ? `\n\nThe editor's note: ${note}` : ''}\n`,
    html: html(
      title,
      <>
        <p>{lead}</p>
        {note ? <p>The editor’s note: {note}</p> : null}
      </>,
    ),
  };
}
