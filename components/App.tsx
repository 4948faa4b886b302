import { Box, Text, useApp, useInput, useStdin, useStdout } from 'ink';
import { useEffect, useMemo, useState } from 'react';
import type { CockpitController } from '../src/cockpit/controller.js';
import { handleKey } from '../src/cockpit/keys.js';
import { frameLayout, matrixLayout } from '../src/cockpit/layout.js';
import type { CockpitStore } from '../src/store.js';
import { AttemptDetail } from './AttemptDetail.js';
import { PulseContext, StoreContext, useCockpit, usePulseSource } from './context.js';
import { Footer } from './Footer.js';
import { Gauges } from './Gauges.js';
import { Header } from './Header.js';
import { Help } from './Help.js';
import { LaneMenu } from './LaneMenu.js';
import { Leaderboard } from './Leaderboard.js';
import { Matrix } from './Matrix.js';

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

function Body({ width, height }: { width: number; height: number }) {
  const view = useCockpit((s) => s.view);
  const n = useCockpit((s) => s.run?.n ?? s.n ?? 1);
  const layout = useMemo(() => matrixLayout(width, height, n), [width, height, n]);
  switch (view) {
    case 'detail':
      return <AttemptDetail width={width} height={height} />;
    case 'leaderboard':
      return <Leaderboard width={width} height={height} />;
    case 'help':
      return <Help width={width} height={height} />;
    case 'menu':
      return <LaneMenu width={width} height={height} />;
    case 'matrix':
    case 'confirm':
      return (
        <Box flexDirection="row" width={width} height={height}>
          <Matrix layout={layout} />
          {layout.gaugeWidth > 0 && (
            <>
              <Box width={layout.separatorWidth}>
                <Text dimColor>{Array.from({ length: height }, () => ' │ ').join('\n')}</Text>
              </Box>
              <Gauges width={layout.gaugeWidth} height={height} />
            </>
          )}
        </Box>
      );
  }
}

export function App({ store, controller, columns, rows }: AppProps) {
  const terminal = useTerminalSize();
  const frame = frameLayout(columns ?? terminal.columns, rows ?? terminal.rows);
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  useInput((input, key) => handleKey({ store, controller, exit }, input, key), { isActive: isRawModeSupported === true });
  const pulse = usePulseSource(store);
  return (
    <StoreContext.Provider value={store}>
      <PulseContext.Provider value={pulse}>
        <Box flexDirection="column" width={frame.width} height={frame.height} overflowY="hidden">
          <Header width={frame.width} />
          <Box height={frame.bodyRows} width={frame.width} overflowY="hidden">
            <Body width={frame.width} height={frame.bodyRows} />
          </Box>
          <Footer width={frame.width} />
        </Box>
      </PulseContext.Provider>
    </StoreContext.Provider>
  );
}
