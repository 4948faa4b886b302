import { sigtermMidTrial } from '../test/hardening/familyTasks.js';
import { removeTempDirs } from '../test/hardening/harness.js';
const t0 = performance.now();
console.log(await sigtermMidTrial());
console.log('took', ((performance.now() - t0) / 1000).toFixed(1));
removeTempDirs();
