import { useEffect, useRef, type CSSProperties } from 'react';
import { FONT_FAMILY } from '../shell/theme';
import { echarts, type EChartsCoreOption } from './echarts';

/** The palette of the app's theme, so charts look like the rest of the archive. */
const PALETTE = ['#1d4e89', '#4a7bb7', '#7fa6d6', '#2f7d32', '#b7791f', '#8a5a9e', '#3a8f8f', '#b42318'];

/**
 * One ECharts instance bound to a div: created on mount, updated when `option` changes, resized with its box,
 * disposed on unmount. Import it lazily (`lazy(() => import(...))` or from a lazy page) so echarts loads only
 * on pages that draw charts.
 */
export default function EChart({ option, style, testId }: { option: EChartsCoreOption; style?: CSSProperties; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const el = ref.current!;
    const instance = echarts.init(el, undefined, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ color: PALETTE, textStyle: { fontFamily: FONT_FAMILY }, ...option }, true);
  }, [option]);

  return <div ref={ref} style={{ height: 260, width: '100%', ...style }} data-testid={testId} />;
}
