// The inbox, live: the header's unread count follows the person's inbox stream, and on
// the inbox page itself the list is fetched again and swapped in, as the server renders
// it in her language. Without JavaScript both show the state at load.
const link = document.querySelector("[data-inbox-link]");

if (link && "EventSource" in window) {
  const count = link.querySelector("[data-inbox-count]");
  const format = new Intl.NumberFormat(document.documentElement.lang || "de");
  let known = null;

  const showCount = (unread) => {
    if (count) {
      count.textContent = `(${format.format(unread)})`;
      count.hidden = unread === 0;
    }
    if (unread === 0) {
      link.removeAttribute("aria-label");
    } else {
      link.setAttribute("aria-label", link.dataset.labelUnread.replace("{count}", format.format(unread)));
    }
  };

  const refreshList = async () => {
    const list = document.querySelector("#inbox[data-live-inbox]");
    if (!list || list.contains(document.activeElement)) return;
    const response = await fetch(window.location.href, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const fresh = new DOMParser()
      .parseFromString(await response.text(), "text/html")
      .querySelector("#inbox[data-live-inbox]");
    if (fresh) list.replaceChildren(...[...fresh.childNodes].map((n) => document.importNode(n, true)));
  };

  const stream = new EventSource("/api/v1/me/notifications/stream");
  stream.addEventListener("inbox", (event) => {
    const { unread } = JSON.parse(event.data);
    showCount(unread);
    if (known !== null && unread !== known) refreshList().catch(() => {});
    known = unread;
  });
}
