// A round-robin HTTP load balancer in front of the cluster's API processes (what nginx or a cloud load balancer
// does in a deployment). A request whose upstream refuses the connection (a process that is down or restarting)
// goes to the next upstream: nothing reached the dead one, so any method may be retried. A request whose upstream
// dies after taking it is answered 502: the client cannot know whether it took effect (the API's
// Idempotency-Key is for that), so the balancer does not guess.
import http from 'node:http';

export interface Balancer {
  url: string;
  /** Requests answered 502 because every upstream refused, or the upstream died mid-request. */
  failures(): number;
  close(): Promise<void>;
}

export async function startBalancer(opts: { host: string; port: number; upstreams: () => number[]; log?: (m: string) => void }): Promise<Balancer> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;
  let failed = 0;
  // An upstream that refused a connection is skipped for a second (then tried again).
  const downUntil = new Map<number, number>();

  const server = http.createServer((req, res) => {
    // The body is buffered so that it can be sent again to another upstream after a refused connection.
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const ports = opts.upstreams();
      const order = ports.map((_, i) => ports[(next + i) % ports.length]!);
      next = (next + 1) % Math.max(1, ports.length);
      const now = Date.now();
      const candidates = [...order.filter((p) => (downUntil.get(p) ?? 0) <= now), ...order.filter((p) => (downUntil.get(p) ?? 0) > now)];
      const attempt = (i: number) => {
        const port = candidates[i];
        if (port === undefined) {
          failed++;
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'bad_gateway', message: 'no API process answered' }));
          return;
        }
        const up = http.request(
          { host: '127.0.0.1', port, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' }, agent },
          (upRes) => {
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
            upRes.on('error', () => res.destroy());
          },
        );
        up.on('error', (err: NodeJS.ErrnoException) => {
          // Refused: nothing reached that process. (A reset on a kept-alive socket may be a request the process
          // took before it died: not retried.)
          if (err.code === 'ECONNREFUSED') {
            downUntil.set(port, Date.now() + 1000);
            attempt(i + 1);
            return;
          }
          failed++;
          opts.log?.(`balancer: upstream ${port} failed mid-request (${err.code ?? err.message})`);
          if (!res.headersSent) {
            res.writeHead(502, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: 'bad_gateway', message: 'the API process failed while answering' }));
          } else res.destroy();
        });
        up.end(body);
      };
      attempt(0);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r, j) => {
    server.once('error', j);
    server.listen(opts.port, opts.host, () => r());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    failures: () => failed,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      agent.destroy();
    },
  };
}
