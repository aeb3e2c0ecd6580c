import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

/**
 * Only the chart types and components the app uses are registered, so the echarts chunk stays a fraction of
 * the full build. A workspace that needs another chart type registers it here. SVG rendering keeps Chinese
 * labels crisp at any zoom and in printed reports.
 */
echarts.use([BarChart, LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DatasetComponent, SVGRenderer]);

export { echarts };
export type { EChartsCoreOption } from 'echarts/core';
