// Starts Swagger UI on the API's own document. Served as a file: the page allows no inline script.
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: {{ spec_url|tojson }},
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // No call to the public validator service: clinic networks are closed, and the page must not leak.
    validatorUrl: null,
    // "Try it out" sends the bearer token from "Authorize" and no session cookie, so a logged-in
    // browser acts as the token's user, as any API client does.
    requestInterceptor: function (request) {
      request.credentials = "omit";
      return request;
    },
  });
});
