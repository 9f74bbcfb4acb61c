// The interactive page of viz.to_html. Plain ES2015, no libraries: the page must work
// offline. Point at, focus or click (which pins) a target token: each source token is
// coloured by its weight, labelled with it, and the largest get the class "top".
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("attention-data").textContent);
  const stops = JSON.parse(document.getElementById("attention-colours").textContent);
  // The same colours as the heatmap pictures: the nearest of evenly spaced stops.
  const colour = (weight) =>
    stops[Math.round(Math.min(Math.max(weight, 0), 1) * (stops.length - 1))];

  for (const section of document.querySelectorAll("section[data-sentence-index]")) {
    const { weights, labels } = data.sentences[Number(section.dataset.sentenceIndex)];
    const sources = Array.from(section.querySelectorAll("[data-source-index]"));
    const targets = Array.from(section.querySelectorAll("[data-target-index]"));
    const rows = Array.from(section.querySelectorAll("tbody tr"));
    let pinned = null;

    const show = (index) => {
      targets.forEach((target, i) => target.classList.toggle("active", i === index));
      rows.forEach((row, i) => row.classList.toggle("active", i === index));
      const row = index === null ? null : weights[index];
      const largest = row === null ? null : Math.max(...row);
      sources.forEach((source, j) => {
        const label = source.querySelector(".weight");
        if (row === null) {
          source.style.removeProperty("background-color");
          source.style.removeProperty("color");
          source.classList.remove("top");
          label.textContent = "";
          return;
        }
        const [background, text] = colour(row[j]);
        source.style.backgroundColor = background;
        source.style.color = text;
        source.classList.toggle("top", row[j] === largest);
        label.textContent = labels[index][j];
      });
    };

    targets.forEach((target, i) => {
      target.addEventListener("mouseenter", () => show(i));
      target.addEventListener("focus", () => show(i));
      target.addEventListener("mouseleave", () => show(pinned));
      target.addEventListener("blur", () => show(pinned));
      target.addEventListener("click", () => {
        pinned = pinned === i ? null : i;
        targets.forEach((other, k) => other.setAttribute("aria-pressed", String(k === pinned)));
        show(i);
      });
    });
  }
})();
