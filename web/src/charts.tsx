// Pictures drawn with Chart.js (docs/architecture.md "Libraries and why"): only the pieces used are registered, so the bundle
// carries a bar and a line chart, not the whole library. Each canvas is an image with a name (role="img") and the
// page shows the same figures as a table beside it, for screen readers and for reading exact numbers.
import { useEffect, useRef } from 'preact/hooks';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

/** The colours of the ratings, readable on white (the stylesheet's --ok, --warn and accent family). */
export const ratingPalette = { green: '#1d6b34', yellow: '#c88a00', red: '#a4161a' } as const;

export function ChartCanvas({ config, label, testId }: { config: ChartConfiguration; label: string; testId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } });
    return () => chart.destroy();
  }, [JSON.stringify(config.data)]);
  return (
    <div class="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} data-testid={testId} />
    </div>
  );
}
