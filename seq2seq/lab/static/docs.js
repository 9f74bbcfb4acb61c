// The lab's API page: Swagger UI, from the swagger-ui-bundle package, drawing /openapi.json.
// A file of its own (not an inline script), so the page keeps the lab's
// Content-Security-Policy and needs no network.
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
