"""Browser tests: JupyterLab in Chromium, driven by Playwright."""
