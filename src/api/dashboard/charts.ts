// Charts for the dashboard and the offline report: Apache ECharts options rendered on the server by
// its SVG renderer (no browser, no client script), inlined into the page. Each chart is tagged with
// its name and the number of data points it draws, so a test (or a person) can tell an empty chart
// from a full one.
//
// ECharts is loaded by `loadCharts()` (the dashboard awaits it before a page, the report before
// rendering), not with this module: it costs a serving process about 55 MiB of RSS (bench/serve),
// and most processes never draw a chart.
import type { EChartsCoreOption } from 'echarts/core';

let echarts: typeof import('echarts/core') | undefined;
let loading: Promise<void> | undefined;

/** Loads ECharts with the renderer and the chart kinds used here; renderChart needs it done. */
export function loadCharts(): Promise<void> {
  loading ??= (async () => {
    const [core, charts, components, renderers] = await Promise.all([import('echarts/core'), import('echarts/charts'), import('echarts/components'), import('echarts/renderers')]);
    core.use([
      renderers.SVGRenderer,
      charts.LineChart,
      charts.BarChart,
      charts.BoxplotChart,
      charts.HeatmapChart,
      charts.ScatterChart,
      components.GridComponent,
      components.LegendComponent,
      components.MarkLineComponent,
      components.TitleComponent,
      components.VisualMapComponent,
    ]);
    echarts = core;
  })();
  return loading;
}

export interface ChartSize {
  width: number;
  height: number;
}

/** Colours shared by every chart, so a tier or a series reads the same everywhere. */
export const COLORS = { primary: '#2563eb', secondary: '#f97316', high: '#dc2626', medium: '#f59e0b', low: '#16a34a', muted: '#94a3b8' } as const;

const base: EChartsCoreOption = {
  animation: false,
  color: [COLORS.primary, COLORS.secondary, '#10b981', '#8b5cf6', '#ec4899', COLORS.muted],
  textStyle: { fontFamily: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif', fontSize: 12 },
  grid: { left: 56, right: 24, top: 40, bottom: 48, containLabel: false },
};

/**
 * Renders `option` to an SVG string that scales to its container's width. `points` is the number
 * of data points drawn (stored as data-points); a chart with none is not rendered at all.
 */
export function renderChart(name: string, option: EChartsCoreOption, points: number, size: ChartSize = { width: 760, height: 320 }): string {
  if (points === 0) return `<p class="empty" data-chart-empty="${escapeAttr(name)}">No data for this chart yet.</p>`;
  if (!echarts) throw new Error('renderChart: await loadCharts() first');
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ ...base, ...option });
    const svg = chart.renderToSVGString();
    // keep the viewBox, drop the fixed size: CSS makes it as wide as the page allows
    // wide charts keep a minimum width on a phone (and scroll sideways in their box); narrow ones just shrink
    const cls = size.width > 500 ? 'chart wide' : 'chart';
    return svg.replace(/^<svg width="\d+" height="\d+"/, `<svg class="${cls}" role="img" aria-label="${escapeAttr(name)}" data-chart="${escapeAttr(name)}" data-points="${points}" preserveAspectRatio="xMidYMid meet"`);
  } finally {
    chart.dispose();
  }
}

/**
 * `render` memoised per data object: the summaries behind a page keep their identity until the
 * data change, so the same figures are drawn once, not on every view.
 */
export function cachedChart<K extends object>(render: (data: K) => string): (data: K) => string {
  const cache = new WeakMap<K, string>();
  return (data) => {
    let svg = cache.get(data);
    if (svg === undefined) cache.set(data, (svg = render(data)));
    return svg;
  };
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
