import { Box, Text, useApp, useInput, useStdin, useStdout } from 'ink';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { CockpitController } from '../src/cockpit/controller.js';
import { handleKey } from '../src/cockpit/keys.js';
import { frameLayout, matrixScreenLayout } from '../src/cockpit/layout.js';
import { summaryRows } from '../src/cockpit/matrixSummary.js';
import { runCells } from '../src/cockpit/runView.js';
import { activeOverlay, type CockpitStore } from '../src/store.js';
import { AttemptDetail } from './AttemptDetail.js';
import { PulseContext, StoreContext, useCockpit, usePulseSource } from './context.js';
import { ErrorView } from './ErrorView.js';
import { EventLog } from './EventLog.js';
import { Footer } from './Footer.js';
import { Gauges } from './Gauges.js';
import { Header } from './Header.js';
import { HarnessMenu } from './HarnessMenu.js';
import { Help } from './Help.js';
import { LaneMenu } from './LaneMenu.js';
import { Leaderboard } from './Leaderboard.js';
import { Matrix } from './Matrix.js';
import { TooSmall } from './TooSmall.js';

export interface AppProps {
  store: CockpitStore;
  controller: CockpitController;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  columns?: number;
  rows?: number;
}

/** The terminal size, updated on 'resize'. */
function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/** Matrix and gauges side by side, as tall as they need, with the event log under them (or beside them when wide). */
function MatrixScreen({ width, height }: { width: number; height: number }) {
  const n = useCockpit((s) => s.run?.n ?? s.n ?? 1);
  // rows, their title and a task run's lanes × harnesses summary
  const promptRows = useCockpit((s) => (s.run ? s.run.prompts.length + 1 + summaryRows(runCells(s.run)) : 2));
  const { matrix: layout, topRows, logRows, sideLogWidth } = useMemo(() => matrixScreenLayout(width, height, n, promptRows), [width, height, n, promptRows]);
  const separator = useMemo(() => <Separator width={layout.separatorWidth} rows={topRows} />, [layout.separatorWidth, topRows]);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Box flexDirection="row" width={width} height={topRows}>
        <Matrix layout={layout} />
        {layout.gaugeWidth > 0 && (
          <>
            {separator}
            <Gauges width={layout.gaugeWidth} height={topRows} />
          </>
        )}
        {sideLogWidth > 0 && (
          <>
            {separator}
            <EventLog width={sideLogWidth} height={topRows} />
          </>
        )}
      </Box>
      {logRows > 0 && <EventLog width={width} height={logRows} />}
    </Box>
  );
}

/** A dim vertical rule between columns. */
function Separator({ width, rows }: { width: number; rows: number }) {
  return (
    <Box width={width}>
      <Text dimColor>{Array.from({ length: rows }, () => ' │ ').join('\n')}</Text>
    </Box>
  );
}

/**
 * Provides the pulse. It holds the pulse's state itself, so a tick re-renders only the components
 * that read the pulse, not App and every view under it.
 */
function PulseProvider({ store, children }: { store: CockpitStore; children: ReactNode }) {
  const pulse = usePulseSource(store);
  return <PulseContext.Provider value={pulse}>{children}</PulseContext.Provider>;
}

function Body({ width, height }: { width: number; height: number }) {
  const view = useCockpit((s) => s.view);
  switch (view) {
    case 'detail':
      return <AttemptDetail width={width} height={height} />;
    case 'leaderboard':
      return <Leaderboard width={width} height={height} />;
    case 'help':
      return <Help width={width} height={height} />;
    case 'menu':
      return <LaneMenu width={width} height={height} />;
    case 'harnesses':
      return <HarnessMenu width={width} height={height} />;
    case 'error':
      return <ErrorView width={width} height={height} />;
    case 'matrix':
    case 'confirm':
      return <MatrixScreen width={width} height={height} />;
  }
}

export function App({ store, controller, columns, rows }: AppProps) {
  const terminal = useTerminalSize();
  const size = { columns: columns ?? terminal.columns, rows: rows ?? terminal.rows };
  const frame = frameLayout(size.columns, size.rows);
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  useInput((input, key) => handleKey({ store, controller, exit }, input, key), { isActive: isRawModeSupported === true });
  // the keys read the size from the store (a too-small terminal takes every key but q)
  useEffect(() => store.getState().setTerminal(size.columns, size.rows), [store, size.columns, size.rows]);
  const tooSmall = activeOverlay({ view: 'matrix', terminal: size }) === 'too-small';
  return (
    <StoreContext.Provider value={store}>
      <PulseProvider store={store}>
        {tooSmall ? (
          <TooSmall columns={size.columns} rows={size.rows} height={frame.height} />
        ) : (
          <Box flexDirection="column" width={frame.width} height={frame.height} overflowY="hidden">
            <Header width={frame.width} />
            <Box height={frame.bodyRows} width={frame.width} overflowY="hidden">
              <Body width={frame.width} height={frame.bodyRows} />
            </Box>
            <Footer width={frame.width} />
          </Box>
        )}
      </PulseProvider>
    </StoreContext.Provider>
  );
}
