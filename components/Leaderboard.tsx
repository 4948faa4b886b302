import { Table } from '@alcalzone/ink-table';
import { Spinner } from '@inkjs/ui';
import { Box } from 'ink';
import { useEffect, useMemo } from 'react';
import { fit } from '../src/cockpit/format.js';
import { boardOrder, promptRateLines, RANK_COLUMNS, rankRows, rankTableHeight } from '../src/cockpit/leaderboard.js';
import { frontierLines, heatmap } from '../src/cockpit/leaderboardCharts.js';
import type { LaneScorecard } from '../src/types.js';
import type { LeaderboardMode } from '../src/store.js';
import { useCockpit } from './context.js';
import { Line } from './Line.js';

const TITLES: Record<LeaderboardMode, string> = {
  table: ' Leaderboard · tab frontier · ↑/↓ · esc · ranked by honesty gate, core pass, consistency, runaways, tok/s',
  frontier: ' Leaderboard · tab heatmap · esc · frontier: pass rate × tok/s × peak memory',
  heatmap: ' Leaderboard · tab table · ↑/↓ · esc · heatmap: pass rate, lanes × prompts',
};

interface BodyProps {
  cards: LaneScorecard[];
  width: number;
  /** Lines below the title. */
  height: number;
  scroll: number;
  /** Tells the store how many lines scroll and how many show, for the ↑/↓ keys. */
  report: (rows: number, lines: number) => void;
}

function useReport(report: BodyProps['report'], rows: number, lines: number) {
  useEffect(() => report(rows, lines), [rows, lines, report]);
}

/** Ranked scorecards (ink-table), then per-prompt pass rates across lanes, scrollable. */
function RankBody({ cards, width, height, scroll, report }: BodyProps) {
  const rows = useMemo(() => rankRows(cards, width), [cards, width]);
  const rates = useMemo(() => promptRateLines(cards, width), [cards, width]);
  // Table rows that fit while leaving room for the per-prompt header and a line or two of rates.
  const tableRows = Math.max(0, Math.min(rows.length, Math.floor((height - 3 - 1 - 3) / 2)));
  const hidden = rows.length - tableRows;
  const tableLines = tableRows > 0 ? rankTableHeight(tableRows) : 0;
  const noteLines = hidden > 0 || rows.some((r) => /[*†]/.test(r.lane)) ? 1 : 0;
  const rateRows = Math.max(0, height - tableLines - noteLines - 1);
  const rateBody = rates.slice(1);
  useReport(report, rateRows, rateBody.length);
  const top = Math.min(scroll, Math.max(0, rateBody.length - rateRows));
  const notes = [
    hidden > 0 ? `+${hidden} more lanes (taller terminal to see them)` : '',
    rows.some((r) => r.lane.includes('*')) ? '* simulated' : '',
    rows.some((r) => r.lane.includes('†')) ? '† failed the honesty gate' : '',
  ].filter(Boolean);
  return (
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

function FrontierBody({ cards, width, height, report }: BodyProps) {
  const lines = useMemo(() => frontierLines(boardOrder(cards), width, height), [cards, width, height]);
  useReport(report, height, 0);
  return lines.map((text, i) => <Line key={i} segments={[{ text }]} />);
}

/** Prompts down (scrollable), lanes across; the shade scale and the lane keys below. */
function HeatmapBody({ cards, width, height, scroll, report }: BodyProps) {
  const map = useMemo(() => heatmap(boardOrder(cards), width), [cards, width]);
  const rows = Math.max(0, height - 1 - map.legend.length);
  useReport(report, rows, map.rows.length);
  const top = Math.min(scroll, Math.max(0, map.rows.length - rows));
  return (
    <>
      <Line segments={[{ text: fit(map.header, width), bold: true }]} />
      {map.rows.slice(top, top + rows).map((text, i) => (
        <Line key={top + i} segments={[{ text }]} />
      ))}
      {map.legend.slice(0, Math.max(0, height - 1)).map((text, i) => (
        <Line key={`legend${i}`} segments={[{ text: fit(text, width), dim: true }]} />
      ))}
    </>
  );
}

const BODIES = { table: RankBody, frontier: FrontierBody, heatmap: HeatmapBody };

/** The leaderboard: the rank table, the frontier or the heatmap (tab cycles). */
export function Leaderboard({ width, height }: { width: number; height: number }) {
  const board = useCockpit((s) => s.leaderboard);
  const setViewport = useCockpit((s) => s.setViewport);
  const report = useMemo(
    () => (rows: number, lines: number) => setViewport({ leaderboardRows: rows, leaderboardLines: lines }),
    [setViewport],
  );
  const cards = board?.cards ?? null;
  const mode = board?.mode ?? 'table';

  let body;
  if (!board || cards === null) {
    body = <Spinner label="loading scorecards" />;
  } else if (board.error) {
    body = <Line segments={[{ text: fit(` cannot load scorecards: ${board.error}`, width), color: 'red' }]} />;
  } else if (cards.length === 0) {
    body = <Line segments={[{ text: fit(' No scorecards yet: finish a run first (r).', width), dim: true }]} />;
  } else {
    const Body = BODIES[mode];
    body = <Body cards={cards} width={width} height={height - 1} scroll={board.scroll} report={report} />;
  }
  return (
    <Box flexDirection="column" width={width} height={height} overflowY="hidden">
      <Line segments={[{ text: fit(TITLES[mode], width), bold: true }]} />
      {body}
    </Box>
  );
}
