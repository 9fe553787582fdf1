// Live updates over Server-Sent Events; without JavaScript a page simply shows the
// state at load. It follows a mandate's timeline stream (on a mandate's page) and the
// stream of every discussion on the page (`[data-thread-id]`: mandate, measure, vote).
//
// A `count` event carries the signature count. A `timeline` or `thread` event means
// something happened: the script fetches this very page again and swaps in every
// element marked `data-live`, matched by its id, so each section shows what the server
// renders now, in the reader's language, without an API of its own. A comment hidden
// by a moderator thus disappears: the fresh page no longer has its text.
// `data-live="append"` (the timeline) keeps what it shows and adds the children it
// lacks, so its live region announces only what is new and no entry appears twice.
const article = document.querySelector("article.mandate[data-mandate-id]");
const threads = [...document.querySelectorAll("[data-thread-id]")];

if ((article || threads.length) && "EventSource" in window) {
  const id = article ? article.dataset.mandateId : null;
  let lastEntry = article ? Number(article.dataset.lastEntryId || 0) : 0;
  const format = new Intl.NumberFormat(document.documentElement.lang || "de");

  // Sections are replaced, so look the count's elements up each time.
  const showCount = (data) => {
    const counter = document.querySelector("#live-count [data-count]");
    const bar = document.querySelector("#live-count .progress");
    const fill = document.querySelector("#live-count .progress-bar rect");
    const residents = document.querySelector("#resident-count [data-resident-count]");
    if (residents) residents.textContent = format.format(data.resident_signature_count);
    if (!counter || !bar || !fill) return;
    const count = data.signature_count;
    counter.textContent = format.format(count);
    const quorum = Number(bar.dataset.quorum) || 1;
    bar.setAttribute("aria-valuenow", String(Math.min(count, quorum)));
    fill.setAttribute("width", `${Math.min(100, Math.floor((count * 100) / quorum))}%`);
  };

  // Someone is typing or choosing in this section: leave it be until the next update.
  const busy = (section) => {
    if (section.contains(document.activeElement) && document.activeElement !== section) {
      return true;
    }
    for (const field of section.querySelectorAll("input, textarea, select")) {
      if (field.type === "hidden") continue;
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) return true;
      } else if (field.tagName === "SELECT") {
        for (const option of field.options) {
          if (option.selected !== option.defaultSelected) return true;
        }
      } else if (field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  };

  const append = (current, fresh) => {
    const known = new Set([...current.children].map((child) => child.id).filter(Boolean));
    for (const child of fresh.children) {
      if (child.id && !known.has(child.id)) current.append(document.importNode(child, true));
    }
  };

  const apply = (fresh) => {
    const current = new Map([...document.querySelectorAll("[data-live][id]")].map((e) => [e.id, e]));
    const incoming = [...fresh.querySelectorAll("[data-live][id]")];
    for (const next of incoming) {
      const old = current.get(next.id);
      if (old) {
        // Adding entries disturbs nobody; replacing a section someone works in would.
        if (old.dataset.live === "append") append(old, next);
        else if (!busy(old)) old.replaceWith(document.importNode(next, true));
        continue;
      }
      // A section the page did not have (the first answer, a plan): put it where the
      // fresh page has it, after its nearest earlier sibling this page knows.
      let before = next.previousElementSibling;
      while (before && !(before.id && document.getElementById(before.id))) {
        before = before.previousElementSibling;
      }
      const parent = next.parentElement && next.parentElement.id
        ? document.getElementById(next.parentElement.id)
        : null;
      const node = document.importNode(next, true);
      if (before) document.getElementById(before.id).after(node);
      else if (parent) parent.prepend(node);
    }
    // A section the fresh page no longer has (moves nobody may make any more) goes.
    const kept = new Set(incoming.map((e) => e.id));
    for (const [key, old] of current) {
      if (!kept.has(key) && !busy(old)) old.remove();
    }
  };

  // One fetch at a time: events that arrive meanwhile ask for one more round, so a burst
  // of entries costs two fetches at most.
  let fetching = false;
  let again = false;
  const refresh = async () => {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      do {
        again = false;
        const response = await fetch(window.location.pathname + window.location.search, {
          headers: { Accept: "text/html" },
          credentials: "same-origin",
          cache: "no-store",
        });
        if (!response.ok) return;
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
        if (article) {
          const freshArticle = fresh.querySelector(`article.mandate[data-mandate-id="${id}"]`);
          if (!freshArticle) return;
          lastEntry = Math.max(lastEntry, Number(freshArticle.dataset.lastEntryId || 0));
        }
        apply(fresh);
        // What the page now shows of each thread, for the `ready` of a reconnecting stream.
        for (const section of fresh.querySelectorAll("[data-thread-id]")) {
          const current = document.querySelector(`[data-thread-id="${section.dataset.threadId}"]`);
          if (current) current.dataset.lastCommentId = section.dataset.lastCommentId;
        }
      } while (again);
    } catch (error) {
      // Offline for a moment: the next event, or the reconnected stream, tries again.
    } finally {
      fetching = false;
    }
  };

  // EventSource reconnects by itself after a network error or a stream the server ended
  // (sending Last-Event-ID, so the server resumes after the last entry received). An
  // answer other than 200 (a 503 while the database is away) closes it for good: open
  // a new one later, resuming after the newest entry this page knows.
  const follow = (url, listen, opened) => {
    let delay = 5000;
    const connect = () => {
      const source = new EventSource(url());
      source.addEventListener("open", () => {
        delay = 5000;
        if (opened) opened();
      });
      listen(source);
      source.addEventListener("error", () => {
        if (source.readyState !== EventSource.CLOSED) return;
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 60000);
      });
    };
    connect();
  };

  if (article) {
    follow(
      () => `/api/v1/mandates/${id}/timeline/stream?last_event_id=${lastEntry}`,
      (source) => {
        source.addEventListener("count", (event) => showCount(JSON.parse(event.data)));
        source.addEventListener("timeline", (event) => {
          // Shown already (the backlog of a reconnected stream): nothing to fetch.
          if (document.getElementById(`entry-${JSON.parse(event.data).id}`)) return;
          refresh();
        });
      },
    );
  }

  // A thread's stream only says that it changed. It starts with `ready`, naming the
  // newest comment: one this page does not show yet (posted while the page loaded) is
  // fetched. What else changed while a stream was away is fetched when it opens again.
  // `data-live-connected` tells a test the stream listens.
  const followed = new Set();
  for (const section of threads) {
    const thread = section.dataset.threadId;
    if (followed.has(thread)) continue;
    followed.add(thread);
    let opens = 0;
    follow(
      () => `/api/v1/threads/${thread}/stream`,
      (source) => {
        source.addEventListener("thread", () => refresh());
        source.addEventListener("ready", (event) => {
          const current = document.querySelector(`[data-thread-id="${thread}"]`);
          const shown = Number((current && current.dataset.lastCommentId) || 0);
          if (JSON.parse(event.data).last_comment_id > shown) refresh();
        });
      },
      () => {
        opens += 1;
        const current = document.querySelector(`[data-thread-id="${thread}"]`);
        if (current) current.dataset.liveConnected = "true";
        if (opens > 1) refresh();
      },
    );
  }
}
