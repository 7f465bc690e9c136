// From the lab terminal a learner can act in their own namespace only: no cluster-wide reads, no
// nodes, no other session's namespace. And the shell runs in the toolbox pod, not on the server.
import { expect, test, type Page } from '@playwright/test';
import { request } from 'node:http';
import { namespaceFor } from '../../src/engine/index.ts';
import { LabPage } from './lab-page.ts';

test('the terminal cannot reach outside its own namespace', async ({ browser }) => {
  test.setTimeout(10 * 60_000);
  const mine = new LabPage(await (await browser.newContext()).newPage(), 'what-is-a-sidecar');
  const theirs = new LabPage(await (await browser.newContext()).newPage(), 'what-is-a-sidecar');
  await Promise.all([mine.open(), theirs.open()]);
  await Promise.all([mine.start(), theirs.start()]);
  try {
    const other = await theirs.session();
    expect(other).toBeDefined();
    const otherNs = namespaceFor('what-is-a-sidecar', other!.id);

    // The shell is in the lab's toolbox pod.
    expect(await mine.type('hostname')).toMatch(/\nterminal\s*\n/);
    expect(await mine.type('kubectl get pods')).toMatch(/pair\s+2\/2\s+Running/);

    expect(await mine.type('kubectl get pods -A')).toMatch(
      /Forbidden|forbidden.*cannot list resource "pods".*cluster scope/,
    );
    expect(await mine.type('kubectl get nodes')).toMatch(/forbidden.*cannot list resource "nodes"/);
    expect(await mine.type(`kubectl get pods -n ${otherNs}`)).toMatch(
      new RegExp(`forbidden.*in the namespace "${otherNs}"`),
    );
    expect(await mine.type(`kubectl delete pod pair -n ${otherNs}`)).toMatch(/forbidden/);
    expect(await mine.type('kubectl get pods -n kube-system')).toMatch(/forbidden/);
    expect(await mine.type('kubectl auth can-i create pods')).toMatch(/\nyes\s*\n/);
    expect(await mine.type('kubectl auth can-i create rolebindings --all-namespaces')).toMatch(/\nno\s*\n/);
    // Their pod is untouched.
    expect(await theirs.type('kubectl get pod pair')).toMatch(/pair\s+2\/2\s+Running/);
  } finally {
    await Promise.all([mine.stop(), theirs.stop()]);
  }
});

test('the terminal WebSocket refuses a wrong token and a foreign origin', async ({ page, baseURL }) => {
  test.setTimeout(5 * 60_000);
  const learner = new LabPage(page, 'what-is-a-sidecar');
  await learner.open();
  await learner.start();
  try {
    const s = (await learner.session())!;
    const outcome = await page.evaluate(async ({ id, token }) => {
      const attempt = (protocols: string[]) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/api/terminal/${id}`, protocols);
          ws.onopen = () => {
            ws.close();
            resolve('open');
          };
          ws.onerror = () => resolve('refused');
        });
      return {
        right: await attempt(['sidecar-labs.v1', `token.${token}`]),
        wrong: await attempt(['sidecar-labs.v1', `token.${token.slice(0, -2)}xx`]),
        none: await attempt(['sidecar-labs.v1']),
      };
    }, s);
    expect(outcome).toEqual({ right: 'open', wrong: 'refused', none: 'refused' });
    // A page on another origin (here: Node, as any other site would) is refused even with the token.
    expect(
      await upgradeStatus(`${baseURL!.replace(/\/$/, '')}/api/terminal/${s.id}`, s.token, 'https://evil.example'),
    ).toBe(403);
    expect(
      await upgradeStatus(`${baseURL!.replace(/\/$/, '')}/api/terminal/${s.id}`, s.token, baseURL!.replace(/\/$/, '')),
    ).toBe(101);
  } finally {
    await learner.stop();
  }
});

/** Status of a raw WebSocket upgrade request (101 = accepted); `host` overrides the Host header. */
function upgradeStatus(url: string, token: string, origin: string, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        ...(host ? { host } : {}),
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-protocol': `sidecar-labs.v1, token.${token}`,
        origin,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Status and body of a plain HTTP request with any Host header (a browser after DNS rebinding). */
function rawStatus(
  url: string,
  host: string,
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, headers: { host, origin: `http://${host}`, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Record Content-Security-Policy violations of every page of this context. */
async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction('__cspViolation', (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __cspViolation: (v: string) => void }).__cspViolation(
        `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`,
      );
    });
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return violations;
}

test('a rebound host name is refused on HTTP and on the terminal WebSocket (DNS rebinding)', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(5 * 60_000);
  const root = baseURL!.replace(/\/$/, '');
  const port = new URL(root).port;
  const evil = `evil.example:${port}`;
  // Pages and the session API under the attacker's name: refused before anything runs.
  expect((await rawStatus(`${root}/`, evil)).status).toBe(403);
  const start = await rawStatus(`${root}/api/sessions`, evil, 'POST', '{"slug":"what-is-a-sidecar"}');
  expect(start.status).toBe(403);
  expect(start.body).not.toContain('token');
  const learner = new LabPage(page, 'what-is-a-sidecar');
  await learner.open();
  await learner.start();
  try {
    const s = (await learner.session())!;
    // Even with the learner's real token, the upgrade under a foreign Host (and its Origin) is refused.
    expect(await upgradeStatus(`${root}/api/terminal/${s.id}`, s.token, `http://${evil}`, evil)).toBe(403);
    expect(await upgradeStatus(`${root}/api/terminal/${s.id}`, s.token, root)).toBe(101);
  } finally {
    await learner.stop();
  }
});

test("the course works under the server's Content-Security-Policy (pages, search, lab terminal)", async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const violations = await watchCsp(page);
  const home = await page.goto('/');
  expect(home?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await page.getByRole('button', { name: 'Search' }).first().click();
  await page.getByRole('dialog').getByRole('textbox', { name: 'Search' }).fill('log shipping');
  await expect(page.getByRole('dialog').locator('a[href*="/lessons/log-shipping-sidecar/"]').first()).toBeVisible();
  const learner = new LabPage(page, 'what-is-a-sidecar');
  await learner.open();
  await learner.start();
  try {
    expect(await learner.type('echo csp-ok')).toMatch(/\ncsp-ok\s*\n/);
  } finally {
    await learner.stop();
  }
  expect(violations).toEqual([]);
});
