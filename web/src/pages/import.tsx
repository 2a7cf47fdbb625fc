import { useRef, useState } from 'preact/hooks';
import { ApiError, getImportJob, importOrganizations, type ImportJob, type ImportSummary } from '../api.js';
import { ErrorBox, Field, RowMessages } from '../components.js';
import { t, tx } from '../i18n/index.js';
import { fileSubmit, type UploadState } from '../upload.js';

/** Files above this size are imported as a background job (202), with a progress bar from the job's counters. */
const ASYNC_FROM_BYTES = 512 * 1024;

type Status = { kind: 'idle' } | UploadState | { kind: 'job'; job: ImportJob } | { kind: 'done'; summary: ImportSummary };

/**
 * Organization import: upload CSV/XLSX. The importer refuses the whole file with row-level errors: 400 (the
 * file), 422 (invalid rows), and 404/403 for rows naming organizations outside the caller's subtree (reported
 * like unknown codes); every refusal that carries row details shows them as a table.
 */
export function ImportPage() {
  const input = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [fileError, setFileError] = useState<string | null>(null);

  const poll = async (jobId: string) => {
    for (;;) {
      const job = await getImportJob(jobId);
      if (job.status === 'succeeded')
        return setStatus({
          kind: 'done',
          summary: job.result ?? { created: 0, updated: 0, unchanged: 0, routed: [], refused: [], inferred: { villages: 0, communities: 0, warnings: [] } },
        });
      if (job.error) {
        const e = job.error;
        return setStatus(
          e.details.length ? { kind: 'rows', errors: e.details, message: e.message } : { kind: 'error', error: new ApiError(e.status, e.code, e.message) },
        );
      }
      setStatus({ kind: 'job', job });
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  const submit = fileSubmit(input, setFileError, setStatus, async (file) => {
    const r = await importOrganizations(file, { async: file.size >= ASYNC_FROM_BYTES });
    if ('jobId' in r) await poll(r.jobId);
    else setStatus({ kind: 'done', summary: r });
  });

  const job = status.kind === 'job' ? status.job : null;
  const total = job?.progress.bytesTotal ?? null;
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
            aria-describedby={fileError ? 'import-file-error import-file-hint' : 'import-file-hint'}
            aria-invalid={!!fileError}
          />
        </Field>
        <button class="primary" type="submit" disabled={status.kind === 'uploading' || status.kind === 'job'}>
          {t('import.submit')}
        </button>
      </form>
      {(status.kind === 'uploading' || status.kind === 'job') && (
        <div class="card" data-testid="import-progress">
          <label for="import-progress">{t('import.progress')}</label>
          {/* No value while uploading or when the size is unknown: an indeterminate bar. */}
          <progress id="import-progress" max={total ?? undefined} value={job && total ? job.progress.bytesRead : undefined} />
          {job && (
            <span class="muted">
              {' '}
              {t('import.rowsRead', { n: job.progress.rows })}
              {total ? ` · ${Math.floor((100 * job.progress.bytesRead) / total)}%` : ''}
            </span>
          )}
        </div>
      )}
      {status.kind === 'done' && (
        <p class="notice ok" role="status" data-testid="import-result">
          {t('import.result', { created: status.summary.created, updated: status.summary.updated, unchanged: status.summary.unchanged })}{' '}
          {t('import.settlements', { villages: status.summary.inferred.villages, communities: status.summary.inferred.communities })}
        </p>
      )}
      {status.kind === 'done' && status.summary.inferred.warnings.length > 0 && (
        // Written, and counted by their place in the tree: the sector word is reported so that the file can be corrected.
        <div class="card" data-testid="import-sector-warnings">
          <p class="notice">{t('import.sectorWarnings')}</p>
          <RowMessages
            rows={status.summary.inferred.warnings.map((w) => ({
              row: w.row,
              column: w.column,
              message:
                w.sector === undefined || w.level === undefined
                  ? w.message
                  : t(w.level < 5 ? 'import.sectorAbove' : 'import.sectorWithin', { sector: tx(`sector.${w.sector}`, w.sector), level: w.level }),
            }))}
          />
        </div>
      )}
      {status.kind === 'done' && status.summary.routed.length + status.summary.refused.length > 0 && (
        <div class="card" data-testid="import-owned">
          <p class="notice">{t('import.owned')}</p>
          <RowMessages
            rows={[
              ...status.summary.routed.map((r) => ({
                row: r.row,
                column: r.columns.join(', '),
                message:
                  r.status === 'applied'
                    ? t('import.routed', { workflow: r.workflowId })
                    : `${t('import.routeFailed', { workflow: r.workflowId })} ${r.message ?? ''}`,
              })),
              ...status.summary.refused.map((d) => ({ row: d.row, column: d.column, message: d.message })),
            ]}
          />
        </div>
      )}
      {status.kind === 'rows' && (
        <div class="card" role="alert" data-testid="import-errors">
          <p class="notice error">
            {t('import.errors')} {status.message}
          </p>
          <RowMessages rows={status.errors.map((d) => ({ row: d.row, column: d.column ?? d.field, message: d.message }))} />
        </div>
      )}
      {status.kind === 'error' && <ErrorBox error={status.error} />}
    </section>
  );
}
