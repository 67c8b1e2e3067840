"""Take screenshots of app pages: python shot.py /convolution?x=y out.png [width height]"""
import sys
from playwright.sync_api import sync_playwright
sys.path.insert(0, ".")
from tests.browser.server import streamlit_server, chromium_path, CHROMIUM_ARGS

pairs = sys.argv[1:]
width, height = int(__import__("os").environ.get("W", 1400)), int(__import__("os").environ.get("H", 3000))
with streamlit_server() as url, sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": width, "height": height})
    for i in range(0, len(pairs), 2):
        page.goto(url + pairs[i])
        page.wait_for_selector('[data-testid="stApp"]', timeout=60000)
        page.wait_for_selector("text=Lecture mode", timeout=90000)
        page.wait_for_timeout(3000)
        try:
            page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=90000)
        except Exception:
            pass
        page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0", timeout=90000)
        page.wait_for_timeout(2000)
        page.screenshot(path=pairs[i + 1], full_page=True)
        print("saved", pairs[i + 1])
    browser.close()
