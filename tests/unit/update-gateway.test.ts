import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { defineUpdate } from '@temporalio/workflow';
import type { Principal } from '../../src/auth/principal.js';
import type { Actor } from '../../src/domain/task-rights.js';
import type { Sql } from '../../src/db/client.js';
import { registerErrorHandler } from '../../src/api/errors.js';
import updateGateway, { UPDATE_DEADLINE_MS } from '../../src/api/gateway.js';
import { idempotent } from '../../src/api/idempotency.js';

// The gateway's answers for each way an Update can fail, against a stand-in Temporal client (the real paths run
// in tests/integration/update-gateway.test.ts): refusals 422/409, a workflow that is gone 409 with the route's
// words, no answer within the deadline 503, anything else a server error; and no Update outside idempotent().
describe('the Update gateway', () => {
  const ping = defineUpdate<{ pong: string }, [{ word: string; actor: Actor }]>('ping');
  let outcome: () => Promise<unknown>;
  const sent: { workflowId: string; name: string; args: unknown[]; updateId?: string; deadline?: number }[] = [];
  let deadline: number | undefined;
  const client = {
    withDeadline: async (d: number, fn: () => Promise<unknown>) => {
      deadline = d;
      return fn();
    },
    workflow: {
      getHandle: (workflowId: string) => ({
        executeUpdate: async (u: { name: string }, o: { args: unknown[]; updateId?: string }) => {
          sent.push({ workflowId, name: u.name, args: o.args, updateId: o.updateId, deadline });
          return outcome();
        },
      }),
    },
  } as unknown as Client;
  const app = Fastify();
  const caller: Principal = { userId: 7, username: 'organizer-1', grants: [{ role: 'organizer', organizationId: 1, code: 'K1', path: '1.2' }] } as unknown as Principal;

  beforeAll(async () => {
    registerErrorHandler(app);
    app.decorate('temporal', client);
    await app.register(updateGateway);
    app.addHook('onRequest', async (req) => {
      req.principal = caller;
    });
    // No Idempotency-Key in these requests: idempotent() runs the action without touching the database.
    app.post('/wrapped', (req, reply) =>
      idempotent(undefined as unknown as Sql, req, reply, async () => ({
        status: 200,
        body: await app.updateProcess(req, 'kind:ORG', ping, { word: 'hi' }, { ended: 'no such process is running' }),
      })),
    );
    app.post('/bare', async (req) => app.updateProcess(req, 'kind:ORG', ping, { word: 'hi' }));
    await app.ready();
  });
  afterAll(() => app.close());

  const call = async (thrown: unknown) => {
    outcome = async () => {
      throw thrown;
    };
    const r = await app.inject({ method: 'POST', url: '/wrapped' });
    return { status: r.statusCode, error: r.json().error };
  };

  it('answers the Update with the caller as its actor, within the deadline', async () => {
    outcome = async () => ({ pong: 'hi' });
    const before = Date.now();
    const r = await app.inject({ method: 'POST', url: '/wrapped' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ pong: 'hi' });
    const last = sent.at(-1)!;
    expect(last).toMatchObject({ workflowId: 'kind:ORG', name: 'ping', updateId: undefined });
    expect(last.args).toEqual([{ word: 'hi', actor: { username: 'organizer-1', grants: [{ role: 'organizer', path: '1.2' }] } }]);
    expect(last.deadline! - before).toBeGreaterThanOrEqual(UPDATE_DEADLINE_MS - 1000);
    expect(last.deadline! - before).toBeLessThanOrEqual(UPDATE_DEADLINE_MS + 1000);
  });

  it('maps refusals: a broken rule or a malformed outcome 422 with details, any other refusal 409', async () => {
    const rule = ApplicationFailure.create({ type: 'RuleViolation', message: 'turnout below 80%', details: [{ rule: 'turnout' }], nonRetryable: true });
    expect(await call(new WorkflowUpdateFailedError('refused', rule))).toEqual({ status: 422, error: { code: 'rule_violation', message: 'turnout below 80%', details: { rule: 'turnout' } } });
    const shape = ApplicationFailure.create({ type: 'InvalidOutcome', message: 'seats: required', details: [[{ field: 'seats', message: 'required' }]], nonRetryable: true });
    expect(await call(new WorkflowUpdateFailedError('refused', shape))).toEqual({ status: 422, error: { code: 'invalid_outcome', message: 'seats: required', details: [{ field: 'seats', message: 'required' }] } });
    expect(await call(new WorkflowUpdateFailedError('refused', ApplicationFailure.create({ message: 'already enrolled in S1' })))).toEqual({ status: 409, error: { code: 'conflict', message: 'already enrolled in S1' } });
  });

  it('a workflow that is gone is 409 in the route’s words; no answer in time is 503; anything else a server error', async () => {
    expect(await call(new WorkflowNotFoundError('not found', 'kind:ORG', undefined))).toEqual({ status: 409, error: { code: 'conflict', message: 'no such process is running' } });
    const unavailable = { status: 503, error: { code: 'process_unavailable', message: `the process did not answer within ${UPDATE_DEADLINE_MS / 1000} s; try again` } };
    expect(await call(Object.assign(new Error('deadline exceeded'), { code: 4 }))).toEqual(unavailable);
    expect(await call(new Error('service error', { cause: Object.assign(new Error('inner'), { code: 4 }) }))).toEqual(unavailable);
    expect(await call(new WorkflowUpdateRPCTimeoutOrCancelledError('timed out'))).toEqual(unavailable);
    expect((await call(new Error('connection reset'))).status).toBe(500);
  });

  it('sends no Update for a route that is not wrapped in idempotent()', async () => {
    outcome = async () => ({ pong: 'hi' });
    const count = sent.length;
    const r = await app.inject({ method: 'POST', url: '/bare' });
    expect(r.statusCode).toBe(500);
    expect(sent.length).toBe(count);
  });
});
