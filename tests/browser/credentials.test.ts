import { beforeAll, describe, expect, it } from 'vitest';
import { addOrganizations, orgRow, uniqueCode, type Stack } from '../helpers/context.js';
import { a11yViolations, prepareBrowser, signIn, browserStack } from '../helpers/browser.js';

// Changing one's password and signing out in a real Chromium against the real stack: the policy's refusal shows
// beside its field, a change ends the person's other sessions (another browser is sent back to sign-in) while this
// one goes on, and 退出登录 ends the session on the server, not only in this browser. Screenshots: tests/artifacts/.
const browser = prepareBrowser();
const PASSWORD = 'correct horse battery'; // what startStack().userWith gives every user
const NEW_PASSWORD = '山石村 spring ledger 7';

describe.skipIf('skip' in browser)(`password change and sign-out in Chromium${'skip' in browser ? ` (skipped: ${browser.skip})` : ''}`, () => {
  const executablePath = 'executablePath' in browser ? browser.executablePath : '';
  let s: Stack;
  const { sessions: b, baseURL } = browserStack(executablePath, (started) => (s = started));
  const village = uniqueCode('PV');

  beforeAll(async () => {
    await addOrganizations(s.sql, [orgRow(village, '', { name: `山石村党支部${village}` })]);
  });

  const meWith = (token: string | null) => fetch(`${baseURL()}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

  it('refuses a weak password beside its field, then changes it: other browsers are signed out, this one goes on; 退出登录 ends the session on the server', async () => {
    const sec = await s.userWith([{ role: 'secretary', org: village }]);
    const desk = await b.open();
    const phone = await b.open({ width: 390, height: 844 });
    for (const x of [desk, phone]) await signIn(x.page, sec.username, PASSWORD);
    const { page } = desk;

    await page.getByRole('link', { name: '修改密码' }).click();
    await page.waitForURL(/\/password$/);
    await page.getByRole('heading', { name: '修改密码' }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);

    // A common password: refused, in words, beside the new password.
    await page.getByLabel(/^当前密码/).fill(PASSWORD);
    await page.getByLabel(/^新密码/).fill('password1234');
    await page.getByLabel(/^再次输入新密码/).fill('password1234');
    await page.getByRole('button', { name: '修改密码' }).click();
    await expect.poll(() => page.locator('#new-password-error').textContent()).toBe('这是常见密码，容易被猜中');
    expect(await page.getByLabel(/^新密码/).getAttribute('aria-invalid')).toBe('true');
    await desk.shot('password-refused');

    // A wrong current password, beside its own field.
    await page.getByLabel(/^当前密码/).fill('not my password');
    await page.getByLabel(/^新密码/).fill(NEW_PASSWORD);
    await page.getByLabel(/^再次输入新密码/).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: '修改密码' }).click();
    await expect.poll(() => page.locator('#current-password-error').textContent()).toBe('当前密码不正确');
    expect(await page.locator('#new-password-error').count()).toBe(0);

    await page.getByLabel(/^当前密码/).fill(PASSWORD);
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.getByText('密码已修改，其他设备上的登录已退出。').waitFor();
    await desk.shot('password-changed');

    // This browser goes on with the new session; the phone's session is over: its next page is the sign-in.
    await page.getByRole('link', { name: '我的待办' }).click();
    await page.waitForURL(/\/tasks$/);
    expect(await meWith(await page.evaluate(() => localStorage.getItem('orglife.token')))).toBe(200);
    await phone.page.reload();
    await phone.page.waitForURL(/\/login/);

    // 退出登录: the token this browser held is refused by the server afterwards, not only forgotten here.
    const token = await page.evaluate(() => localStorage.getItem('orglife.token'));
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(/\/login/);
    expect(await page.evaluate(() => localStorage.getItem('orglife.token'))).toBeNull();
    expect(await meWith(token)).toBe(401);

    // The old password no longer signs in; the new one does.
    await page.getByLabel(/用户名|Username/).fill(sec.username);
    await page.getByLabel(/密码|Password/).fill(PASSWORD);
    await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
    await page.getByTestId('login-error').waitFor();
    await signIn(phone.page, sec.username, NEW_PASSWORD);
    expect(desk.errors.filter((e) => !/401|422/.test(e))).toEqual([]);
  });
});
