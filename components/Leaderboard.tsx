import { Table } from '@alcalzone/ink-table';
import { Spinner } from '@inkjs/ui';
import { Box } from 'ink';
import { useEffect, useMemo } from 'react';
import { fit } from '../src/cockpit/format.js';
import { promptRateLines, RANK_COLUMNS, rankRows, rankTableHeight } from '../src/cockpit/leaderboard.js';
import { useCockpit } from './context.js';
import { Line } from './Line.js';

const TITLE = ' Leaderboard · ranked by honesty gate, core pass, consistency, runaways, tok/s · ↑/↓ · esc';

/** Ranked scorecards (ink-table), then per-prompt pass rates across lanes, scrollable. */
export function Leaderboard({ width, height }: { width: number; height: number }) {
  const board = useCockpit((s) => s.leaderboard);
  const setViewport = useCockpit((s) => s.setViewport);
  const cards = board?.cards ?? null;
  const rows = useMemo(() => (cards ? rankRows(cards, width) : []), [cards, width]);
  const rates = useMemo(() => (cards ? promptRateLines(cards, width) : []), [cards, width]);

  // Table rows that fit while leaving room for the per-prompt header and a line or two of rates.
  const tableRows = Math.max(0, Math.min(rows.length, Math.floor((height - 1 - 3 - 1 - 3) / 2)));
  const hidden = rows.length - tableRows;
  const tableLines = tableRows > 0 ? rankTableHeight(tableRows) : 0;
  const noteLines = hidden > 0 || rows.some((r) => /[*†]/.test(r.lane)) ? 1 : 0;
  const rateRows = Math.max(0, height - 1 - tableLines - noteLines - 1);
  const rateBody = rates.slice(1);
  useEffect(
    () => setViewport({ leaderboardRows: rateRows, leaderboardLines: rateBody.length }),
    [rateRows, rateBody.length, setViewport],
  );

  let body;
  if (!board || cards === null) {
    body = <Spinner label="loading scorecards" />;
  } else if (board.error) {
    body = <Line segments={[{ text: fit(` cannot load scorecards: ${board.error}`, width), color: 'red' }]} />;
  } else if (cards.length === 0) {
    body = <Line segments={[{ text: fit(' No scorecards yet: finish a run first (r).', width), dim: true }]} />;
  } else {
    const top = Math.min(board.scroll, Math.max(0, rateBody.length - rateRows));
    const notes = [
      hidden > 0 ? `+${hidden} more lanes (taller terminal to see them)` : '',
      rows.some((r) => r.lane.includes('*')) ? '* simulated' : '',
      rows.some((r) => r.lane.includes('†')) ? '† failed the honesty gate' : '',
    ].filter(Boolean);
    body = (
      <>
        {tableRows > 0 && <Table data={rows.slice(0, tableRows)} columns={[...RANK_COLUMNS]} />}
        {noteLines > 0 && <Line segments={[{ text: fit(` ${notes.join(' · ')}`, width), dim: true }]} />}
        {rateRows > 0 && <Line segments={[{ text: fit(rates[0] ?? '', width), bold: true }]} />}
        {rateBody.slice(top, top + rateRows).map((text, i) => (
          <Line key={top + i} segments={[{ text }]} />
        ))}
      </>
    );
  }
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Line segments={[{ text: fit(TITLE, width), bold: true }]} />
      {body}
    </Box>
  );
}
