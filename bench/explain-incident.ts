/** Development aid: the error patterns an incident's operator logs hold, and how each reads. `node --import tsx bench/explain-incident.ts NAME` */
import { summarizeLogs } from '../lambda/collect/log-parser.js';
import { readErrorText } from '../lambda/model/error-text.js';
import { BLIND_INCIDENTS } from '../sim/incidents/blind.js';
import { BLIND2_INCIDENTS } from '../sim/incidents/blind2.js';
import { INCIDENTS, incidentFixture } from '../sim/incidents/library.js';

const name = process.argv[2] ?? '';
const incident = [...INCIDENTS, ...BLIND_INCIDENTS, ...BLIND2_INCIDENTS].find(
  (i) => i.name === name || i.name === `blind-${name}`,
);
if (!incident) throw new Error(`no incident ${name}`);
const fixture = incidentFixture(incident, Date.now());
for (const [key, text] of Object.entries(fixture.logs ?? {})) {
  const summary = summarizeLogs([text], 30, Date.now());
  process.stdout.write(`== ${key}: ${summary.lines} lines, ${summary.reconcileErrors} reconcile errors\n`);
  for (const p of summary.patterns) {
    const r = readErrorText(p.sample);
    process.stdout.write(
      `${p.count}× [${p.level}] rec=${p.reconcileErrors} subj=${p.subjects} ${p.firstSeen?.slice(11, 19)}..${p.lastSeen?.slice(11, 19)} {${r.signals.join(',')}} ${r.destination ? `${r.destination.host}:${r.destination.port ?? ''}/${r.destination.scope}` : ''}${r.database ? ' db' : ''}\n    ${p.sample.slice(0, 220)}\n`,
    );
  }
}
