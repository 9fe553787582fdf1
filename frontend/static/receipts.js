// Check a receipt without sending the code anywhere: hash it here (SHA-256 of the code's
// 20 characters, upper case, without dashes or spaces, as the server does) and ask the
// public receipts list for that fingerprint. Without JavaScript, or where the browser
// offers no hashing (plain http), the form posts the code to the server instead.
const form = document.querySelector("form.receipt-check");
const output = document.getElementById("receipt-result");
const ALPHABET = /^[0-9A-HJKMNP-TV-Z]{20}$/;

const normalise = (text) =>
  text.replace(/[\s-]/g, "").toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1");

const hex = (buffer) =>
  [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, "0")).join("");

if (form && output && window.crypto?.subtle) {
  form.addEventListener("submit", async (event) => {
    const code = normalise(form.elements.receipt.value);
    if (!ALPHABET.test(code)) return; // the server explains what a receipt code looks like
    event.preventDefault();
    const digest = hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(code)));
    const response = await fetch(
      `/api/v1/votes/${form.dataset.voteId}/receipts?digest=${digest}`,
      { headers: { Accept: "application/json" } },
    );
    if (!response.ok) {
      form.submit();
      return;
    }
    const { items } = await response.json();
    const found = items.includes(digest);
    const line = document.createElement("p");
    line.className = found ? "signed" : "notice";
    line.textContent = found ? form.dataset.counted : form.dataset.missing;
    const detail = document.createElement("p");
    detail.className = "meta";
    detail.append(`${form.dataset.fingerprint} `);
    const value = document.createElement("code");
    value.textContent = digest;
    detail.append(value);
    output.replaceChildren(line, detail);
  });
}
