"""The reference page of ``bench/bench_follow.py``: one slider and a fragment that the browser reruns
every second and that does nothing, so a follower's tick on the app can be given as a ratio against
Streamlit's own cost of a timed fragment rerun (websocket, session, widget states, an empty run).

Its heap is frozen once, as the app freezes its own (``core.adapters.heap``): otherwise Streamlit's two
full garbage collections after every run would make this reference, not the app, the slow one.

Run alone with ``streamlit run bench/bare_follow_page.py``.
"""

import gc

import streamlit as st

if not gc.get_freeze_count():
    gc.collect()
    gc.freeze()

st.slider("A number", 0, 100, 50, key="bare_x")


@st.fragment(run_every=1.0)
def tick() -> None:
    """Nothing: the cost measured is Streamlit's."""


tick()
