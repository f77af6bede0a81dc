/**
 * npm run bench:payments — controlled payments/s through HTTP (every dedicated-use control checked) at 16
 * concurrent clients, each paying against its own project in its own county, beside pgbench -N on the same
 * server. Writes bench/results/payments.json.
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
  const databaseUrl = await prepareBenchDatabase('sunshine_bench_payments');
  const api = await startApi(databaseUrl);
  try {
    const admin = await login(api.url, 'admin', 'demo-password');
    await post(api.url, admin, '/api/users', {
      username: 'bench.poverty',
      password: 'bench-password',
      role: 'poverty_office',
      jurisdictionCode: '990100',
    });
    const poverty = await login(api.url, 'bench.poverty', 'bench-password');
    const clients: { token: string; projectId: string; lineId: string }[] = [];
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
      const project = await post<{ id: string }>(api.url, poverty, '/api/projects', {
        name: `压测项目${i}`,
        categoryCode: 'INFRA_ROAD',
        jurisdictionCode: `${county}001`,
        ownerUnit: `压测县${i}交通运输局`,
        responsiblePerson: '压测',
        plannedBudget: '50000000.00',
        startOn: '2026-04-01',
        endOn: '2026-12-31',
        performanceTargets: [{ indicator: '道路', unit: '公里', targetValue: '10' }],
        benefitMechanism: '压测',
      });
      for (const to of ['village_applied', 'township_reviewed', 'county_appraised', 'approved']) {
        await post(api.url, poverty, `/api/projects/${project.id}/transitions`, { to });
      }
      await post(api.url, token, `/api/projects/${project.id}/fundings`, {
        budgetLineId: line.id,
        amount: '50000000.00',
      });
      clients.push({ token, projectId: project.id, lineId: line.id });
    }
    let n = 0;
    const requests = clients.map((c) => ({
      token: c.token,
      url: `${api.url}/api/payments`,
      body: () => ({
        projectId: c.projectId,
        budgetLineId: c.lineId,
        amount: '0.01',
        payee: '压测工程公司',
        purposeCode: 'construction_works',
        invoiceNo: `BENCH-${++n}`,
        paidOn: '2026-06-01',
      }),
    }));
    await load(requests, 3); // warm-up
    const spread = await load(requests, SECONDS);
    await api.stop();
    const tps = await pgbench();
    const result = {
      benchmark: 'controlled payments through HTTP vs pgbench -N on the same PostgreSQL',
      when: new Date().toISOString(),
      machine: machine(),
      clients: CLIENTS,
      seconds: SECONDS,
      payments: spread,
      pgbench: { scale: 10, clients: 16, threads: 2, seconds: 30, tps },
      ratio: { payments: Math.round((spread.perSecond / tps) * 1000) / 1000, goal: 0.4 },
      notes:
        'One payment = project row lock, dedicated-use checks (state, targets, source/category, negative list, period, ' +
        'duplicate invoice), conditional funding debit, line paid + ledger entry, payment row, project totals, audit, ' +
        'outbox, idempotency; one Node process on 2 shared cores.',
    };
    writeResult('payments', result);
    process.stdout.write(
      `${JSON.stringify({ payments: spread.perSecond, pgbench: tps, ratio: result.ratio })}\n`,
    );
  } finally {
    await api.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
