import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mdCell, oneLine, safeFileName, stripControl } from '../src/safeText.js';

// Sequences a hostile model or lane could send to a terminal: clipboard write (OSC 52), clear
// screen, window title, a one-byte C1 CSI, a bidi override.
const HOSTILE = 'a\u001b]52;c;ZXZpbA==\u0007b\u001b[2Jc\u001b]0;title\u0007d\u009b31me\u202ef\r\n';
// eslint-disable-next-line no-control-regex -- the point of the test
const ANY_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('stripControl / oneLine', () => {
  it('no escape, C1 or bidi character survives; newlines and tabs do', () => {
    const out = stripControl(HOSTILE + 'x\ty\nz');
    expect(out).not.toMatch(ANY_CONTROL);
    expect(out).toContain('x\ty\nz');
    expect(out.startsWith('a]52;c;ZXZpbA==b[2Jc]0;titled31mef')).toBe(true);
  });

  it('oneLine also folds newlines and tabs into spaces', () => {
    expect(oneLine('one\ntwo\r\nthree\tfour')).toBe('one two three four');
    expect(oneLine(HOSTILE)).not.toMatch(/[\n\t]/);
  });

  it('plain text and non-Latin text pass unchanged', () => {
    for (const text of ['plain text', 'ünïcødé — ✓ 日本語', '']) expect(oneLine(text)).toBe(text);
  });
});

describe('mdCell', () => {
  it('a cell cannot end the row, start HTML or a link', () => {
    const cell = mdCell('a|b\n<script>x</script> [l](u) `c` *e*');
    expect(cell).not.toMatch(/(^|[^\\])[|<>[\]`*]/);
    expect(cell).not.toContain('\n');
  });
});

describe('safeFileName', () => {
  const hostile = ['..', '.', '', '../../../../tmp/x/data', '/etc/passwd', 'a/../../b', '.hidden', 'a\u0000b', 'x'.repeat(500), '..\\..\\w', 'C:'];

  it.each(hostile)('%j stays inside its folder', (id) => {
    const name = safeFileName(id);
    expect(name).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(name).not.toMatch(/^\./);
    expect(name.length).toBeLessThanOrEqual(120);
    const folder = resolve('/results/transcripts');
    expect(resolve(join(folder, name))).toBe(join(folder, name));
  });

  it('leaves safe ids alone and keeps ids that clean to the same text apart', () => {
    expect(safeFileName('p1_read_grounding')).toBe('p1_read_grounding');
    expect(safeFileName('a/b')).not.toBe(safeFileName('a_b'));
    expect(safeFileName('a/b')).not.toBe(safeFileName('a:b'));
    expect(safeFileName('a/b')).toBe(safeFileName('a/b')); // stable
  });
});
