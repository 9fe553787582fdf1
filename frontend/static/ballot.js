// The ballot page's live meter: money left of the budget, points left, options chosen or
// ranked (and a rank given twice), announced politely to screen readers as the person
// ticks, picks and types; over the budget it says so in words. The server checks the
// ballot again; without JavaScript the page shows the meter as it was at load, and after
// a refused ballot with the same words.
const form = document.querySelector("form.ballot");
const meter = document.getElementById("meter");

if (form && meter && meter.dataset.template) {
  const { kind, budget, limitCost, maxChoices, pointsTotal, locale } = form.dataset;
  const euros = new Intl.NumberFormat(locale || "de", { style: "currency", currency: "EUR" });
  const numbers = new Intl.NumberFormat(locale || "de");
  const fill = (values) =>
    meter.dataset.template.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
  const submit = form.querySelector("button[type=submit]");

  const update = () => {
    let over = false;
    if (kind === "approve") {
      const ticked = [...form.querySelectorAll("input[name=choice]:checked")];
      if (budget && limitCost) {
        const spent = ticked.reduce((sum, box) => sum + Number(box.dataset.cost || 0), 0);
        const left = Number(budget) - spent;
        over = left < 0;
        meter.textContent = fill({
          spent: euros.format(spent / 100),
          budget: euros.format(Number(budget) / 100),
          left: euros.format(left / 100),
        });
        if (over && meter.dataset.over) {
          // The same words the server prints next to the total after a refused ballot.
          const words = document.createElement("strong");
          words.className = "over-budget";
          words.textContent = meter.dataset.over.replace("{over}", euros.format(-left / 100));
          meter.append(" ", words);
        }
      } else if (maxChoices) {
        over = ticked.length > Number(maxChoices);
        meter.textContent = fill({ given: numbers.format(ticked.length), total: maxChoices });
      }
    } else if (kind === "rank") {
      const ranks = [...form.querySelectorAll("select")]
        .map((select) => select.value)
        .filter(Boolean);
      const twice = ranks.find((rank, index) => ranks.indexOf(rank) !== index);
      const limit = Number(meter.dataset.total || Infinity);
      over = Boolean(twice) || ranks.length > limit;
      meter.textContent = twice
        ? meter.dataset.duplicate.replace("{rank}", twice)
        : fill({ given: numbers.format(ranks.length), total: meter.dataset.total });
    } else if (kind === "points") {
      const given = [...form.querySelectorAll("input.points")].reduce(
        (sum, input) => sum + (Number.parseInt(input.value, 10) || 0),
        0,
      );
      const left = Number(pointsTotal) - given;
      over = left < 0;
      meter.textContent = fill({
        given: numbers.format(given),
        total: numbers.format(Number(pointsTotal)),
        left: numbers.format(left),
      });
    }
    meter.classList.toggle("over", over);
    if (submit && over) submit.setAttribute("aria-describedby", "meter");
    else submit?.removeAttribute("aria-describedby");
  };

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
}

// After a refused ballot, take keyboard and screen-reader focus to the error summary.
document.getElementById("error-summary")?.focus();
