// Build 2 of the two-version upgrade test: the same process with its second step changed without `patched()` (a
// check, then the step under a new name). Its commands after the wait differ from build 1's, so a run started on build 1
// would fail to replay here: only pinning keeps such a run on build 1 to its end.
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
  ran.push(await step('check'));
  ran.push(await step('second, reworded'));
  return ran;
}
