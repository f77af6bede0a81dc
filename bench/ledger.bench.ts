/**
 * npm run bench:ledger — allocations/s through HTTP on real PostgreSQL, beside pgbench on the same server.
 * spread: 16 clients, each allocating from its own county's line with its own user (16 rows, 16 audit chains);
 * hot: 16 clients on one line. Writes bench/results/ledger.json.
 */
import {
  benchCounty,
  CLIENTS,
  load,
  login,
  machine,
  pgbench,
  post,
  prepareBenchDatabase,
  SECONDS,
  startApi,
  writeResult,
} from './support';

async function main(): Promise<void> {
  const databaseUrl = await prepareBenchDatabase('sunshine_bench_ledger');
  const api = await startApi(databaseUrl);
  try {
    const admin = await login(api.url, 'admin', 'demo-password');
    const clients: { token: string; lineId: string; target: string }[] = [];
    for (let i = 1; i <= CLIENTS; i++) {
      const county = benchCounty(i);
      const username = `bench.finance${i}`;
      await post(api.url, admin, '/api/users', {
        username,
        password: 'bench-password',
        role: 'finance',
        jurisdictionCode: county,
      });
      const token = await login(api.url, username, 'bench-password');
      const line = await post<{ id: string }>(api.url, token, '/api/budget-lines', {
        year: 2026,
        sourceCode: 'CN-FIN',
        jurisdictionCode: county,
        documentNo: `压测〔2026〕${i}号`,
        title: '压测资金指标',
        amount: '100000000.00',
        receivedOn: '2026-04-01',
      });
      clients.push({ token, lineId: line.id, target: `${county}001` });
    }
    const requests = (cs: typeof clients) =>
      cs.map((c) => ({
        token: c.token,
        url: `${api.url}/api/budget-lines/${c.lineId}/allocations`,
        body: () => ({
          toJurisdictionCode: c.target,
          amount: '0.01',
          documentNo: 'BENCH',
          issuedOn: '2026-05-01',
        }),
      }));
    await load(requests(clients), 3); // warm-up
    const spread = await load(requests(clients), SECONDS);
    const hot = await load(requests(clients.map(() => clients[0])), SECONDS);
    await api.stop();
    const tps = await pgbench();
    const result = {
      benchmark: 'ledger allocations through HTTP vs pgbench -N on the same PostgreSQL',
      when: new Date().toISOString(),
      machine: machine(),
      clients: CLIENTS,
      seconds: SECONDS,
      spread,
      hotLine: hot,
      pgbench: { scale: 10, clients: 16, threads: 2, seconds: 30, tps },
      ratio: {
        spread: Math.round((spread.perSecond / tps) * 1000) / 1000,
        hotLine: Math.round((hot.perSecond / tps) * 1000) / 1000,
        goalSpread: 0.4,
      },
      notes:
        'One allocation = one HTTP request (JWT, validation) and one transaction of ~10 round trips: idempotency key, ' +
        'savepoint, period check, conditional balance update, one statement for child line + allocation + 2 ledger ' +
        'entries, audit chain head + audit rows, outbox event, stored answer, commit. One Node process shares the 2 ' +
        'cores with PostgreSQL and the load generator; the API process is CPU-bound.',
    };
    writeResult('ledger', result);
    process.stdout.write(
      `${JSON.stringify({ spread: spread.perSecond, hot: hot.perSecond, pgbench: tps, ratio: result.ratio })}\n`,
    );
  } finally {
    await api.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
