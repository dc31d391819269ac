//! The web view's files, embedded at build time from `web/` so the binary serves the
//! page with nothing fetched from anywhere else. `web/dist/app.js` is the bundle of the
//! page's scripts and its vendored libraries, committed so that building needs no npm
//! (`npm run build` in `web/` remakes it).

/// One embedded file.
pub struct Asset {
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Every served path and its file.
const FILES: &[(&str, &str, &[u8])] = &[
    ("/", HTML, include_bytes!("../../../web/index.html")),
    (
        "/index.html",
        HTML,
        include_bytes!("../../../web/index.html"),
    ),
    ("/app.js", JS, include_bytes!("../../../web/dist/app.js")),
    ("/app.css", CSS, include_bytes!("../../../web/app.css")),
    (
        "/favicon.svg",
        SVG,
        include_bytes!("../../../web/favicon.svg"),
    ),
    (
        "/licenses.txt",
        TEXT,
        include_bytes!("../../../web/dist/licenses.txt"),
    ),
];

/// The file served at `path`, if any.
pub fn find(path: &str) -> Option<Asset> {
    FILES
        .iter()
        .find(|(p, _, _)| *p == path)
        .map(|(_, content_type, bytes)| Asset {
            content_type,
            bytes,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_loads_its_script_from_the_server_only() {
        let page = std::str::from_utf8(find("/").unwrap().bytes).unwrap();
        assert!(page.contains("<script src=\"/app.js\""));
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(!page.contains("<script>"), "no inline script");
        assert!(find("/app.js").unwrap().bytes.len() > 100_000);
        assert!(find("/nothing").is_none());
    }
}
