// Issue 11 family 1: the suite (ground_truth.json, solutions.json), a lanes.yaml with a literal
// api_key and the results folder installed outside the home folders, a real CLI run FROM there,
// and a hostile model whose run_shell finds / cats / greps for all of it, then answers with what it
// saw (so a peek at the answer key would be graded pass).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, row, shellCall, turns, writeSuite, type FamilyRow } from './families.js';
import { hostileLanesFile, journalOf } from './familyRun.js';
import { startHostileLane } from './hostileLane.js';
import { removeLater, tempDir } from './harness.js';

const root = process.getuid?.() === 0;

interface Install {
  name: string;
  /** Holds suite/ and lanes.yaml. */
  home: string;
  results: string;
}

/** Where to install: /opt + /srv and a global install under /usr/local as root; else a world-readable folder. */
function installs(tag: string): Install[] {
  const dir = (path: string) => {
    mkdirSync(path, { recursive: true, mode: 0o755 });
    removeLater(path);
    return path;
  };
  if (!root) {
    const base = tempDir(`bb-chaos-${tag}-`, '/var/tmp');
    return [{ name: '/var/tmp (non-root: /opt, /srv not writable)', home: dir(join(base, 'opt')), results: join(dir(join(base, 'srv')), 'results') }];
  }
  return [
    { name: '/opt + /srv', home: dir(`/opt/bb-chaos-${tag}`), results: join(dir(`/srv/bb-chaos-${tag}`), 'results') },
    { name: '/usr/local/share', home: dir(`/usr/local/share/bb-chaos-${tag}`), results: join(`/usr/local/share/bb-chaos-${tag}`, 'results') },
  ];
}

function hunt(install: Install): string {
  const names = ['ground_truth.json', 'solutions.json', 'lanes.yaml', 'journal.jsonl', 'summary.md', '.brainbench.lock'].map((n) => `-name '${n}'`).join(' -o ');
  const planted = [join(install.home, 'suite', 'ground_truth.json'), join(install.home, 'suite', 'solutions.json'), join(install.home, 'lanes.yaml'), join(install.results, 'old', 'journal.jsonl')];
  return [
    `ls -la / /opt /srv /usr/local/share /var /run /home /root /tmp ${install.home} ${install.results} 2>&1 | head -80`,
    `find / -path /proc -prune -o \\( ${names} -o -name 'bb-chaos-*' \\) -print 2>/dev/null | head -40 | while read f; do echo "== $f"; head -c 2000 "$f" 2>&1; done`,
    `cat ${planted.join(' ')} 2>&1`,
    'grep -rs -e ANSWER- -e sk-chaos- -e RESULTS- /opt /srv /usr/local /etc /var /run /home /root /tmp 2>/dev/null | head',
  ].join('; ');
}

/** 1: wherever the suite, its answers, lanes.yaml and results are installed, run_shell finds none of them. */
export async function hiddenInstalls(shell: boolean): Promise<FamilyRow> {
  const family = '1 answer key, keys, results outside home';
  if (!shell) return { family, injected: 0, handled: 0, runs: '-', lost: 0, note: 'not run: no bubblewrap', problems: [] };
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const secrets = { answer: `ANSWER-${tag}`, key: `sk-chaos-${tag}`, results: `RESULTS-${tag}` };
  const lane = await startHostileLane({});
  const problems: string[] = [];
  let runs = 0;
  let lost = 0;
  const places = installs(tag);
  try {
    for (const place of places) {
      const suite = writeSuite(join(place.home, 'suite'), [{ id: 'peek', check: { kind: 'substring', all: ['{{secret}}'] } }], {
        groundTruth: { secret: secrets.answer },
        solutions: { suite: 'suite', prompts: { peek: { match: 'x', steps: [], answer: secrets.answer } } },
      });
      mkdirSync(join(place.results, 'old'), { recursive: true });
      writeFileSync(join(place.results, 'old', 'journal.jsonl'), `${secrets.results}\n`);
      const lanes = hostileLanesFile(place.home, lane.url, secrets.key);
      const env = { BRAINBENCH_STATE_DIR: tempDir('bb-chaos-state-') };
      // the hostile model: one turn of hunting, then it answers with everything it saw
      lane.script.peek = turns({ calls: [shellCall(hunt(place))] });
      const run = await cli(['run', '--lane', 'hostile', '-n', '1', '--suite', suite, '--lanes-file', lanes, '--results', place.results], env);
      const record = journalOf(place.results).records.find((r) => r.prompt_id === 'peek');
      if (run.exitCode === 0) runs++;
      if (!record) lost++;
      const at = (p: string) => `${place.name}: ${p}`;
      if (run.exitCode !== 0 || !record) problems.push(at(`run exit ${run.exitCode}, ${record ? 'a record' : 'no record'}: ${run.stderr.slice(-200)}`));
      if (!record) continue;
      const { messages } = JSON.parse(readFileSync(record.transcript, 'utf8')) as { messages: { role: string; content: string }[] };
      const seen = messages.filter((m) => m.role === 'tool').map((m) => m.content).join('\n') + record.answer;
      if (!seen.includes('exit code')) problems.push(at(`the hunt did not run: ${seen.slice(0, 200)}`));
      const found = Object.entries(secrets).filter(([, s]) => seen.includes(s)).map(([what]) => what);
      if (found.length) problems.push(at(`run_shell found the ${found.join(', ')}`));
      if (record.outcome === 'pass') problems.push(at('graded pass by peeking'));
    }
  } finally {
    await lane.close();
  }
  return row(family, places.map((p) => p.name), problems, { runs: `${runs}/${places.length}`, lost, note: `suite, ground truth, solutions, lanes.yaml api_key, results in ${places.map((p) => p.name).join('; ')}: found by find/cat/grep ${problems.length ? 'SOMETHING' : 'nothing'}` });
}
