// Progressive enhancement only: every control already works as a plain GET form without JavaScript.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("sf");
  if (!form) return;
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (input.form !== form || input.name === "q") return;
    form.requestSubmit();
  });
});
