"""Neural Explainer: the entry point and shared frame.

Run with ``streamlit run app.py``. Declares every page with ``st.navigation`` (sections, Material
icons, ``url_path`` = the script's file stem), draws the shared sidebar, then runs the chosen page.
"""
import streamlit as st

from core import ui
from core.catalog import PAGES, SECTIONS

ui.page_setup()

home = st.Page("pages/home.py", title="Home", icon=":material/home:", url_path="home", default=True)
sections: dict[str, list] = {"Neural Explainer": [home]}
for section in SECTIONS:
    pages = [st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path)
             for p in PAGES if p.section == section]
    if pages:
        sections[section] = pages

st.navigation(sections).run()
