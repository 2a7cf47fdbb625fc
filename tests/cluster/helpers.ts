// What the cluster tests share: the topology started by tests/setup/servers.ts (ORGLIFE_CLUSTER=1), read from its
// state file, and a county of villages whose term elections open their request task at once.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { readClusterState, type ClusterState } from '../../src/runtime/cluster.js';
import { createSql, type Sql } from '../../src/db/client.js';
import { createUser } from '../../src/auth/users.js';
import { insertOrganizations } from '../../src/organizations/store.js';
import { addMonths, shanghaiDate } from '../../src/domain/dates.js';
import { orgRow, committee } from '../helpers/context.js';

export async function clusterState(): Promise<ClusterState> {
  const file = inject('clusterStateFile');
  if (!file) throw new Error('tests/cluster needs the cluster topology: run `npm test -- --cluster`');
  return readClusterState(file);
}

export interface ClusterFixture {
  state: ClusterState;
  /** The cluster's own database (not the suite's). */
  sql: Sql;
  /** A client of the cluster's namespace. */
  client: Client;
  authorization: string;
  county: string;
  villages: string[];
  close(): Promise<void>;
}

/** An admin (logged in through the balancer) and a county of `n` villages in the cluster's database. */
export async function clusterFixture(n: number): Promise<ClusterFixture> {
  const state = await clusterState();
  const sql = createSql(state.databaseUrl, { max: 8 });
  const client = new Client({ connection: await Connection.connect({ address: state.temporalAddress }), namespace: state.namespace });
  const tag = randomUUID().slice(0, 6).toUpperCase();
  const [province, city, county] = [`CP${tag}`, `CC${tag}`, `CK${tag}`];
  const started = addMonths(shanghaiDate(Date.now()), -56); // the term ends in 4 months: the request opens at once
  const villages = Array.from({ length: n }, (_, i) => `CV${tag}-${i}`);
  await insertOrganizations(sql, [
    orgRow(province, '', committee),
    orgRow(city, province, committee),
    orgRow(county, city, committee),
    ...villages.map((v) => orgRow(v, county, { term_years: 5, term_started_on: started })),
  ]);
  const username = `cluster-${tag.toLowerCase()}`;
  await createUser(sql, { username, password: 'cluster password', roles: [{ role: 'admin', organizationId: null }] });
  const login = await fetch(`${state.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'cluster password' }),
  });
  if (login.status !== 200) throw new Error(`login through the balancer: ${login.status} ${await login.text()}`);
  const { token } = (await login.json()) as { token: string };
  return {
    state,
    sql,
    client,
    authorization: `Bearer ${token}`,
    county,
    villages,
    async close() {
      await client.connection.close();
      await sql.end();
    },
  };
}

/** The outcome of a term election's request step (the secretary's form). */
export function requestOutcome() {
  return { outcome: { electionDate: addMonths(shanghaiDate(Date.now()), 2), seats: 5, nominationMethod: 'combined' } };
}
