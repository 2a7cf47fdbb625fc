import { describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../src/domain/calendar.js';
import { planTask } from '../../src/domain/task-plan.js';
import { actorAllows, taskActionRoles } from '../../src/domain/task-rights.js';
import { taskActionBodies } from '../../workflows/messages.js';

describe('task plan on the working-day calendar', () => {
  it('crosses National Day 2025 and its adjusted workdays (chinese-days data)', () => {
    // Due Friday 26 September 2025: 28 Sept (Sunday) and 11 Oct (Saturday) were workdays, 1–8 Oct off.
    const plan = planTask(new WorkingCalendar(), {
      due: { on: '2025-09-26' },
      from: '2025-09-01T00:00:00Z',
      reminderWorkingDays: [7, 1],
      escalationWorkingDays: [3, 10, 20],
    });
    expect(plan.dueAt).toBe('2025-09-26T10:00:00.000Z');
    expect(plan.reminders.map((r) => r.at)).toEqual(['2025-09-17T01:00:00.000Z', '2025-09-25T01:00:00.000Z']);
    // +3: 28 Sept, 29, 30 → Tuesday 30 Sept; +10: 9, 10, 11 Oct (Sat, adjusted), 13, 14, 15, 16 → Thursday 16 Oct.
    expect(plan.escalations.map((e) => e.at.slice(0, 10))).toEqual(['2025-09-30', '2025-10-16', '2025-10-30']);
  });

  it('moves a due date on a holiday back and uses admin overrides for years the package lacks', () => {
    const cal = new WorkingCalendar(new Map([['2027-01-01', false]]));
    const plan = planTask(cal, { due: { on: '2027-01-01' }, from: '2026-12-01T00:00:00Z', reminderWorkingDays: [1], escalationWorkingDays: [1, 2, 3] });
    expect(plan.dueAt).toBe('2026-12-31T10:00:00.000Z');
    expect(plan.escalations[0]!.at.slice(0, 10)).toBe('2027-01-04');
  });
});

describe('task rights and payloads', () => {
  const sec = { username: 's', grants: [{ role: 'secretary' as const, path: '1.2.3' }] };
  it('lets a secretary complete in its subtree but not reassign, nor act elsewhere', () => {
    expect(actorAllows(sec, '1.2.3.4', taskActionRoles.complete)).toBe(true);
    expect(actorAllows(sec, '1.2.3.4', taskActionRoles.reassign)).toBe(false);
    expect(actorAllows(sec, '1.2.30', taskActionRoles.complete)).toBe(false);
  });
  it('requires a reason to extend or cancel', () => {
    expect(taskActionBodies.extend.safeParse({ dueOn: '2027-01-05' }).success).toBe(false);
    expect(taskActionBodies.extend.safeParse({ dueOn: '2027-02-30', reason: 'x y' }).success).toBe(false);
    expect(taskActionBodies.extend.safeParse({ dueOn: '2027-01-05', reason: '等待批复' }).success).toBe(true);
    expect(taskActionBodies.cancel.safeParse({}).success).toBe(false);
  });
});
