// A form marked data-once is sent once: a second press while the first answer is on
// its way would use up a one-time link the first press has just used. The buttons stay
// enabled, since a disabled submitter leaves its name and value out of the form.
for (const form of document.querySelectorAll("form[data-once]")) {
  let sent = false;
  form.addEventListener("submit", (event) => {
    if (sent) event.preventDefault();
    sent = true;
  });
}
