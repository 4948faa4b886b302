import { taskFamilies, hostileFolders, proxyFlood } from '../test/hardening/familyTasks.js';
import { removeTempDirs } from '../test/hardening/harness.js';
const t0 = performance.now();
const fams = (process.argv[2] ?? '').split(',').filter(Boolean) as any;
const r = await taskFamilies(fams.length ? { families: fams } : {});
for (const row of r.rows) console.log(row.family, row.injected, row.handled, row.note, '\n   ', row.problems.join('\n    '));
for (const v of r.verdicts) console.log(v.id, v.who, v.outcome, v.detail.slice(0,150), v.problems.join('; ').slice(0, 200));
if (!fams.length) { console.log(await hostileFolders()); console.log(await proxyFlood()); }
console.log('took', ((performance.now() - t0) / 1000).toFixed(1));
removeTempDirs();
