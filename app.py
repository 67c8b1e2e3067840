"""Neural Explainer: the entry point and shared frame.

Run with ``streamlit run app.py``. Declares every page with ``st.navigation`` (sections, Material
icons, ``url_path`` = the script's file stem; the home page at ``/``, and ``/home`` sends there),
draws the shared sidebar, then runs the chosen page.
The first run of a server starts loading TensorFlow and the shipped models in the background.
A live session (:mod:`core.adapters.live_session`) draws its parts before the page and publishes
the lecturer's view after it. The page runs inside the app's error boundary (:mod:`core.adapters.errors`): a
failure shows one
line with an incident id, never a traceback.
After the run, the heap is frozen once TensorFlow or a new shared model has been loaded
(:mod:`core.adapters.heap`), and the heap is collected in full every few seconds, not after every run.
"""

import streamlit as st

from core.adapters import cached, errors, heap, live_session, page_frame, streamlit_patches
from core.adapters.catalog import PAGES, SECTIONS

page_frame.page_setup()
streamlit_patches.keep_keras_state_between_runs()  # no keras.backend.clear_session() after every run

# The default page is served at / (its own path name is only reserved, not routed), so /home is a
# hidden page that sends the visitor there.
home = st.Page("pages/home.py", title="Home", icon=":material/home:", url_path="index", default=True)


def _to_home() -> None:
    """``/home``: the default page is served at ``/``, so this hidden page sends the visitor there."""
    st.switch_page(home, query_params=st.query_params.to_dict())


sections: dict[str, list] = {
    "Neural Explainer": [home, st.Page(_to_home, title="Home", url_path="home", visibility="hidden")]
}
for section in SECTIONS:
    pages = [
        st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path)
        for p in PAGES
        if p.section == section
    ]
    if pages:
        sections[section] = pages

page = st.navigation(sections)
cached.start_warmup(
    page.url_path
)  # TensorFlow and the shipped models load in the background, once per server
try:
    with errors.error_boundary(
        "live session"
    ):  # lead, join code and follower's bar: one cheap check otherwise
        live_session.frame(page)
    with errors.error_boundary(f"page {page.url_path or 'home'}"):  # a failure: one line with an incident id
        page.run()
    with errors.error_boundary("live session"):
        live_session.after_page(page)  # the lecturer's view, once the page wrote its link
finally:
    heap.after_run()  # a freeze after loading; else a full collection every few seconds
