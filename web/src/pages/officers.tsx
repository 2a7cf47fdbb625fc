// Assigning one liaison officer to many units at once (domain.md §4.4). There is no bulk route: for each unit
// the UI starts its liaison-dispatch process (or finds the running one: 409 names it), waits for the process's
// "assign officer" task and completes it with the officer, exactly the steps a person would take one by one.
import { useState } from 'preact/hooks';
import { ApiError, completeTask, getProcess, listUnits, startProcess } from '../api.js';
import { assignOfficer as assignOfficerStep } from '../../../src/domain/steps.js';
import { PickerField } from '../picker.js';
import { PickList, RefusedOrganizations, errorText, useLoad, validationText } from '../components.js';
import { t } from '../i18n/index.js';

const USERNAME = /^[A-Za-z0-9_.@-]{2,64}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One unit: start (or find) its dispatch, then complete the open assign-officer task with `officer`. */
export async function assignOfficer(unit: string, officer: string): Promise<void> {
  let id = `liaison-dispatch:${unit}`;
  try {
    id = (await startProcess('liaison-dispatch', unit)).id;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 409)) throw err;
    id = (err.raw as { error?: { details?: { id?: string } } })?.error?.details?.id ?? id;
  }
  // A new process reaches its first task within moments.
  for (let i = 0; i < 40; i++) {
    const p = await getProcess(id).catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 404) return null; // not projected yet
      throw e;
    });
    const task = p?.openTasks.find((x) => x.step === assignOfficerStep.step);
    if (task) {
      await completeTask(task.id, { officer });
      return;
    }
    if (p && p.currentStep !== 'starting' && p.status === 'running' && p.openTasks.length > 0) throw new Error(t('officers.notOpen'));
    await sleep(500);
  }
  throw new Error(t('officers.notOpen'));
}

type Outcome = { unit: string; ok: true } | { unit: string; ok: false; message: string };

export function BulkOfficers({ org, onDone }: { org?: string; onDone: () => void }) {
  const [units, reload] = useLoad(() => listUnits({ under: org, limit: 200 }), [org]);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [officer, setOfficer] = useState('');
  const [officerError, setOfficerError] = useState<string | null>(null);
  const [pickError, setPickError] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);

  const items = units.state === 'ok' ? units.data.items : [];
  const name = (code: string) => items.find((u) => u.code === code)?.name ?? code;
  const submit = async (e: Event) => {
    e.preventDefault();
    const who = officer.trim();
    const oErr = !who ? validationText('v.required') : USERNAME.test(who) ? null : t('officers.badUsername');
    setOfficerError(oErr);
    setPickError(picked.size ? null : t('bulk.pickSome'));
    if (oErr) return document.getElementById('officer-username')?.focus();
    if (!picked.size) return;
    const list = [...picked];
    const results: Outcome[] = [];
    setOutcomes(null);
    setProgress({ done: 0, total: list.length });
    for (const unit of list) {
      try {
        await assignOfficer(unit, who);
        results.push({ unit, ok: true });
      } catch (err) {
        results.push({ unit, ok: false, message: errorText(err) });
      }
      setProgress({ done: results.length, total: list.length });
    }
    setProgress(null);
    setOutcomes(results);
    setPicked(new Set());
    reload();
    onDone();
  };

  const failed = outcomes?.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok) ?? [];
  return (
    <section class="card" aria-labelledby="officers-title" data-testid="bulk-officers">
      <h2 id="officers-title">{t('officers.title')}</h2>
      <form onSubmit={submit} noValidate>
        {/* biome-ignore lint/a11y/useValidAriaRole: the Picker's `role` is the Party role people are looked up by, not an ARIA role */}
        <PickerField
          kind="person"
          role="liaison_officer"
          id="officer-username"
          fieldLabel={t('officers.officer')}
          hint={t('officers.hint')}
          value={officer}
          onChange={setOfficer}
          error={officerError}
          required
        />
        <PickList
          id="officers"
          legend={t('officers.pick', { n: picked.size })}
          list={units}
          retry={reload}
          empty={t('cov.noUnits')}
          detail={(u) => (u.liaisonOfficer ? t('officers.current', { name: u.liaisonOfficer }) : t('officers.none'))}
          picked={picked}
          onChange={setPicked}
          error={pickError}
        />
        <button class="primary" type="submit" disabled={progress !== null}>
          {t('officers.submit')}
        </button>
      </form>
      {progress && (
        <div class="progress-row">
          <label for="officers-progress">{t('officers.progress')}</label>
          <progress id="officers-progress" max={progress.total} value={progress.done} />
          <span class="muted">
            {' '}
            {progress.done} / {progress.total}
          </span>
        </div>
      )}
      <div role="status">
        {outcomes && (
          <div data-testid="officers-result">
            <p class={`notice ${failed.length ? 'pending' : 'ok'}`}>
              {t('officers.result', { done: outcomes.length - failed.length, refused: failed.length })}
            </p>
            {failed.length > 0 && (
              <RefusedOrganizations caption={t('officers.refused')} rows={failed.map((o) => ({ code: o.unit, name: name(o.unit), message: o.message }))} />
            )}
          </div>
        )}
      </div>
    </section>
  );
}
