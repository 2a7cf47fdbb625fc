import { beforeAll, describe, expect, it } from 'vitest';
import { browser, webUi, webUiTitle } from './web-ui.js';

describe.skipIf('skip' in browser)(webUiTitle('the app’s own paths and the API’s 404s'), () => {
  const ui = webUi();
  let baseURL: string;
  beforeAll(() => {
    ({ baseURL } = ui);
  });

  it('serves the app for its own paths and keeps JSON 404s for unknown API paths', async () => {
    const page = await fetch(`${baseURL}/tasks/1?p=x`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<div id="app">');
    const api = await fetch(`${baseURL}/api/v1/nothing-here`);
    expect(api.status).toBe(404);
    expect((await api.json()).error.code).toBe('not_found');
  });
});
