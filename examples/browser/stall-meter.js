// examples/browser/stall-meter.js — the longest time this thread went without
// running anything, measured the same way in every browser. Chromium reports
// long tasks (PerformanceObserver 'longtask'); Firefox and Safari do not. So
// the meter keeps three independent heartbeats — animation frames, a 4 ms
// timer and a message every 4 ms from a tiny worker — and records the longest
// gap in which none of them ran. One source alone misleads: Chromium may hold
// timers back for 150 ms behind a flood of short tasks while frames go on, and
// frames may pause while timers run; a task that blocks the thread stops all
// three. The demo's frame meter and the browser tests (tests/browser/) read it.

const BEAT_MS = 4; // browsers clamp chained 0 ms timers to about 4 ms anyway
const HEARTBEAT_WORKER = `setInterval(() => postMessage(0), ${BEAT_MS});`;

/**
 * Starts measuring, for the life of the page. Returns {longestStallMs,
 * longTasks, reset(), report()}:
 * longestStallMs — the longest gap between two heartbeats of any kind;
 * longTasks — durations of the engine's long tasks, or null if it reports none;
 * report() — {longestStallMs, stalls (gaps over 30 ms), beats, seconds,
 * longTasks} as a plain object, for window.__result.
 */
export function startStallMeter() {
  let last = performance.now();
  let since = last;
  let beats = 0;
  let stalls = [];
  const meter = {
    longestStallMs: 0,
    longTasks: PerformanceObserver.supportedEntryTypes?.includes('longtask') ? [] : null,
    reset() {
      meter.longestStallMs = 0;
      meter.longTasks?.splice(0);
      stalls = [];
      beats = 0;
      since = performance.now();
    },
    report() {
      return {
        longestStallMs: meter.longestStallMs,
        stalls: [...stalls],
        beats,
        seconds: (performance.now() - since) / 1000,
        longTasks: meter.longTasks && [...meter.longTasks],
      };
    },
  };

  const beat = () => {
    const now = performance.now();
    const gap = now - last;
    last = now;
    beats++;
    if (gap > meter.longestStallMs) meter.longestStallMs = gap;
    if (gap > 30) stalls.push(Math.round(gap));
  };
  const frame = () => {
    beat();
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const tick = () => {
    beat();
    setTimeout(tick, BEAT_MS);
  };
  setTimeout(tick, BEAT_MS);
  const worker = new Worker(URL.createObjectURL(new Blob([HEARTBEAT_WORKER], { type: 'text/javascript' })));
  worker.onmessage = beat;

  const observer = meter.longTasks && new PerformanceObserver((list) => {
    for (const e of list.getEntries()) meter.longTasks.push(Math.round(e.duration));
  });
  observer?.observe({ type: 'longtask' });
  return meter;
}
