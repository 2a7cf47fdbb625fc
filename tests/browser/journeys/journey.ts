// Shared by the journeys (tests/browser/journeys/*.test.ts): each journey walks one process to its end in a real
// Chromium against the real stack, every step done through the web UI by a user who holds only that step's role
// at one organization. Secretaries and liaison officers work on a phone-sized screen. Every screen visited is
// checked with axe-core (WCAG 2.1 A/AA) and its screenshot written under tests/artifacts/journeys/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { eventually, startStack, type Stack } from '../../helpers/context.js';
import { a11yViolations, artifacts, openBrowser, signIn, type Session } from '../../helpers/browser.js';
import type { Role } from '../../../src/auth/principal.js';
import { stepDef } from '../../../src/domain/steps.js';
import { isShown } from '../../../src/domain/step-outcomes.js';
import type { Locator, Page } from 'playwright-core';

/**
 * Names an organization, a person or a training session as a person does (web/src/picker.tsx): types part of its
 * name, code or username (or pinyin initials) into the picker `input` and picks the entry whose value is `value`.
 */
export async function pick(scope: Page | Locator, input: string, query: string, value: string): Promise<void> {
  // A code or username typed in full is taken as it is, with no list to pick from: a person types part of it.
  await scope.locator(input).fill(query === value ? query.slice(0, -1) : query);
  await scope.locator(`[role="option"][data-value="${value}"]`).first().click();
}

export const PASSWORD = 'correct horse battery'; // what startStack().userWith gives every user
export const phone = { width: 390, height: 844 };
export const desktop = { width: 1280, height: 900 };
export const journeyArtifacts = join(artifacts, 'journeys');

export interface Person extends Session {
  username: string;
  role: Role;
  org: string;
}

export interface Journey {
  s: Stack;
  baseURL: string;
  /** A user with only `role` at `org`, signed in through the login form in a browser of its own. */
  person(role: Role, org: string): Promise<Person>;
  /** axe-core's WCAG 2.1 A/AA check of the screen as it is now, and its screenshot (journeys/<name>.png). */
  screen(p: Person, name: string): Promise<void>;
  /** The id of the open task of a step (by its key or its step name) of a workflow, once the workflow opened it. */
  openTask(workflowId: string, step: string, ms?: number): Promise<number>;
  /** The person finds the task in "my tasks", opens it and completes its form with `values`; `shot` names the screen. */
  complete(p: Person, taskId: number, values: Record<string, string>, shot?: string): Promise<void>;
  /** The person opens the task from "my tasks" (the list screen checked too) and waits for its form. */
  openFromMyTasks(p: Person, taskId: number, shot?: string): Promise<void>;
  /** Fills the task form with `values` (ids `f-<field>`, kinds from the step catalog). */
  fill(p: Person, process: string, step: string, values: Record<string, string>): Promise<void>;
  /** Sends the task form and waits for the page to say the task is done. */
  submit(p: Person): Promise<void>;
  /** Dumps what every browser showed after a failure (called from afterEach). */
  dumpOnFailure(name: string): Promise<void>;
  close(): Promise<void>;
}

const roleViewport = (role: Role) => (role === 'secretary' || role === 'liaison_officer' ? phone : desktop);

/** `timeSkipping`: the stack runs on the Java time-skipping test server (`s.env.sleep` passes a timer at its length). */
export async function startJourney(executablePath: string, prefix: string, opts: { timeSkipping?: boolean } = {}): Promise<Journey> {
  mkdirSync(journeyArtifacts, { recursive: true });
  const s = await startStack(opts);
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const baseURL = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
  const people: Person[] = [];
  const taskStep = new Map<number, { process: string; step: string }>();

  const person = async (role: Role, org: string): Promise<Person> => {
    const user = await s.userWith([{ role, org }]);
    const b = await openBrowser(executablePath, baseURL, roleViewport(role));
    await signIn(b.page, user.username, PASSWORD);
    const p: Person = Object.assign(b, { username: user.username, role, org });
    people.push(p);
    return p;
  };

  const screen = async (p: Person, name: string) => {
    await p.page.waitForLoadState('networkidle').catch(() => {});
    await p.page.screenshot({ path: join(journeyArtifacts, `${prefix}-${name}.png`), fullPage: true });
    expect(await a11yViolations(p.page), `${name}: axe WCAG 2.1 A/AA`).toEqual([]);
    expect(p.errors, `${name}: page errors`).toEqual([]);
  };

  const openTask = (workflowId: string, step: string, ms = 60_000) =>
    eventually(
      `the open ${step} task of ${workflowId}`,
      async () => {
        const [row] = await s.sql<{ id: number; process: string; step: string }[]>`
          select id, process, step from tasks
          where workflow_id = ${workflowId} and (task_key = ${step} or step = ${step}) and state in ('open', 'claimed', 'escalated')
          order by id desc limit 1`;
        if (row) taskStep.set(row.id, { process: row.process, step: row.step });
        return row?.id;
      },
      ms,
    );

  const fill = async (p: Person, process: string, step: string, values: Record<string, string>) => {
    const def = stepDef(process, step);
    if (!def) throw new Error(`no catalog step ${process}:${step}`);
    const form = p.page.getByTestId('task-form');
    for (const f of def.fields) {
      if (!isShown(f, values)) continue;
      const v = values[f.name];
      if (v === undefined) continue;
      const input = form.locator(`#f-${f.name}`);
      if (f.kind === 'select') await input.selectOption(v);
      else if (f.kind === 'check') await (v === 'true' ? input.check() : input.uncheck());
      // A person, organization or session is picked from the list the search offers (by its code or username here).
      else if (f.kind === 'person' || f.kind === 'organization' || f.kind === 'session') await pick(form, `#f-${f.name}`, v, v);
      else await input.fill(v);
    }
  };

  const submit = async (p: Person) => {
    await p.page.getByTestId('task-form').getByRole('button', { name: '提交' }).click();
    await p.page.getByTestId('task-done').waitFor();
  };

  const openFromMyTasks = async (p: Person, taskId: number, shot?: string) => {
    const { page } = p;
    await page.goto('/tasks');
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    const item = page.locator(`[data-task-id="${taskId}"]`);
    // The list is read when the page opens: a task the workflow opened moments ago may need a reload.
    await expect
      .poll(
        async () => {
          if (await item.count()) return true;
          await page.reload();
          await page.getByRole('heading', { name: '我的待办' }).waitFor();
          return (await item.count()) > 0;
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe(true);
    if (shot) await screen(p, `${shot}-inbox`);
    await item.getByRole('link').first().click();
    await page.getByRole('heading', { name: /办理任务/ }).waitFor();
    await page.getByTestId('task-form').waitFor();
  };

  const complete = async (p: Person, taskId: number, values: Record<string, string>, shot?: string) => {
    const meta = taskStep.get(taskId) ?? (await s.sql<{ process: string; step: string }[]>`select process, step from tasks where id = ${taskId}`)[0]!;
    await openFromMyTasks(p, taskId, shot);
    await fill(p, meta.process, meta.step, values);
    if (shot) await screen(p, shot);
    await submit(p);
    const [row] = await s.sql<{ state: string }[]>`select state from tasks where id = ${taskId}`;
    expect(row?.state).toBe('done');
    const [audit] = await s.sql<{ actor: string }[]>`select actor from task_events where task_id = ${taskId} and kind = 'completed'`;
    expect(audit?.actor, `task ${taskId} completed by the person who holds the step's role`).toBe(p.username);
  };

  return {
    s,
    baseURL,
    person,
    screen,
    openTask,
    complete,
    openFromMyTasks,
    fill,
    submit,
    async dumpOnFailure(name) {
      for (const [i, p] of people.entries()) {
        const text = await p.page.textContent('body', { timeout: 5_000 }).catch((e: Error) => `(no text: ${e.message})`);
        console.error(`[${name}] ${p.role}@${p.org} ${p.page.url()}\n${text}\nerrors: ${JSON.stringify(p.errors)}`);
        await p.page.screenshot({ path: join(journeyArtifacts, `FAILED-${prefix}-${i}-${p.role}.png`), fullPage: true }).catch(() => {});
      }
    },
    async close() {
      for (const p of people) await p.close().catch(() => {});
      await s.close();
    },
  };
}
