import { useRef, useState } from 'preact/hooks';
import { ApiError, getImportJob, importOrganizations, type FieldError, type ImportJob, type ImportSummary } from '../api.js';
import { ErrorBox, Field } from '../components.js';
import { t } from '../i18n/index.js';

type Status =
  | { kind: 'idle' }
  | { kind: 'uploading' }
  | { kind: 'job'; job: ImportJob }
  | { kind: 'done'; summary: ImportSummary }
  | { kind: 'rows'; errors: FieldError[]; message: string }
  | { kind: 'error'; error: unknown };

/** Organization import (contract.md): upload CSV/XLSX; row-level errors from 400/422; progress of an async job. */
export function ImportPage() {
  const input = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [fileError, setFileError] = useState<string | null>(null);

  const poll = async (id: string) => {
    for (;;) {
      const job = await getImportJob(id);
      setStatus({ kind: 'job', job });
      if (job.state === 'done') return setStatus({ kind: 'done', summary: job.result ?? { created: 0, updated: 0, unchanged: 0 } });
      if (job.state === 'failed') return setStatus({ kind: 'rows', errors: job.errors ?? [], message: t('import.errors') });
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) return setFileError(t('import.noFile'));
    setFileError(null);
    setStatus({ kind: 'uploading' });
    try {
      const r = await importOrganizations(file);
      if ('job' in r) await poll(r.job.id);
      else setStatus({ kind: 'done', summary: r });
    } catch (err) {
      if (err instanceof ApiError && (err.status === 400 || err.status === 422) && err.details.length) {
        setStatus({ kind: 'rows', errors: err.details, message: err.message });
      } else setStatus({ kind: 'error', error: err });
    }
  };

  return (
    <section>
      <h1>{t('import.title')}</h1>
      <form class="card" onSubmit={submit} noValidate>
        <Field id="import-file" label={t('import.file')} required error={fileError} hint={t('import.columns')}>
          <input
            id="import-file"
            ref={input}
            type="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            aria-describedby="import-file-hint"
          />
        </Field>
        <button class="primary" type="submit" disabled={status.kind === 'uploading' || status.kind === 'job'}>
          {t('import.submit')}
        </button>
      </form>
      {(status.kind === 'uploading' || status.kind === 'job') && (
        <div class="card">
          <label for="import-progress">{t('import.progress')}</label>
          <progress
            id="import-progress"
            max={status.kind === 'job' ? Math.max(1, status.job.total) : undefined}
            value={status.kind === 'job' ? status.job.processed : undefined}
          />
          {status.kind === 'job' && (
            <span class="muted">
              {' '}
              {status.job.processed} / {status.job.total}
            </span>
          )}
        </div>
      )}
      {status.kind === 'done' && (
        <p class="notice ok" role="status" data-testid="import-result">
          {t('import.result', { ...status.summary })}
        </p>
      )}
      {status.kind === 'rows' && (
        <div class="card" role="alert" data-testid="import-errors">
          <p class="notice error">{t('import.errors')}</p>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('import.row')}</th>
                <th scope="col">{t('import.column')}</th>
                <th scope="col">{t('import.message')}</th>
              </tr>
            </thead>
            <tbody>
              {status.errors.map((d, i) => (
                <tr key={i}>
                  <td class="num">{d.row ?? ''}</td>
                  <td>{d.column ?? d.field ?? ''}</td>
                  <td>{d.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {status.kind === 'error' && <ErrorBox error={status.error} what="POST /api/v1/organizations/import" />}
    </section>
  );
}
