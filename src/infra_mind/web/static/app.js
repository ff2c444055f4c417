// Behaviour the markup cannot express, kept out of inline scripts so the CSP can forbid them.
document.addEventListener("htmx:responseError", (event) => {
  const toast = document.getElementById("toast");
  if (!toast) return;
  const xhr = event.detail.xhr;
  let message = `The server answered ${xhr.status}.`;
  try {
    const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
    const detail = doc.querySelector(".error-detail");
    if (detail) message = detail.textContent;
  } catch (_) { /* keep the status line */ }
  toast.textContent = message;
  setTimeout(() => { toast.textContent = ""; }, 8000);
});

// Plain forms that destroy something ask first (htmx forms use hx-confirm).
document.addEventListener("submit", (event) => {
  const question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
