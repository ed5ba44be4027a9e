import type { FieldIssue } from '../lib/errors.ts';

/** The message for a field, if the last submission had one. */
export function issueFor(issues: readonly FieldIssue[] | undefined, field: string): string | undefined {
  return issues?.find((i) => i.field === field)?.message;
}

/** A labelled input whose error, when there is one, sits next to it and is announced with it. */
export function Field(props: {
  id: string;
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password';
  value?: string;
  error?: string;
  hint?: string;
  autocomplete?: string;
  maxLength?: number;
  inputMode?: 'numeric';
  pattern?: string;
}) {
  const described = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ');
  return (
    <>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span class="field-error" id={`${props.id}-error`}>
          {props.error}
        </span>
      ) : null}
      <input
        id={props.id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.type === 'password' ? '' : (props.value ?? '')}
        autocomplete={props.autocomplete}
        maxLength={props.maxLength}
        inputMode={props.inputMode}
        pattern={props.pattern}
        required
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
    </>
  );
}

export function HiddenCsrf(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** A labelled multi-line field, with its hint and error announced with it like Field's. */
export function TextArea(props: {
  id: string;
  name: string;
  label: string;
  value?: string;
  error?: string;
  hint?: string;
  rows?: number;
  maxLength?: number;
  required?: boolean;
}) {
  const described = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean).join(' ');
  return (
    <>
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span class="field-error" id={`${props.id}-error`}>
          {props.error}
        </span>
      ) : null}
      <textarea
        id={props.id}
        name={props.name}
        rows={props.rows ?? 6}
        maxLength={props.maxLength}
        required={props.required}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described || undefined}
      >
        {props.value ?? ''}
      </textarea>
    </>
  );
}
