// Build 1 of the two-version upgrade test (tests/cluster/worker-versioning.test.ts): a process with a first step, a
// wait for a person (the signal `proceed`), and a second step. Each step's activity answers with the build that ran it.
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

export const proceed = defineSignal('proceed');
const { step } = proxyActivities<{ step(name: string): Promise<string> }>({ startToCloseTimeout: '30 seconds' });

export async function upgradeProbe(): Promise<string[]> {
  let go = false;
  setHandler(proceed, () => {
    go = true;
  });
  const ran = [await step('first')];
  await condition(() => go);
  ran.push(await step('second'));
  return ran;
}
