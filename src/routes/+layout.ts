// Every page is rendered on the server and shipped as plain HTML + SVG: no client bundle, no
// hydration data (the figures are on the page once). Filters are GET forms, drill-downs links.
export const csr = false;
