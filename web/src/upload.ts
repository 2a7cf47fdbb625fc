// A file form's submit, one way for every import page: without a file the field says so; with one it is sent, and a
// refusal that names rows (400/422, and 403/404 for rows outside the caller's subtree) is told apart from any other
// error, so the page can show it as a table of rows and columns.
import type { RefObject } from 'preact';
import { ApiError, type FieldError } from './api.js';
import { t } from './i18n/index.js';

export type UploadState = { kind: 'uploading' } | { kind: 'rows'; errors: FieldError[]; message: string } | { kind: 'error'; error: unknown };

/** An import's failure as the page shows it: the rows it names, or the error. */
export function uploadRefusal(err: unknown): UploadState {
  if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.details.some((d) => d.row !== undefined))
    return { kind: 'rows', errors: err.details, message: err.message };
  return { kind: 'error', error: err };
}

/** The submit handler of a file form: `send` uploads the file and sets the page's outcome. */
export function fileSubmit(
  input: RefObject<HTMLInputElement | null>,
  setFileError: (e: string | null) => void,
  setState: (s: UploadState) => void,
  send: (file: File) => Promise<void>,
) {
  return async (e: Event) => {
    e.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) {
      setFileError(t('import.noFile'));
      input.current?.focus();
      return;
    }
    setFileError(null);
    setState({ kind: 'uploading' });
    try {
      await send(file);
    } catch (err) {
      setState(uploadRefusal(err));
    }
  };
}
