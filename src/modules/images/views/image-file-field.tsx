import type { ComponentChildren } from 'preact';
import { fileSize } from '../image.ts';

/** The kinds of file an upload takes (checked again by content on the server: image/precheck.ts). */
const ACCEPTED = 'image/jpeg,image/png,image/webp,image/gif';

/**
 * One image file field of an upload form: its label, what it takes (with `extra` advice), the refusal beside it when
 * the last upload was refused, and the input described by both.
 */
export function ImageFileField(props: {
  id: string;
  name: string;
  label: string;
  maxBytes: number;
  error?: string | undefined;
  extra?: ComponentChildren;
}) {
  const { id } = props;
  const described = [`${id}-hint`, props.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <>
      <label for={id}>{props.label}</label>
      <span class="hint" id={`${id}-hint`}>
        JPEG, PNG, WebP or GIF, at most {fileSize(props.maxBytes)}.{props.extra ? <> {props.extra}</> : null}
      </span>
      {props.error ? (
        <span class="field-error" id={`${id}-error`}>
          {props.error}
        </span>
      ) : null}
      <input
        id={id}
        name={props.name}
        type="file"
        accept={ACCEPTED}
        required
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described}
      />
    </>
  );
}
