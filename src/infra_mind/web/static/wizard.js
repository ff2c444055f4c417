// The wizard: moving between steps through the step indicator saves what was typed first.
document.addEventListener("click", (event) => {
  const link = event.target.closest(".wizard-steps a[data-step]");
  const form = document.getElementById("wizard-form");
  if (!link || !form || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  const go = document.createElement("input");
  go.type = "hidden";
  go.name = "go";
  go.value = link.dataset.step;
  form.appendChild(go);
  form.submit();
});

// One click starts one analysis: the button is disabled once its form is on its way.
document.addEventListener("submit", (event) => {
  if (!event.target.classList.contains("wizard-create")) return;
  const button = event.target.querySelector("button[type=submit]");
  if (button) button.disabled = true;
});

// After a refused step, the summary of its problems takes the focus so it is read first.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
