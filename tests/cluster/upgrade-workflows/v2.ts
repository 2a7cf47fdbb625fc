// Build 2 of the two-version upgrade test: the same process changed without `patched()`: a pause before the first
// step, and the second step replaced by a check and a reworded step. Its first command (a timer) differs from build
// 1's (an activity), so a run started on build 1 fails to replay here (a nondeterminism error on its next task): only
// pinning keeps such a run on build 1 to its end.
import { condition, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

export const proceed = defineSignal('proceed');
const { step } = proxyActivities<{ step(name: string): Promise<string> }>({ startToCloseTimeout: '30 seconds' });

export async function upgradeProbe(): Promise<string[]> {
  let go = false;
  setHandler(proceed, () => {
    go = true;
  });
  await sleep('10 milliseconds');
  const ran = [await step('first')];
  await condition(() => go);
  ran.push(await step('check'));
  ran.push(await step('second, reworded'));
  return ran;
}
