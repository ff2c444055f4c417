// The results dashboard's charts. Each <canvas data-chart> carries its figures as JSON in data-figures (the
// tables beside it hold the same numbers; htmx drops <script> blocks from a fragment, so not there). The
// dashboard usually arrives as an htmx fragment, so this file draws on htmx:load and fetches Chart.js on
// first need.
(() => {
  const CHART_SRC = "/static/vendor/chart-4.6.1.umd.min.js";
  const COLORS = ["#0b5cad", "#b35900", "#116329", "#6f42c1", "#a40e26"];
  let chartLibrary = null;

  function loadChart() {
    if (window.Chart) return Promise.resolve(window.Chart);
    if (!chartLibrary) {
      chartLibrary = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = CHART_SRC;
        script.onload = () => resolve(window.Chart);
        script.onerror = () => reject(new Error(`could not load ${CHART_SRC}`));
        document.head.appendChild(script);
      });
    }
    return chartLibrary;
  }

  const money = (value) => `$${Math.round(value).toLocaleString("en-US")}`;
  const moneyAxis = { ticks: { callback: (value) => money(value) }, beginAtZero: true };
  const moneyTooltip = { callbacks: { label: (item) => `${item.dataset.label}: ${money(item.parsed.y)}` } };

  const KINDS = {
    "provider-bars": (data) => ({
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map((set, i) => ({ ...set, backgroundColor: COLORS[i % COLORS.length] })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { ...moneyAxis, stacked: true } },
        plugins: { tooltip: moneyTooltip },
      },
    }),
    "scenario-lines": (data) => ({
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.datasets.map((set, i) => ({
          ...set,
          borderColor: COLORS[i % COLORS.length],
          backgroundColor: COLORS[i % COLORS.length],
          pointRadius: 0,
          tension: 0.1,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: { x: { title: { display: true, text: "Month" } }, y: moneyAxis },
        plugins: { tooltip: moneyTooltip },
      },
    }),
  };

  function draw(root) {
    if (!root || !root.querySelectorAll) return;
    const canvases = [...root.querySelectorAll("canvas[data-chart]:not([data-drawn])")];
    if (root.matches && root.matches("canvas[data-chart]:not([data-drawn])")) canvases.push(root);
    if (canvases.length === 0) return;
    loadChart()
      .then((Chart) => {
        for (const canvas of canvases) {
          const build = KINDS[canvas.dataset.chart];
          if (!canvas.dataset.figures || !build || canvas.dataset.drawn) continue;
          canvas.dataset.drawn = "true";
          new Chart(canvas, build(JSON.parse(canvas.dataset.figures)));
        }
      })
      .catch((error) => console.error(error));
  }

  document.addEventListener("htmx:load", (event) => draw(event.detail.elt));
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => draw(document));
  } else {
    draw(document);
  }
})();
