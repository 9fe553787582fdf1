// Live updates for a mandate page: the signature count and new timeline entries arrive
// over Server-Sent Events; without JavaScript the page simply shows the state at load.
const article = document.querySelector("article.mandate[data-mandate-id]");

if (article && "EventSource" in window) {
  const id = article.dataset.mandateId;
  let lastEntry = Number(article.dataset.lastEntryId || 0);
  const counter = document.querySelector("#live-count [data-count]");
  const bar = document.querySelector("#live-count .progress");
  const fill = document.querySelector("#live-count .progress-bar rect");
  const timeline = document.getElementById("timeline");
  const badge = document.getElementById("status-badge");
  const format = new Intl.NumberFormat(document.documentElement.lang || "de");

  const showCount = (count) => {
    if (!counter) return;
    counter.textContent = format.format(count);
    const quorum = Number(bar.dataset.quorum) || 1;
    bar.setAttribute("aria-valuenow", String(Math.min(count, quorum)));
    fill.setAttribute("width", `${Math.min(100, Math.floor((count * 100) / quorum))}%`);
  };

  // One fetch at a time: events that arrive meanwhile ask for one more round, so a burst
  // of entries is fetched once and never inserted twice.
  let fetching = false;
  let again = false;
  const fetchEntries = async () => {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      do {
        again = false;
        const response = await fetch(`/mandates/${id}/timeline-entries?after=${lastEntry}`, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!response.ok) return;
        const update = await response.json();
        if (update.entries) timeline.insertAdjacentHTML("beforeend", update.entries);
        lastEntry = Math.max(lastEntry, update.last_id || 0);
        if (badge && update.status_badge) badge.innerHTML = update.status_badge;
      } while (again);
    } finally {
      fetching = false;
    }
  };

  const source = new EventSource(`/api/v1/mandates/${id}/timeline/stream?last_event_id=${lastEntry}`);
  const residents = document.querySelector("#resident-count [data-resident-count]");
  source.addEventListener("count", (event) => {
    const data = JSON.parse(event.data);
    showCount(data.signature_count);
    if (residents) residents.textContent = format.format(data.resident_signature_count);
  });
  source.addEventListener("timeline", (event) => {
    const entry = JSON.parse(event.data);
    if (entry.id > lastEntry) fetchEntries();
  });
}
