// One `tenant-check run` in this process, then its wall time and peak RSS as one JSON line.
// Usage: node cycle-child.mjs <dist/lambda/cli.js> <kubeconfig> <state-dir>
const [cliPath, kubeconfig, stateDir] = process.argv.slice(2);
const { main } = await import(cliPath);
let out = '';
const started = performance.now();
const code = await main(
  ['run', '--kubeconfig', kubeconfig, '--metrics', 'scrape', '--state-dir', stateDir, '--format', 'json'],
  {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => process.stderr.write(t),
    isTty: false,
    env: process.env,
  },
);
const elapsed = performance.now() - started;
const report = JSON.parse(out);
process.stdout.write(
  `${JSON.stringify({ code, ms: elapsed, maxRssMb: process.resourceUsage().maxRSS / 1024, tenantsRead: report.sources.tenants, logLines: report.findings.find((f) => f.check === 'error-rate' && f.summary.startsWith('logs'))?.evidence[0] })}\n`,
);
