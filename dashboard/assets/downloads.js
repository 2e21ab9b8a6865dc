// PNG/SVG download buttons next to every chart: Plotly.downloadImage runs in the browser (offline).
document.addEventListener("click", function (event) {
    var button = event.target.closest(".download-image");
    if (!button || !window.Plotly) { return; }
    var figure = button.closest("figure.chart");
    var plot = figure && figure.querySelector(".js-plotly-plot");
    if (!plot) { return; }
    window.Plotly.downloadImage(plot, {
        format: button.getAttribute("data-format") || "png",
        filename: button.getAttribute("data-filename") || "chart",
        width: plot.offsetWidth || 900, height: plot.offsetHeight || 500, scale: 2
    });
});
