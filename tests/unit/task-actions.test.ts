import { describe, expect, it } from 'vitest';
import { actionsNow, escalationActionsNow } from '../../src/api/task-actions.js';
import type { Actor } from '../../src/domain/task-rights.js';

// The actions the API offers on a task are what the workflow's validator would let through: the step's rights
// (steps.ts stepActionRoles) at the task's organization, then the task's state and who holds it.
const village = '1.2.3.4';
const township = '1.2.3';
const who = (username: string, role: Actor['grants'][number]['role'], path: string): Actor => ({ username, grants: [{ role, path }] });
const request = { process: 'term-election', step: 'election-request', path: village, state: 'open' as const, claimedBy: null };
const reply = { process: 'term-election', step: 'election-reply', path: township, state: 'open' as const, claimedBy: null };

describe('actions offered on a task', () => {
  it('follow the step: its role does it, those who steer above do it and steer it, other roles nothing', () => {
    expect(actionsNow(who('sec', 'secretary', village), request)).toEqual(['complete', 'claim', 'delegate']);
    expect(actionsNow(who('lo', 'liaison_officer', village), request)).toEqual([]);
    expect(actionsNow(who('sup', 'supervisor', township), request)).toEqual(['complete', 'claim', 'delegate', 'reassign', 'extend', 'cancel']);
    expect(actionsNow(who('sup', 'supervisor', township), reply)).toEqual(['complete', 'claim', 'delegate', 'reassign', 'extend', 'cancel']);
    expect(actionsNow(who('sec', 'secretary', township), reply)).toEqual([]);
    // Below the task's organization a role covers nothing.
    expect(actionsNow(who('sup', 'supervisor', village), reply)).toEqual([]);
  });

  it('follow the state: nothing on a closed task, release only a claimed one, another holder’s task only for those who steer', () => {
    for (const state of ['done', 'cancelled'] as const) expect(actionsNow(who('sup', 'supervisor', township), { ...reply, state })).toEqual([]);
    expect(actionsNow(who('sec', 'secretary', village), { ...request, state: 'claimed', claimedBy: 'sec' })).toEqual(['complete', 'unclaim', 'delegate']);
    expect(actionsNow(who('sec2', 'secretary', village), { ...request, state: 'claimed', claimedBy: 'sec' })).toEqual([]);
    expect(actionsNow(who('sup', 'supervisor', township), { ...request, state: 'claimed', claimedBy: 'sec' })).toEqual([
      'complete',
      'claim',
      'unclaim',
      'delegate',
      'reassign',
      'extend',
      'cancel',
    ]);
    expect(actionsNow(who('sec', 'secretary', village), { ...request, state: 'escalated' })).toEqual(['complete', 'claim', 'delegate']);
  });

  it('let the person a step of their own names file it without a role, and nobody else by name alone', () => {
    const nobody = (username: string): Actor => ({ username, grants: [] });
    const report = { process: 'member-away', step: 'away-report', path: village, state: 'open' as const, claimedBy: null, assigneePerson: 'zhou' };
    expect(actionsNow(nobody('zhou'), report)).toEqual(['complete']);
    expect(actionsNow(nobody('wu'), report)).toEqual([]);
    expect(actionsNow(nobody('zhou'), { ...report, state: 'done' })).toEqual([]);
    // Claimed by the secretary (recording it for them), it is theirs to finish.
    expect(actionsNow(nobody('zhou'), { ...report, state: 'claimed', claimedBy: 'sec' })).toEqual([]);
    // The secretary may still record it for the member.
    expect(actionsNow(who('sec', 'secretary', village), report)).toEqual(['complete', 'claim', 'delegate']);
    // A step that is not the person's own gives the named person nothing without its role.
    expect(actionsNow(nobody('zhou'), { ...request, assigneePerson: 'zhou' })).toEqual([]);
  });

  it('keeps the generic rights for a task no catalog step names', () => {
    expect(actionsNow(who('lo', 'liaison_officer', village), { ...request, step: 'report', process: 'task' })).toEqual(['complete', 'claim', 'delegate']);
  });

  it('offers an escalation’s actions to its committee or those steering above the task, acknowledge only while open', () => {
    const sup = who('sup', 'supervisor', township);
    expect(escalationActionsNow(sup, { state: 'open', path: township }, village)).toEqual(['acknowledge', 'reassign', 'extend', 'close']);
    expect(escalationActionsNow(sup, { state: 'acknowledged', path: township }, village)).toEqual(['reassign', 'extend', 'close']);
    expect(escalationActionsNow(sup, { state: 'closed', path: township }, village)).toEqual([]);
    expect(escalationActionsNow(who('sec', 'secretary', village), { state: 'open', path: village }, village)).toEqual([]);
  });
});
